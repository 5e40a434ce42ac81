import { DeliveryLog } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as String from "effect/String"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import { deliveryLogLaws, hold, tag } from "./deliveryLogLaws.js"

const memoryDb = () => SqliteClient.layer({ filename: ":memory:" })

/** A fresh database file; every client opened on it is another "process" sharing the log. */
const tempDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "delivery-log-")), "log.db")

const logOver = (filename: string, options?: DeliveryLogSql.Options) =>
  DeliveryLogSql.layer(options).pipe(Layer.provide(SqliteClient.layer({ filename })))

describe("DeliveryLogSql over SQLite", () => {
  deliveryLogLaws((options) => DeliveryLogSql.layer(options).pipe(Layer.provide(memoryDb())))

  it.effect("a log rebuilt on the same database (a restarted receiver) remembers what succeeded and what is in flight", () =>
    Effect.gen(function*() {
      const file = tempDb()
      yield* Effect.gen(function*() {
        const log = yield* DeliveryLog.DeliveryLog
        expect(yield* tag(log, "evt_done")).toBe("Handled")
        // The process "dies" holding this claim: its run never ends, and nothing releases it.
        const started = yield* Deferred.make<void>()
        yield* Effect.forkDaemon(
          log.once("evt_inflight", Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
        )
        yield* Deferred.await(started)
      }).pipe(Effect.provide(logOver(file)))
      yield* Effect.gen(function*() {
        const log = yield* DeliveryLog.DeliveryLog
        expect(yield* tag(log, "evt_done")).toBe("Duplicate")
        expect(yield* tag(log, "evt_inflight")).toBe("InFlight")
        expect(yield* tag(log, "evt_new")).toBe("Handled")
      }).pipe(Effect.provide(logOver(file)))
    }))

  it.live("two clients on one database (two processes) share claims: of concurrent runs exactly one runs", () =>
    Effect.gen(function*() {
      const file = tempDb()
      // Create the table once first, as a deployment would before scaling out.
      yield* Effect.provide(Effect.void, logOver(file))
      let runs = 0
      const run = Effect.zipRight(Effect.sync(() => runs++), Effect.sleep("300 millis"))
      const claimIn = (n: number) =>
        Effect.flatMap(
          DeliveryLog.DeliveryLog,
          (log) =>
            Effect.all(Array.from({ length: n }, () => log.once("evt_shared", run)), { concurrency: "unbounded" })
        ).pipe(
          Effect.provide(logOver(file))
        )
      const [a, b] = yield* Effect.all([claimIn(5), claimIn(5)], { concurrency: "unbounded" })
      expect([...a, ...b].filter((c) => c._tag === "Handled")).toHaveLength(1)
      expect([...a, ...b].filter((c) => c._tag === "InFlight")).toHaveLength(9)
      expect(runs).toBe(1)
    }))

  it.effect("works with a client that renames result columns, a custom table, and a table that already exists", () =>
    Effect.gen(function*() {
      const file = tempDb()
      const camel = SqliteClient.layer({ filename: file, transformResultNames: String.snakeToCamel })
      const layer = DeliveryLogSql.layer({ table: "hooks_seen" }).pipe(Layer.provide(camel))
      const first = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => tag(log, "evt")).pipe(
        Effect.provide(layer)
      )
      const again = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => tag(log, "evt")).pipe(
        Effect.provide(layer)
      )
      expect([first, again]).toEqual(["Handled", "Duplicate"])
      const tables = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
      ).pipe(
        Effect.provide(SqliteClient.layer({ filename: file }))
      )
      expect(tables.map((t) => t.name)).toEqual(["hooks_seen"])
    }))

  it.effect("with createTable off and no table, a run fails with a typed DeliveryLogError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.once("evt", Effect.die("no"))).pipe(
        Effect.provide(DeliveryLogSql.layer({ createTable: false }).pipe(Layer.provide(memoryDb()))),
        Effect.flip
      )
      expect(error).toBeInstanceOf(DeliveryLog.DeliveryLogError)
      expect(error instanceof DeliveryLog.DeliveryLogError && error.operation).toBe("claim")
    }))

  it.effect("transactional: true is refused when the log is built, with a typed error naming the dialect", () =>
    Effect.gen(function*() {
      const error = yield* DeliveryLogSql.make({ transactional: true }).pipe(
        Effect.provide(memoryDb()),
        Effect.flip
      )
      expect(error._tag).toBe("TransactionalUnsupported")
      expect(error._tag === "TransactionalUnsupported" && error.dialect).toBe("sqlite")
      expect(error.message).toContain("needs PostgreSQL")
      // Nothing was created.
      const tables = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
      ).pipe(Effect.provide(memoryDb()))
      expect(tables).toEqual([])
    }))

  it.live("a lapsed claim is retaken by exactly one of 6 connections claiming at once", () =>
    Effect.gen(function*() {
      const file = tempDb()
      const now = Date.now()
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.zipRight(
          DeliveryLogSql.migration(),
          sql`INSERT INTO heygen_webhook_deliveries (event_id, state, claim_token, expires_at, updated_at)
              VALUES ('lapsed', 'claimed', 'dead', ${now - 1000}, ${now - 61_000})`
        )).pipe(Effect.provide(SqliteClient.layer({ filename: file })))
      const run = Effect.sleep("300 millis")
      const claimIn = Effect.flatMap(
        DeliveryLog.DeliveryLog,
        (log) => Effect.all([log.once("lapsed", run), log.once("lapsed", run)], { concurrency: "unbounded" })
      ).pipe(Effect.provide(logOver(file, { createTable: false, pruneEvery: false })))
      const claims = (yield* Effect.all(Array.from({ length: 6 }, () => claimIn), { concurrency: "unbounded" })).flat()
      expect(claims.filter((c) => c._tag === "Handled")).toHaveLength(1)
      expect(claims.filter((c) => c._tag === "InFlight")).toHaveLength(11)
    }))

  it.effect("prune removes what is done and the claims that lapsed long enough ago, and nothing else", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLogSql.make({ retention: "48 hours", claimTimeout: "1 minute" })
      expect(yield* tag(log, "evt_1")).toBe("Handled")
      yield* hold(log, "dead_claim")
      yield* TestClock.adjust("2 hours")
      yield* hold(log, "live_claim")
      expect(yield* DeliveryLogSql.prune({ olderThan: "3 hours" })).toBe(0)
      expect(yield* DeliveryLogSql.prune({ olderThan: "1 hour" })).toBe(2)
      expect(yield* tag(log, "live_claim")).toBe("InFlight")
      expect(yield* tag(log, "evt_1")).toBe("Handled")
    }).pipe(Effect.provide(memoryDb())))

  it.effect("the documented defaults, given no options: a claim holds 60 s, a handled event is kept 48 h", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLogSql.make()
      yield* hold(log, "evt_dead")
      expect(yield* tag(log, "evt_done")).toBe("Handled")
      yield* TestClock.adjust("59 seconds")
      expect(yield* tag(log, "evt_dead")).toBe("InFlight")
      yield* TestClock.adjust("2 seconds")
      expect(yield* tag(log, "evt_dead")).toBe("Handled")
      yield* TestClock.adjust("47 hours")
      yield* TestClock.adjust("58 minutes")
      expect(yield* tag(log, "evt_done")).toBe("Duplicate")
      yield* TestClock.adjust("2 minutes")
      expect(yield* tag(log, "evt_done")).toBe("Handled")
    }).pipe(Effect.provide(memoryDb())))

  it.effect("the layer prunes by default when built and then every hour, with the retention as olderThan", () =>
    Effect.gen(function*() {
      const count = Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ readonly n: number }>`SELECT count(*) AS n FROM heygen_webhook_deliveries`
      ).pipe(Effect.map((rows) => Number(rows[0]!.n)))
      yield* Effect.gen(function*() {
        const log = yield* DeliveryLog.DeliveryLog
        yield* tag(log, "evt_old")
        yield* TestClock.adjust("47 hours")
        yield* tag(log, "evt_new")
        expect(yield* count).toBe(2)
        // The prune at 48 hours removes the event done 48 hours ago, not the one done an hour ago.
        yield* TestClock.adjust("1 hour")
        expect(yield* Effect.repeat(count, { until: (n) => n === 1, times: 100 })).toBe(1)
      }).pipe(Effect.provide(DeliveryLogSql.layer()))
    }).pipe(Effect.provide(memoryDb())))

  it.effect("the migration runs as a step of @effect/sql's Migrator, for a log built with createTable: false", () =>
    Effect.gen(function*() {
      const ran = yield* Migrator.make({})({
        loader: Migrator.fromRecord({ "1_heygen_webhook_deliveries": DeliveryLogSql.migration() })
      })
      expect(ran).toEqual([[1, "heygen_webhook_deliveries"]])
      const log = yield* DeliveryLogSql.make({ createTable: false })
      expect(yield* tag(log, "evt")).toBe("Handled")
    }).pipe(Effect.provide(memoryDb())))

  it.effect("a database failure is a DeliveryLogError whose message and cause say why, with no password in them", () =>
    Effect.gen(function*() {
      // A table name that looks like a connection string: SQLite quotes it back in its error.
      const table = "postgres://receiver:hunter2@db.internal/x"
      const error = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.once("evt", Effect.void)).pipe(
        Effect.provide(DeliveryLogSql.layer({ table, createTable: false }).pipe(Layer.provide(memoryDb()))),
        Effect.flip
      )
      if (error._tag !== "DeliveryLogError") throw new Error(`expected a DeliveryLogError, got ${error._tag}`)
      expect(error.operation).toBe("claim")
      expect(error.message).toContain("no such table")
      expect(error.message).toContain("postgres://receiver:<redacted>@db.internal/x")
      for (const text of [error.message, `${error.cause}`, JSON.stringify(error), inspect(error, { depth: 5 })]) {
        expect(text).not.toContain("hunter2")
      }
    }))
})
