/**
 * DeliveryLogSql on a real PostgreSQL (the run's throwaway cluster, a database of this file's own): the laws, claims
 * from several pools at once, lapsed claims, schema creation by 8 instances at once, transactional mode, prune,
 * round trips.
 * The same across OS processes: DeliveryLogProcesses.test.ts.
 */
import { DeliveryLog } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
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
import { deliveryLogLaws, hold, tag } from "./deliveryLogLaws.js"
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

const tags = (outcomes: ReadonlyArray<{ readonly _tag: string }>) => outcomes.map((outcome) => outcome._tag)
const count_ = (outcomes: ReadonlyArray<{ readonly _tag: string }>, t: string) =>
  tags(outcomes).filter((x) => x === t).length

/** Long enough that every other run of the same event arrives while this one holds it. */
const slow = Effect.sleep("300 millis")

describe("DeliveryLogSql over PostgreSQL", () => {
  // One table, emptied before each case (a table per case would cost its DDL 110 times).
  const lawsLog = (options: DeliveryLogSql.Options) =>
    DeliveryLogSql.layer({ ...options, table: "laws", createTable: false, pruneEvery: false }).pipe(
      Layer.provide(Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`TRUNCATE laws`))),
      Layer.provide(onShared())
    )
  describe("claim/complete", () => deliveryLogLaws(lawsLog))
  describe("transactional", () =>
    deliveryLogLaws((options) => lawsLog({ ...options, transactional: true }), { claimTimeout: false }))

  it.live("6 receivers (6 pools) running 5 events 4 times each at once: exactly one run per event", () =>
    Effect.scoped(Effect.gen(function*() {
      const logs = yield* Effect.flatMap(pools(6), Effect.forEach((sql) => logOn(sql)))
      const events = ["pc_1", "pc_2", "pc_3", "pc_4", "pc_5"]
      const outcomes = yield* Effect.forEach(
        events,
        (eventId) =>
          Effect.all(logs.flatMap((log) => Array.from({ length: 4 }, () => log.once(eventId, slow))), {
            concurrency: "unbounded"
          }),
        { concurrency: "unbounded" }
      )
      expect(outcomes.map((o) => [count_(o, "Handled"), count_(o, "InFlight")])).toEqual(events.map(() => [1, 23]))
    })))

  it.live("a lapsed claim, and a done event past its retention, are each retaken by exactly one of 8 receivers", () =>
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
        const outcomes = yield* Effect.all(logs.flatMap((log) => [log.once(eventId, slow), log.once(eventId, slow)]), {
          concurrency: "unbounded"
        })
        expect([count_(outcomes, "Handled"), count_(outcomes, "InFlight")]).toEqual([1, 15])
      }
    })))

  it.live("a claim that waited on a completion being committed elsewhere answers Duplicate, from the row as committed", () =>
    Effect.scoped(Effect.gen(function*() {
      const [holding, claiming] = yield* pools(2, 2)
      yield* query((sql) =>
        sql`INSERT INTO heygen_webhook_deliveries (event_id, state, claim_token, expires_at, updated_at)
          VALUES ('waited_done', 'claimed', 'holder', ${Date.now() + 3_600_000}, ${Date.now()})`
      )
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
      const claim = yield* Effect.fork(claimer.once("waited_done", Effect.die("must not run")))
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
      expect((yield* Fiber.join(claim))._tag).toBe("Duplicate")
    })))

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
          expect(yield* tag(log, "evt")).toBe("Handled")
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
            expect(yield* tag(log, "evt")).toBe("Handled")
          }
        }))
      }),
    30_000
  )
})

