/**
 * DeliveryLogSql on a real PostgreSQL (the run's throwaway cluster, a database of this file's own): the laws, claims
 * from several pools at once, lapsed claims, schema creation by 8 instances at once, transact, prune, round trips.
 * The same across OS processes: DeliveryLogProcesses.test.ts.
 */
import { DeliveryLog } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Pg from "pg"
import { deliveryLogLaws } from "./deliveryLogLaws.js"
import { createDatabase, sqlClient } from "./postgres.js"

let database: Awaited<ReturnType<typeof createDatabase>>
let runtime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown>
let shared: SqlClient.SqlClient

beforeAll(async () => {
  database = await createDatabase("log")
  runtime = ManagedRuntime.make(sqlClient(database.url))
  shared = await runtime.runPromise(SqlClient.SqlClient)
  await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all([
      DeliveryLogSql.migration(),
      DeliveryLogSql.migration({ table: "laws" }),
      sql`CREATE TABLE handled (event_id TEXT NOT NULL)`
    ])))
}, 60_000)

afterAll(async () => {
  await runtime?.dispose()
  await database?.drop()
})

/** The file's one pool, for tests that need one client only. */
const onShared = () => Layer.succeed(SqlClient.SqlClient, shared)

/** `n` clients, each with a pool of its own (n receivers), for the length of the scope. */
const pools = (n: number, maxConnections = 4) =>
  Effect.all(
    Array.from({ length: n }, () =>
      Effect.map(Layer.build(sqlClient(database.url, { maxConnections })), Context.get(SqlClient.SqlClient))),
    { concurrency: "unbounded" }
  )

const logOn = (sql: SqlClient.SqlClient, options?: DeliveryLogSql.Options) =>
  DeliveryLogSql.make({ createTable: false, ...options }).pipe(Effect.provideService(SqlClient.SqlClient, sql))

const transactionalOn = (sql: SqlClient.SqlClient, options?: DeliveryLogSql.Options) =>
  DeliveryLogSql.make({ createTable: false, ...options, transactional: true }).pipe(
    Effect.provideService(SqlClient.SqlClient, sql)
  )

const query = <A extends object>(f: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<A>, unknown>) => f(shared)

const count = (f: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<{ readonly n: string }>, unknown>) =>
  Effect.map(query(f), (rows) => Number(rows[0]?.n))

const handledCount = (eventId: string) =>
  count((sql) => sql<{ n: string }>`SELECT count(*) AS n FROM handled WHERE event_id = ${eventId}`)

const stateOf = (eventId: string, table = "heygen_webhook_deliveries") =>
  Effect.map(
    query((sql) => sql<{ state: string }>`SELECT state FROM ${sql(table)} WHERE event_id = ${eventId}`),
    (rows) => rows[0]?.state
  )

/** A database error's own words (the driver's message under @effect/sql's "Failed to execute statement"). */
const reason = (error: { readonly message: string; readonly cause?: unknown }): string => {
  const inner = error.cause as { readonly message?: unknown } | undefined
  return typeof inner?.message === "string" ? inner.message : error.message
}

const tags = (claims: ReadonlyArray<{ readonly _tag: string }>) => claims.map((claim) => claim._tag)
const winners = (claims: ReadonlyArray<{ readonly _tag: string }>) => tags(claims).filter((t) => t === "Claimed")

