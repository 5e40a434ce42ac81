import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { deliveryLogLaws } from "./deliveryLogLaws.js"
import { createDatabase, sqlClient } from "./postgres.js"

let database: Awaited<ReturnType<typeof createDatabase>>
let runtime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown>
let shared: SqlClient.SqlClient
let tables = 0

beforeAll(async () => {
  database = await createDatabase("log")
  runtime = ManagedRuntime.make(sqlClient(database.url))
  shared = await runtime.runPromise(SqlClient.SqlClient)
  await runtime.runPromise(DeliveryLogSql.migration({ table: "laws" }))
})

afterAll(async () => {
  await runtime?.dispose()
  await database?.drop()
})

/** The file's one pool, and a table of each caller's own. */
const onShared = () => Layer.succeed(SqlClient.SqlClient, shared)
const freshTable = () => `deliveries_${++tables}`

describe("DeliveryLogSql over PostgreSQL", () => {
  // One table, emptied before each case (a table per case costs its DDL 110 times).
  deliveryLogLaws((options) =>
    DeliveryLogSql.layer({ ...options, table: "laws", createTable: false, pruneEvery: false }).pipe(
      Layer.provide(Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`TRUNCATE laws`))),
      Layer.provide(onShared())
    )
  )
})