describe("DeliveryLogSql transactional (PostgreSQL)", () => {
  const insertHandled = (eventId: string) =>
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql`INSERT INTO handled (event_id) VALUES (${eventId})`)

  it.live("of 8 concurrent runs of one event (8 pools) one runs, the others are InFlight; then it is Duplicate", () =>
    Effect.scoped(Effect.gen(function*() {
      const clients = yield* pools(8, 2)
      const outcomes = yield* Effect.all(
        clients.map((sql) =>
          Effect.flatMap(
            transactionalOn(sql),
            (log) => log.once("tx_concurrent", Effect.zipRight(insertHandled("tx_concurrent"), slow))
          ).pipe(
            Effect.provideService(SqlClient.SqlClient, sql)
          )
        ),
        { concurrency: "unbounded" }
      )
      expect([count_(outcomes, "Handled"), count_(outcomes, "InFlight")]).toEqual([1, 7])
      expect(yield* handledCount("tx_concurrent")).toBe(1)
      const again = yield* Effect.flatMap(
        transactionalOn(shared),
        (log) => log.once("tx_concurrent", insertHandled("tx_concurrent"))
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(again._tag).toBe("Duplicate")
      expect(yield* handledCount("tx_concurrent")).toBe(1)
    })))

  it.effect("a failing run rolls back its own writes and records nothing; the next delivery runs it", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const failed = yield* log.once(
        "tx_fail",
        Effect.zipRight(insertHandled("tx_fail"), Effect.fail("handler failed" as const))
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(failed._tag === "Failed" && Cause.squash(failed.cause)).toBe("handler failed")
      expect(yield* handledCount("tx_fail")).toBe(0)
      expect(yield* stateOf("tx_fail")).toBeUndefined()
      const died = yield* log.once("tx_fail", Effect.zipRight(insertHandled("tx_fail"), Effect.die("boom")))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(died._tag).toBe("Failed")
      expect(yield* handledCount("tx_fail")).toBe(0)
      const ran = yield* log.once("tx_fail", insertHandled("tx_fail"))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(ran._tag).toBe("Handled")
      expect(yield* handledCount("tx_fail")).toBe(1)
      expect(yield* stateOf("tx_fail")).toBe("done")
    }))

  it.effect("beside claim/complete receivers: an event they handled is Duplicate, one they hold is InFlight", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const plain = yield* logOn(shared)
      expect(yield* tag(plain, "tx_done_plain")).toBe("Handled")
      const outcome = yield* log.once("tx_done_plain", insertHandled("tx_done_plain"))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(outcome._tag).toBe("Duplicate")
      expect(yield* handledCount("tx_done_plain")).toBe(0)
      yield* hold(plain, "tx_held")
      const held = yield* log.once("tx_held", insertHandled("tx_held"))
        .pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect(held._tag).toBe("InFlight")
      expect(yield* handledCount("tx_held")).toBe(0)
    }))

  it.live("an event recorded done by someone else while the run ran (after the lock and read): rolled back, Duplicate", () =>
    Effect.scoped(Effect.gen(function*() {
      const [mine, theirs] = yield* pools(2, 2)
      const log = yield* transactionalOn(mine!)
      // What a delivery that committed between this statement's snapshot and its lock would leave behind.
      const outcome = yield* log.once(
        "tx_raced",
        Effect.zipRight(
          insertHandled("tx_raced"),
          theirs!`INSERT INTO heygen_webhook_deliveries (event_id, state, expires_at, updated_at)
            VALUES ('tx_raced', 'done', ${Date.now() + 3_600_000}, ${Date.now()})`
        )
      ).pipe(Effect.provideService(SqlClient.SqlClient, mine!))
      expect(outcome._tag).toBe("Duplicate")
      expect(yield* handledCount("tx_raced")).toBe(0)
    })))

  it.effect("the handler's own queries run in the transaction: it reads its uncommitted write, others do not", () =>
    Effect.gen(function*() {
      const log = yield* transactionalOn(shared)
      const seen: Array<{ inside: number; outside: number }> = []
      const outcome = yield* log.once(
        "tx_visible",
        Effect.gen(function*() {
          yield* insertHandled("tx_visible")
          const inside = yield* handledCount("tx_visible")
          // Another fiber of the file's runtime, outside this transaction, on the same pool.
          const outside = yield* Effect.promise(() => runtime.runPromise(handledCount("tx_visible")))
          seen.push({ inside, outside })
        })
      ).pipe(Effect.provideService(SqlClient.SqlClient, shared))
      expect([outcome._tag, seen]).toEqual(["Handled", [{ inside: 1, outside: 0 }]])
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
      yield* tag(log, "old_done") // t = 0
      yield* hold(log, "old_claim") // lapses at 1 min
      yield* TestClock.adjust("10 minutes")
      yield* hold(patient, "long_claim") // claimed at 10 min, lapses at 70 min: live
      yield* TestClock.adjust("10 minutes")
      yield* hold(log, "recent_lapse") // claimed at 20 min, lapses at 21 min: after the cut
      yield* TestClock.adjust("20 minutes")
      yield* tag(log, "new_done") // t = 40 min
      yield* hold(log, "live_claim")
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
      yield* tag(log, "evt_1")
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

  it.live("concurrent deliveries share statements: 32 new events at once take at most 6; each runs once", () =>
    Effect.scoped(Effect.gen(function*() {
      const counter = yield* countingClient
      const log = yield* logOn(counter.sql, { pruneEvery: false })
      const ids = Array.from({ length: 32 }, (_, i) => `batch_${i}`)
      const [outcomes, trips] = yield* measure(
        counter,
        Effect.all(ids.map((id) => log.once(id, Effect.void)), { concurrency: "unbounded" })
      )
      expect(tags(outcomes)).toEqual(ids.map(() => "Handled"))
      expect(trips).toBeLessThanOrEqual(6)
      for (const id of ids) expect(yield* stateOf(id)).toBe("done")
    })))

  it.live("a claim sent in the same statement as the completion of its event answers Duplicate; an event claimed twice in one runs once", () =>
    Effect.scoped(Effect.gen(function*() {
      const counter = yield* countingClient
      const log = yield* logOn(counter.sql, { pruneEvery: false })
      const finish = yield* hold(log, "same_stmt")
      const [outcomes, trips] = yield* measure(
        counter,
        Effect.gen(function*() {
          // In flight while the others are asked: they go together in the next statement.
          const ahead = yield* Effect.fork(log.once("same_stmt_ahead", Effect.void))
          const rest = yield* Effect.all([
            finish(true),
            log.once("same_stmt", Effect.die("must not run")),
            log.once("same_stmt_twice", Effect.void),
            log.once("same_stmt_twice", Effect.void)
          ], { concurrency: "unbounded" })
          return [yield* Fiber.join(ahead), ...rest]
        })
      )
      expect(tags(outcomes)).toEqual(["Handled", "Handled", "Duplicate", "Handled", "InFlight"])
      // The ahead claim; the others' claims and completion with the ahead one's completion; the twice one's.
      expect(trips).toBeLessThanOrEqual(3)
      expect(yield* stateOf("same_stmt")).toBe("done")
    })))

  it.live(
    "inside a transaction of the caller's, claims and completions run on its connection, rolled back with it; others' asked at the same moment do not",
    () =>
      Effect.gen(function*() {
        const log = yield* logOn(shared)
        const go = yield* Deferred.make<void>()
        // Outside the transaction: claims asked at the moment the transaction's own are, so that a batch could mix them.
        const outside = yield* Effect.fork(
          Effect.zipRight(
            Deferred.await(go),
            Effect.all([hold(log, "tx_outside_1"), hold(log, "tx_outside_2")], { concurrency: "unbounded" })
          )
        )
        const rolledBack = yield* Effect.exit(
          shared.withTransaction(
            Effect.gen(function*() {
              yield* Deferred.succeed(go, undefined)
              const inner = yield* Effect.all([
                log.once("tx_inner_1", Effect.void),
                log.once("tx_inner_2", Effect.void)
              ], { concurrency: "unbounded" })
              expect(tags(inner)).toEqual(["Handled", "Handled"])
              return yield* Effect.fail("roll back" as const)
            })
          )
        )
        expect(Exit.isFailure(rolledBack)).toBe(true)
        yield* Fiber.join(outside)
        const states = yield* Effect.forEach(
          ["tx_inner_1", "tx_inner_2", "tx_outside_1", "tx_outside_2"],
          (id) => stateOf(id)
        )
        expect(states).toEqual([undefined, undefined, "claimed", "claimed"])
      })
  )

  it.live(
    "two receivers running the same 100 events at once, one in order and one in reverse, 30 times: no deadlock, no failure",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const [one, two] = yield* pools(2, 2)
        const [a, b] = [yield* logOn(one!), yield* logOn(two!)]
        for (let round = 0; round < 30; round++) {
          const keys = Array.from({ length: 100 }, (_, i) => `order_${round}_${String(i).padStart(3, "0")}`)
          const failures = yield* Effect.all(
            [
              ...keys.map((key) => Effect.either(a.once(key, Effect.void))),
              ...[...keys].reverse().map((key) => Effect.either(b.once(key, Effect.void)))
            ],
            { concurrency: "unbounded" }
          ).pipe(Effect.map((results) => results.flatMap((r) => r._tag === "Left" ? [reason(r.left)] : [])))
          expect(failures).toEqual([])
        }
      })),
    30_000
  )

  it.live("claim/complete: a new event 2 (claim, complete), a duplicate 1; transactional: 4 and the handler's, 3", () =>
    Effect.scoped(Effect.gen(function*() {
      const counter = yield* countingClient
      const log = yield* logOn(counter.sql, { pruneEvery: false })
      const [handled, handledTrips] = yield* measure(counter, log.once("rt_1", Effect.void))
      const [duplicate, duplicateTrips] = yield* measure(counter, log.once("rt_1", Effect.void))
      expect({ handled: handled._tag, handledTrips, duplicate: duplicate._tag, duplicateTrips }).toEqual({
        handled: "Handled",
        handledTrips: 2,
        duplicate: "Duplicate",
        duplicateTrips: 1
      })
      const tx = yield* transactionalOn(counter.sql)
      const [ran, ranTrips] = yield* measure(counter, tx.once("rt_2", insertHandledOn(counter.sql, "rt_2")))
      const [done, doneTrips] = yield* measure(counter, tx.once("rt_2", insertHandledOn(counter.sql, "rt_2")))
      // Another holder: a transaction of the shared pool holds rt_3 while we try it.
      const holder = yield* transactionalOn(shared)
      const holding = yield* Deferred.make<void>()
      const letGo = yield* Deferred.make<void>()
      const held = yield* Effect.fork(
        holder.once("rt_3", Effect.zipRight(Deferred.succeed(holding, undefined), Deferred.await(letGo)))
      )
      yield* Deferred.await(holding)
      const [busy, busyTrips] = yield* measure(counter, tx.once("rt_3", Effect.void))
      yield* Deferred.succeed(letGo, undefined)
      expect((yield* Fiber.join(held))._tag).toBe("Handled")
      expect({ ran: ran._tag, ranTrips, done: done._tag, doneTrips, busy: busy._tag, busyTrips }).toEqual({
        ran: "Handled",
        ranTrips: 5, // BEGIN, lock and read, the handler's insert, record, COMMIT
        done: "Duplicate",
        doneTrips: 3, // BEGIN, lock and read, COMMIT
        busy: "InFlight",
        busyTrips: 3 // BEGIN, lock and read, ROLLBACK
      })
    })))
})