describe("DeliveryLogSql over PostgreSQL", () => {
  // One table, emptied before each case (a table per case would cost its DDL 110 times).
  deliveryLogLaws((options) =>
    DeliveryLogSql.layer({ ...options, table: "laws", createTable: false, pruneEvery: false }).pipe(
      Layer.provide(Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`TRUNCATE laws`))),
      Layer.provide(onShared())
    )
  )

  it.live("6 receivers (6 pools) claiming 5 events 4 times each at once: exactly one Claimed per event", () =>
    Effect.scoped(Effect.gen(function*() {
      const logs = yield* Effect.flatMap(pools(6), Effect.forEach((sql) => logOn(sql)))
      const events = ["pc_1", "pc_2", "pc_3", "pc_4", "pc_5"]
      const claims = yield* Effect.forEach(
        events,
        (eventId) =>
          Effect.all(logs.flatMap((log) => Array.from({ length: 4 }, () => log.claim(eventId))), {
            concurrency: "unbounded"
          }),
        { concurrency: "unbounded" }
      )
      expect(claims.map((c) => winners(c).length)).toEqual([1, 1, 1, 1, 1])
      expect(claims.map((c) => c.length)).toEqual([24, 24, 24, 24, 24])
    })))

  it.live("a lapsed claim, and a done key past its retention, are each retaken by exactly one of 8 receivers", () =>
    Effect.scoped(Effect.gen(function*() {
      const clients = yield* pools(8, 2)
      // A receiver that died holding a claim, and an old completion: both lapsed a minute ago.
      yield* query((sql) =>
        sql`INSERT INTO heygen_webhook_deliveries (event_id, state, claim_token, expires_at, updated_at) VALUES
          ('lapsed_claim', 'claimed', 'dead', ${Date.now() - 60_000}, ${Date.now() - 120_000}),
          ('lapsed_done', 'done', NULL, ${Date.now() - 60_000}, ${Date.now() - 120_000})`
      )
      const logs = yield* Effect.forEach(clients, (sql) => logOn(sql))
      for (const eventId of ["lapsed_claim", "lapsed_done"]) {
        const claims = yield* Effect.all(logs.flatMap((log) => [log.claim(eventId), log.claim(eventId)]), {
          concurrency: "unbounded"
        })
        expect(winners(claims)).toHaveLength(1)
        expect(tags(claims).filter((t) => t === "InFlight")).toHaveLength(15)
      }
      // The dead holder's late release frees nothing.
      yield* logs[0]!.release("lapsed_claim", "dead")
      expect((yield* logs[1]!.claim("lapsed_claim"))._tag).toBe("InFlight")
    })))

  it.live("a claim that waited on a completion being committed elsewhere answers Done, from the row as committed", () =>
    Effect.scoped(Effect.gen(function*() {
      const [holding, claiming] = yield* pools(2, 2)
      const first = yield* (yield* logOn(holding!)).claim("waited_done")
      expect(first._tag).toBe("Claimed")
      const claimer = yield* logOn(claiming!)
      // Another receiver's completion of the event, written but not yet committed: it holds the row's lock.
      const written = yield* Deferred.make<void>()
      const commit = yield* Deferred.make<void>()
      const completion = yield* Effect.fork(holding!.withTransaction(Effect.gen(function*() {
        yield* holding!`UPDATE heygen_webhook_deliveries SET state = 'done', claim_token = NULL,
          expires_at = ${Date.now() + 3_600_000} WHERE event_id = 'waited_done'`
        yield* Deferred.succeed(written, undefined)
        yield* Deferred.await(commit)
      })))
      yield* Deferred.await(written)
      const claim = yield* Effect.fork(claimer.claim("waited_done"))
      // Commit once the claim's statement waits on that lock, so that it started before the commit.
      yield* count((sql) =>
        sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`
      ).pipe(
        Effect.repeat({ until: (n) => n > 0, schedule: Schedule.spaced("10 millis") }),
        Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("the claim never waited") })
      )
      yield* Deferred.succeed(commit, undefined)
      yield* Fiber.join(completion)
      // A read from a snapshot taken before the commit would see the claim still held, and answer InFlight: the
      // redelivery would fail (409) and come back, for an event already handled.
      expect((yield* Fiber.join(claim))._tag).toBe("Done")
    })))

  it.effect("complete records the id and every other key of the event done, in one statement; duplicates are fine", () =>
    Effect.gen(function*() {
      const log = yield* logOn(shared)
      const claim = yield* log.claim("evt_main")
      if (claim._tag !== "Claimed") throw new Error(claim._tag)
      yield* log.complete("evt_main", claim.token, ["digest_1", "evt_main", "digest_1", "body_id"])
      for (const key of ["evt_main", "digest_1", "body_id"]) expect((yield* log.claim(key))._tag).toBe("Done")
    }))

  it.live(
    "8 instances building the log at the same moment, on a fresh database and then 5 fresh schemas: none fails",
    () =>
      Effect.gen(function*() {
        /** Every pool has its connection open already, so that the eight CREATEs reach the server together. */
        const buildAtOnce = (clients: ReadonlyArray<SqlClient.SqlClient>, options?: DeliveryLogSql.Options) =>
          Effect.map(
            Effect.all(clients.map((sql) => Effect.either(logOn(sql, { ...options, createTable: true }))), {
              concurrency: "unbounded"
            }),
            (results) => results.flatMap((r) => r._tag === "Left" ? [reason(r.left)] : [])
          )
        const fresh = yield* Effect.promise(() => createDatabase("fresh"))
        yield* Effect.scoped(Effect.gen(function*() {
          const clients = yield* Effect.all(
            Array.from({ length: 8 }, () =>
              Effect.map(Layer.build(sqlClient(fresh.url, { maxConnections: 1 })), Context.get(SqlClient.SqlClient))),
            { concurrency: "unbounded" }
          )
          expect(yield* buildAtOnce(clients)).toEqual([])
          const log = yield* logOn(clients[0]!)
          expect((yield* log.claim("evt"))._tag).toBe("Claimed")
        }))
        yield* Effect.promise(() =>
          fresh.drop()
        )
        yield* Effect.scoped(Effect.gen(function*() {
          const clients = yield* pools(8, 1)
          for (let round = 0; round < 5; round++) {
            const schema = `fresh_${round}_${Date.now()}`
            yield* query((sql) => sql`CREATE SCHEMA ${sql(schema)}`)
            expect(yield* buildAtOnce(clients, { table: `${schema}.deliveries` })).toEqual([])
            const tables = yield* count((sql) =>
              sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE schemaname = ${schema}`
            )
            expect(tables).toBe(1)
            const log = yield* logOn(clients[0]!, { table: `${schema}.deliveries` })
            expect((yield* log.claim("evt"))._tag).toBe("Claimed")
          }
        }))
      }),
    30_000
  )
})

