import { DeliveryLog } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as String from "effect/String"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
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
})
