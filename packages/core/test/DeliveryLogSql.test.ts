import { DeliveryLog } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as String from "effect/String"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import { deliveryLogLaws } from "./deliveryLogLaws.js"

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
        const done = yield* log.claim("evt_done")
        if (done._tag === "Claimed") yield* log.complete("evt_done", done.token)
        yield* log.claim("evt_inflight") // the process "dies" holding this claim
      }).pipe(Effect.provide(logOver(file)))
      yield* Effect.gen(function*() {
        const log = yield* DeliveryLog.DeliveryLog
        expect((yield* log.claim("evt_done"))._tag).toBe("Done")
        expect((yield* log.claim("evt_inflight"))._tag).toBe("InFlight")
        expect((yield* log.claim("evt_new"))._tag).toBe("Claimed")
      }).pipe(Effect.provide(logOver(file)))
    }))

  it.effect("two clients on one database (two processes) share claims: of concurrent claims exactly one wins", () =>
    Effect.gen(function*() {
      const file = tempDb()
      // Create the table once first, as a deployment would before scaling out.
      yield* Effect.provide(Effect.void, logOver(file))
      const claimIn = (n: number) =>
        Effect.flatMap(
          DeliveryLog.DeliveryLog,
          (log) => Effect.all(Array.from({ length: n }, () => log.claim("evt_shared")), { concurrency: "unbounded" })
        ).pipe(
          Effect.provide(logOver(file))
        )
      const [a, b] = yield* Effect.all([claimIn(5), claimIn(5)], { concurrency: "unbounded" })
      expect([...a, ...b].filter((c) => c._tag === "Claimed")).toHaveLength(1)
    }))

  it.effect("works with a client that renames result columns, a custom table, and a table that already exists", () =>
    Effect.gen(function*() {
      const file = tempDb()
      const camel = SqliteClient.layer({ filename: file, transformResultNames: String.snakeToCamel })
      const layer = DeliveryLogSql.layer({ table: "hooks_seen" }).pipe(Layer.provide(camel))
      const first = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
        Effect.provide(layer)
      )
      const again = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
        Effect.provide(layer)
      )
      expect([first._tag, again._tag]).toEqual(["Claimed", "InFlight"])
      const tables = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
      ).pipe(
        Effect.provide(SqliteClient.layer({ filename: file }))
      )
      expect(tables.map((t) => t.name)).toEqual(["hooks_seen"])
    }))

  it.effect("with createTable off and no table, a claim fails with a typed DeliveryLogError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
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
      const claimIn = Effect.flatMap(
        DeliveryLog.DeliveryLog,
        (log) => Effect.all([log.claim("lapsed"), log.claim("lapsed")], { concurrency: "unbounded" })
      ).pipe(Effect.provide(logOver(file, { createTable: false, pruneEvery: false })))
      const claims = (yield* Effect.all(Array.from({ length: 6 }, () => claimIn), { concurrency: "unbounded" })).flat()
      expect(claims.filter((c) => c._tag === "Claimed")).toHaveLength(1)
      expect(claims.filter((c) => c._tag === "InFlight")).toHaveLength(11)
    }))

  it.effect("complete records every key of the event in one statement; prune removes only what is old enough", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLogSql.make({ retention: "48 hours", claimTimeout: "1 minute" })
      const claim = yield* log.claim("evt_1")
      if (claim._tag !== "Claimed") throw new Error(claim._tag)
      yield* log.complete("evt_1", claim.token, ["digest_1", "evt_1"])
      yield* log.claim("dead_claim")
      yield* TestClock.adjust("2 hours")
      yield* log.claim("live_claim")
      expect((yield* log.claim("digest_1"))._tag).toBe("Done")
      expect(yield* DeliveryLogSql.prune({ olderThan: "3 hours" })).toBe(0)
      expect(yield* DeliveryLogSql.prune({ olderThan: "1 hour" })).toBe(3)
      expect((yield* log.claim("live_claim"))._tag).toBe("InFlight")
      expect((yield* log.claim("evt_1"))._tag).toBe("Claimed")
    }).pipe(Effect.provide(memoryDb())))

  it.effect("the migration runs as a step of @effect/sql's Migrator, for a log built with createTable: false", () =>
    Effect.gen(function*() {
      const ran = yield* Migrator.make({})({
        loader: Migrator.fromRecord({ "1_heygen_webhook_deliveries": DeliveryLogSql.migration() })
      })
      expect(ran).toEqual([[1, "heygen_webhook_deliveries"]])
      const log = yield* DeliveryLogSql.make({ createTable: false })
      expect((yield* log.claim("evt"))._tag).toBe("Claimed")
    }).pipe(Effect.provide(memoryDb())))

  it.effect("a database failure is a DeliveryLogError whose message and cause say why, with no password in them", () =>
    Effect.gen(function*() {
      // A table name that looks like a connection string: SQLite quotes it back in its error.
      const table = "postgres://receiver:hunter2@db.internal/x"
      const error = yield* Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
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