describe("DeliveryLogSql transact (PostgreSQL)", () => {
  const insertHandled = (eventId: string) =>
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO handled (event_id) VALUES (${eventId})`)

  it.live("of 8 concurrent transacts of one key (8 pools) one runs, the others are InFlight; then it is Done", () =>
    Effect.scoped(Effect.gen(function*() {
      const clients = yield* pools(8, 2)
      const outcomes = yield* Effect.all(
        clients.map((sql) =>
          Effect.flatMap(transactionalOn(sql), (log) =>
            log.transact(
              ["tx_concurrent"],
              // Long enough that every other transact arrives while this one holds the key.
              Effect.zipRight(insertHandled("tx_concurrent"), Effect.sleep("300 millis"))
            )).pipe(Effect.provideService(SqlClient.SqlClient, sql))
        ),
        { concurrency: "unbounded" }
      )
      expect(tags(outcomes).sort()).toEqual([
        "InFlight",
        "InFlight",
        "InFlight",
        "InFlight",
        "InFlight",
        "InFlight",
        "InFlight",
        "Ran"
      ])
      expect(yield* handledCount("tx_concurrent")).toBe(1)
      const again = yield* Effect.flatMap(
        transactionalOn(shared),
        (log) => log.transact(["tx_concurrent"], insertHandled("tx_concurrent"))
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(again._tag).toBe("Done")
      expect(yield* handledCount("tx_concurrent")).toBe(1)
    })))

  it.effect("a failing run rolls back its own writes and records nothing; the next delivery runs it", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const failed = yield* log.transact(
        ["tx_fail"],
        Effect.zipRight(insertHandled("tx_fail"), Effect.fail("handler failed" as const))
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(failed._tag === "Ran" && failed.exit).toStrictEqual(Exit.fail("handler failed"))
      expect(yield* handledCount("tx_fail")).toBe(0)
      expect(yield* stateOf("tx_fail")).toBeUndefined()
      const died = yield* log.transact(["tx_fail"], Effect.zipRight(insertHandled("tx_fail"), Effect.die("boom")))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(died._tag === "Ran" && Exit.isFailure(died.exit)).toBe(true)
      expect(yield* handledCount("tx_fail")).toBe(0)
      const ran = yield* log.transact(["tx_fail"], Effect.as(insertHandled("tx_fail"), "ok" as const))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(ran._tag === "Ran" && ran.exit).toStrictEqual(Exit.succeed("ok"))
      expect(yield* handledCount("tx_fail")).toBe(1)
      expect(yield* stateOf("tx_fail")).toBe("done")
    }))

  it.effect("a key done under another name answers Done and records the event's own key; a live claim answers InFlight", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const plain = yield* logOn(shared)
      const claim = yield* plain.claim("tx_digest")
      if (claim._tag !== "Claimed") throw new Error(claim._tag)
      yield* plain.complete("tx_digest", claim.token)
      const outcome = yield* log.transact(["tx_event", "tx_digest"], insertHandled("tx_event"))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(outcome._tag).toBe("Done")
      expect(yield* handledCount("tx_event")).toBe(0)
      expect(yield* stateOf("tx_event")).toBe("done")
      // A receiver of the claim/complete protocol holds this one.
      expect((yield* plain.claim("tx_held"))._tag).toBe("Claimed")
      const held = yield* log.transact(["tx_held"], insertHandled("tx_held"))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(held._tag).toBe("InFlight")
      expect(yield* handledCount("tx_held")).toBe(0)
    }))

  it.effect("a success records the event's own key and the also keys, never a key that is only a lock", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const outcome = yield* log.transact(["tx_own", "lock:tx_content"], insertHandled("tx_own"), ["tx_content"])
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(outcome._tag).toBe("Ran")
      expect([yield* stateOf("tx_own"), yield* stateOf("tx_content"), yield* stateOf("lock:tx_content")]).toEqual([
        "done",
        "done",
        undefined
      ])
      // Another event locking the same key runs (the lock was released with the commit, and never recorded), even
      // when one of its also keys is done already.
      const next = yield* log.transact(["tx_other", "lock:tx_content"], insertHandled("tx_other"), ["tx_content"])
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(next._tag).toBe("Ran")
      expect(yield* handledCount("tx_other")).toBe(1)
    }))

  it.live("a key recorded done by someone else while run ran (after the lock and read): rolled back, Done", () =>
    Effect.scoped(Effect.gen(function*() {
      const [mine, theirs] = yield* pools(2, 2)
      const log = yield* transactionalOn(mine!)
      const other = yield* logOn(theirs!)
      // What a delivery that committed between this statement's snapshot and its lock would leave behind.
      const outcome = yield* log.transact(
        ["tx_raced"],
        Effect.zipRight(insertHandled("tx_raced"), other.complete("tx_raced", "their-token"))
      ).pipe(Effect.provideService(SqlClient.SqlClient, mine!))
      expect(outcome._tag).toBe("Done")
      expect(yield* handledCount("tx_raced")).toBe(0)
    })))

  it.effect("the handler's own queries run in the transaction: it reads its uncommitted write, others do not", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const seen = yield* log.transact(
        ["tx_visible"],
        Effect.gen(function*() {
          yield* insertHandled("tx_visible")
          const inside = yield* handledCount("tx_visible")
          // Another fiber of the file's runtime, outside this transaction, on the same pool.
          const outside = yield* Effect.promise(() => runtime.runPromise(handledCount("tx_visible")))
          return { inside, outside }
        })
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(seen._tag === "Ran" && seen.exit).toStrictEqual(Exit.succeed({ inside: 1, outside: 0 }))
      expect(yield* handledCount("tx_visible")).toBe(1)
    }))
})

describe("DeliveryLogSql.prune (PostgreSQL)", () => {
  it.effect("removes completed rows older than the cut and claims lapsed before it, and says how many", () =>
    Effect.gen(function*() {
      const table = "prune_rows"
      yield* DeliveryLogSql.migration({ table }).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      const log = yield* logOn(shared, { table, retention: "48 hours", claimTimeout: "1 minute" })
      const patient = yield* logOn(shared, { table, retention: "48 hours", claimTimeout: "1 hour" })
      const completeNow = (eventId: string) =>
        Effect.flatMap(log.claim(eventId), (c) => log.complete(eventId, c._tag === "Claimed" ? c.token : ""))
      yield* completeNow("old_done") // t = 0
      yield* log.claim("old_claim") // lapses at 1 min
      yield* TestClock.adjust("10 minutes")
      yield* patient.claim("long_claim") // claimed at 10 min, lapses at 70 min: live
      yield* TestClock.adjust("10 minutes")
      yield* log.claim("recent_lapse") // claimed at 20 min, lapses at 21 min: after the cut
      yield* TestClock.adjust("20 minutes")
      yield* completeNow("new_done") // t = 40 min
      yield* log.claim("live_claim")
      yield* TestClock.adjust("5 minutes") // t = 45 min; the cut at 15 min
      const prune = DeliveryLogSql.prune({ table, olderThan: "30 minutes" }).pipe(
        Effect.provideService(SqlClient.SqlClient, shared)
      )
      expect(yield* prune).toBe(2)
      const left = yield* query((sql) =>
        sql<{ event_id: string }>`SELECT event_id FROM ${sql(table)} ORDER BY event_id`
      )
      expect(left.map((row) => row.event_id)).toEqual(["live_claim", "long_claim", "new_done", "recent_lapse"])
      expect(yield* prune).toBe(0)
      // Past every row's time: all go, the live claims' holders being long dead by then.
      yield* TestClock.adjust("3 hours")
      expect(yield* prune).toBe(4)
    }))

  it.effect("the layer prunes at start and then every pruneEvery, with the log's retention", () =>
    Effect.gen(function*() {
      const table = "prune_layer"
      yield* DeliveryLogSql.migration({ table }).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      const rows = count((sql) => sql<{ n: string }>`SELECT count(*) AS n FROM ${sql(table)}`)
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        DeliveryLogSql.layer({ table, createTable: false, retention: "1 hour", pruneEvery: "30 minutes" }).pipe(
          Layer.provide(onShared())
        ),
        scope
      )
      const log = Context.get(context, DeliveryLog.DeliveryLog)
      yield* log.complete("evt_1", "t")
      expect(yield* rows).toBe(1)
      yield* TestClock.adjust("31 minutes") // 31 minutes old: kept
      const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      yield* settle
      expect(yield* rows).toBe(1)
      yield* TestClock.adjust("30 minutes") // the prune at 61 minutes removes it
      yield* Effect.repeat(Effect.zipRight(settle, rows), { until: (n) => n === 0, times: 50 })
      expect(yield* rows).toBe(0)
      yield* Scope.close(scope, Exit.void)
    }))
})

describe("round trips to PostgreSQL per delivery", () => {
  const insertHandledOn = (sql: SqlClient.SqlClient, eventId: string) =>
    sql`INSERT INTO handled (event_id) VALUES (${eventId})`

  /** A client over a pool whose every query is counted: one query is one round trip. */
  const countingClient = Effect.gen(function*() {
    let queries = 0
    const pool = new Pg.Pool({ connectionString: database.url, max: 2 })
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: Array<unknown>) => unknown
      ;(client as unknown as { query: (...args: Array<unknown>) => unknown }).query = (...args) => {
        queries++
        return query(...args)
      }
    })
    const context = yield* Layer.build(
      PgClient.layerFromPool({
        acquire: Effect.acquireRelease(Effect.succeed(pool), (p) => Effect.promise(() => p.end()))
      })
    )
    return { sql: Context.get(context, SqlClient.SqlClient), queries: () => queries }
  })

  const measure = <A, E>(counter: { readonly queries: () => number }, effect: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const before = counter.queries()
      const result = yield* effect
      return [result, counter.queries() - before] as const
    })

  it.live(
    "concurrent deliveries share statements: 32 claims at once take at most 3, their 32 completions as few; each event is Claimed once",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const counter = yield* countingClient
        const log = yield* logOn(counter.sql, { pruneEvery: false })
        const ids = Array.from({ length: 32 }, (_, i) => `batch_${i}`)
        const [claims, claimTrips] = yield* measure(
          counter,
          Effect.all(ids.map((id) => log.claim(id)), { concurrency: "unbounded" })
        )
        expect(claims.map((claim) => claim._tag)).toEqual(ids.map(() => "Claimed"))
        const [, completeTrips] = yield* measure(
          counter,
          Effect.all(
            ids.map((id, i) => log.complete(id, (claims[i] as { readonly token: string }).token)),
            { concurrency: "unbounded" }
          )
        )
        expect({ claimTrips: claimTrips <= 3, completeTrips: completeTrips <= 3 }).toEqual({
          claimTrips: true,
          completeTrips: true
        })
        for (const id of ids) expect(yield* stateOf(id)).toBe("done")
      }))
  )

  it.live("a claim sent in the same statement as the completion of its key answers Done; a key claimed twice in one, once", () =>
    Effect.scoped(Effect.gen(function*() {
      const counter = yield* countingClient
      const log = yield* logOn(counter.sql, { pruneEvery: false })
      const first = yield* log.claim("same_stmt")
      if (first._tag !== "Claimed") throw new Error(first._tag)
      const [outcomes, trips] = yield* measure(
        counter,
        Effect.gen(function*() {
          // In flight while the others are asked: they go together in the next statement.
          const ahead = yield* Effect.fork(log.claim("same_stmt_ahead"))
          const rest = yield* Effect.all([
            log.complete("same_stmt", first.token),
            log.claim("same_stmt"),
            log.claim("same_stmt_twice"),
            log.claim("same_stmt_twice")
          ], { concurrency: "unbounded" })
          return [yield* Fiber.join(ahead), ...rest.slice(1)] as const
        })
      )
      expect(trips).toBe(2)
      expect(tags(outcomes as ReadonlyArray<DeliveryLog.Claim>)).toEqual(["Claimed", "Done", "Claimed", "InFlight"])
      expect(yield* stateOf("same_stmt")).toBe("done")
    })))

  it.live("the claims' and completions' statement is prepared once per connection, then only executed; not when turned off", () =>
    Effect.scoped(Effect.gen(function*() {
      // One connection, so that the log's statements and the look into pg_prepared_statements share a session.
      const [one] = yield* pools(1, 1)
      const prepared = (sql: SqlClient.SqlClient) =>
        sql<{ readonly name: string; readonly runs: number }>`
          SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements`
      const run = (log: DeliveryLog.Service, prefix: string) =>
        Effect.forEach(
          Array.from({ length: 6 }, (_, i) => `${prefix}_${i}`),
          (id) =>
            Effect.flatMap(log.claim(id), (claim) =>
              claim._tag === "Claimed" ? log.complete(id, claim.token) : Effect.die(claim._tag))
        )
      yield* run(yield* logOn(one!, { pruneEvery: false, preparedStatements: false }), "unprepared")
      expect(yield* prepared(one!)).toEqual([])
      yield* run(yield* logOn(one!, { pruneEvery: false }), "prepared")
      const statements = yield* prepared(one!)
      // 6 claims and 6 completions, one after the other: 12 executions of one statement, parsed once.
      expect(statements.map((s) => ({ named: s.name.startsWith("effect_heygen_"), runs: s.runs }))).toEqual([
        { named: true, runs: 12 }
      ])
      for (const id of ["prepared_0", "prepared_5", "unprepared_3"]) expect(yield* stateOf(id)).toBe("done")
    })))

  it.live("a server that lost the prepared statement (as behind a pooler): the log runs it unnamed and goes on", () =>
    Effect.scoped(Effect.gen(function*() {
      const [one] = yield* pools(1, 1)
      const preparedNames = Effect.map(
        one!<{ readonly name: string }>`SELECT name FROM pg_prepared_statements`,
        (rows) => rows.map((row) => row.name)
      )
      const log = yield* logOn(one!, { pruneEvery: false })
      const cycle = (id: string) =>
        Effect.flatMap(
          log.claim(id),
          (claim) => claim._tag === "Claimed" ? log.complete(id, claim.token) : Effect.die(claim._tag)
        )
      yield* cycle("lost_before")
      expect(yield* preparedNames).toHaveLength(1)
      // The session forgets it while pg still counts it parsed: its next use is a Bind alone, which PostgreSQL
      // refuses (26000), as a pooler's other server would.
      yield* one!`DEALLOCATE ALL`
      yield* cycle("lost_after")
      yield* cycle("lost_later")
      expect(yield* preparedNames).toEqual([])
      for (const id of ["lost_before", "lost_after", "lost_later"]) expect(yield* stateOf(id)).toBe("done")
    })))

  it.live(
    "inside a transaction of the caller's, claim and complete run on its connection, rolled back with it; others' claims asked at the same moment do not",
    () =>
      Effect.gen(function*() {
        const log = yield* logOn(shared)
        const go = yield* Deferred.make<void>()
        // Outside the transaction: claims asked at the moment the transaction's own are, so that a batch could mix them.
        const outside = yield* Effect.fork(
          Effect.zipRight(
            Deferred.await(go),
            Effect.all([log.claim("tx_outside_1"), log.claim("tx_outside_2")], { concurrency: "unbounded" })
          )
        )
        const rolledBack = yield* Effect.exit(
          shared.withTransaction(
            Effect.gen(function*() {
              yield* Deferred.succeed(go, undefined)
              const [claim] = yield* Effect.all([log.claim("tx_inner_claim"), log.claim("tx_inner_other")], {
                concurrency: "unbounded"
              })
              yield* log.complete("tx_inner_done", claim._tag === "Claimed" ? claim.token : "")
              return yield* Effect.fail("roll back" as const)
            })
          )
        )
        expect(Exit.isFailure(rolledBack)).toBe(true)
        expect(tags(yield* Fiber.join(outside))).toEqual(["Claimed", "Claimed"])
        const states = yield* Effect.forEach(
          ["tx_inner_claim", "tx_inner_other", "tx_inner_done", "tx_outside_1", "tx_outside_2"],
          (id) => stateOf(id)
        )
        expect(states).toEqual([undefined, undefined, undefined, "claimed", "claimed"])
      })
  )

  it.live(
    "two receivers writing the same 100 keys at once, one in order and one in reverse, 30 times: no deadlock, no failure",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const [one, two] = yield* pools(2, 2)
        const [a, b] = [yield* logOn(one!), yield* logOn(two!)]
        for (let round = 0; round < 30; round++) {
          const keys = Array.from({ length: 100 }, (_, i) => `order_${round}_${String(i).padStart(3, "0")}`)
          const failures = yield* Effect.all(
            [
              ...keys.map((key) => Effect.either(a.complete(key, "t"))),
              ...[...keys].reverse().map((key) => Effect.either(b.claim(key)))
            ],
            { concurrency: "unbounded" }
          ).pipe(Effect.map((results) => results.flatMap((r) => r._tag === "Left" ? [reason(r.left)] : [])))
          expect(failures).toEqual([])
        }
      })),
    30_000
  )

  it.live("claim/complete: claim 1, complete 1, a duplicate's claim 1; transact: 4 and the handler's, InFlight 3", () =>
    Effect.scoped(Effect.gen(function*() {
      const counter = yield* countingClient
      const log = yield* logOn(counter.sql, { pruneEvery: false })
      const [claim, claimTrips] = yield* measure(counter, log.claim("rt_1"))
      const [, completeTrips] = yield* measure(
        counter,
        log.complete("rt_1", claim._tag === "Claimed" ? claim.token : "", ["rt_1_digest"])
      )
      const [duplicate, duplicateTrips] = yield* measure(counter, log.claim("rt_1"))
      expect({ claimTrips, completeTrips, duplicate: duplicate._tag, duplicateTrips }).toEqual({
        claimTrips: 1,
        completeTrips: 1,
        duplicate: "Done",
        duplicateTrips: 1
      })
      const tx = yield* transactionalOn(counter.sql)
      const [ran, ranTrips] = yield* measure(
        counter,
        tx.transact(["rt_2", "rt_2_digest"], insertHandledOn(counter.sql, "rt_2"))
      )
      const [done, doneTrips] = yield* measure(counter, tx.transact(["rt_2"], insertHandledOn(counter.sql, "rt_2")))
      // Another holder: a transaction of the shared pool holds rt_3 while we try it.
      const holder = yield* transactionalOn(shared)
      const holding = yield* Deferred.make<void>()
      const letGo = yield* Deferred.make<void>()
      const held = yield* Effect.fork(
        holder.transact(["rt_3"], Effect.zipRight(Deferred.succeed(holding, undefined), Deferred.await(letGo)))
      )
      yield* Deferred.await(holding)
      const [busy, busyTrips] = yield* measure(counter, tx.transact(["rt_3"], Effect.void))
      yield* Deferred.succeed(letGo, undefined)
      expect((yield* Fiber.join(held))._tag).toBe("Ran")
      expect({ ran: ran._tag, ranTrips, done: done._tag, doneTrips, busy: busy._tag, busyTrips }).toEqual({
        ran: "Ran",
        ranTrips: 5, // BEGIN, lock and read, the handler's insert, record, COMMIT
        done: "Done",
        doneTrips: 3, // BEGIN, lock and read, COMMIT
        busy: "InFlight",
        busyTrips: 3 // BEGIN, lock and read, ROLLBACK
      })
    })))
})
