/**
 * The READMEs' "Several receivers on PostgreSQL" examples (examples/postgres.ts, examples/postgresRuntime.ts), run
 * as written against the run's PostgreSQL: two receiver layers started at the same moment on a fresh database, the
 * handler's table written once per event whichever receiver gets it, the retention job, and the ManagedRuntime form
 * still answering after it was built (the pool outlives the listener) until it is stopped.
 */
import { WebhookSignature } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as net from "node:net"
import { FleetReceiver, retention } from "../examples/postgres.js"
import { startReceiver } from "../examples/postgresRuntime.js"
import { createDatabase, sqlClient } from "./postgres.js"
import { send } from "./receiverSupport.js"

const examples = ["../examples/postgres.ts", "../examples/postgresRuntime.ts"].map((p) =>
  fs.readFileSync(new URL(p, import.meta.url), "utf8")
)
const readmes = ["../../../README.md", "../README.md"].map((p) => fs.readFileSync(new URL(p, import.meta.url), "utf8"))

// The handler's table, created with the DDL the READMEs show beside the example, as a reader would.
const sqlBlocks = readmes.map((readme) => [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!))
const videosReadyDdl = sqlBlocks[0]!.find((block) => block.includes("videos_ready"))!

const secret = "whsec_readme_postgres"
let database: Awaited<ReturnType<typeof createDatabase>>

beforeAll(async () => {
  database = await createDatabase("readme")
  // The handler's own table: the user's migration, not the log's.
  await query((sql) =>
    Effect.zipRight(
      DeliveryLogSql.migration(),
      sql.unsafe(videosReadyDdl)
    )
  )
}, 60_000)

afterAll(async () => {
  await database?.drop()
})

const query = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown, SqlClient.SqlClient>) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, f).pipe(
      Effect.provide(sqlClient(database.url, { maxConnections: 1 })),
      Effect.scoped
    )
  )

const videosReady = (eventId: string) =>
  Effect.promise(() =>
    query((sql) => sql<{ video_id: string }>`SELECT video_id FROM videos_ready WHERE event_id = ${eventId}`)
  ).pipe(Effect.map((rows) => rows.map((row) => row.video_id)))

const deliver = (url: string, eventId: string, eventType = "avatar_video.success") => {
  const raw = JSON.stringify({
    event_type: eventType,
    event_data: { video_id: `v_${eventId}`, url: `https://cdn.example/${eventId}.mp4` }
  })
  const headers = {
    ...WebhookSignature.sign(raw, Redacted.make(secret), Math.floor(Date.now() / 1000)),
    "Heygen-Event-Id": eventId
  }
  return Effect.map(send(url, raw, headers), (reply) => reply.status)
}

/** The environment startReceiver reads (it is the README's, outside Effect), restored when the test's scope ends. */
const withEnv = (databaseUrl: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = {
        DATABASE_URL: process.env["DATABASE_URL"],
        HEYGEN_WEBHOOK_SECRET: process.env["HEYGEN_WEBHOOK_SECRET"]
      }
      process.env["DATABASE_URL"] = databaseUrl
      process.env["HEYGEN_WEBHOOK_SECRET"] = secret
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

const freePort = Effect.async<number>((resume) => {
  const probe = net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    probe.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

describe("README: several receivers on PostgreSQL", () => {
  it("is in both READMEs verbatim, with the DDL of the handler's table beside it", () => {
    for (const readme of readmes) {
      for (const example of examples) expect(readme).toContain("```ts\n" + example + "```")
    }
    expect(videosReadyDdl).toMatch(/CREATE TABLE IF NOT EXISTS videos_ready/)
    expect(sqlBlocks[1]).toContain(videosReadyDdl)
  })

  it.live(
    "startReceiver reports a database that refuses connections in one line, and frees what it built",
    () =>
      Effect.gen(function*() {
        const closed = yield* freePort
        yield* withEnv(`postgres://postgres@127.0.0.1:${closed}/nowhere`)
        const error = yield* Effect.flip(Effect.tryPromise(() => startReceiver(0, "127.0.0.1")))
        const message = error.cause instanceof Error ? error.cause.message : String(error.cause)
        expect(message).toMatch(/^the receiver did not start: /)
        expect(message).toContain("ECONNREFUSED")
        expect(message).not.toContain("\n")
        expect(message).not.toContain("FiberFailure")
      }).pipe(Effect.scoped),
    30_000
  )

  it.live(
    "two FleetReceiver processes' layers started at once on a fresh database: an event is written once whichever gets it, however often",
    () =>
      Effect.gen(function*() {
        const fresh = yield* Effect.promise(() => createDatabase("fleet"))
        yield* Effect.addFinalizer(() => Effect.promise(() => fresh.drop()))
        yield* Effect.promise(() =>
          Effect.runPromise(
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql.unsafe(videosReadyDdl)
            ).pipe(Effect.provide(sqlClient(fresh.url, { maxConnections: 1 })), Effect.scoped)
          )
        )
        const ports = [yield* freePort, yield* freePort]
        const config = (port: number) =>
          ConfigProvider.fromMap(
            new Map([["DATABASE_URL", fresh.url], ["HEYGEN_WEBHOOK_SECRET", secret], ["PORT", String(port)]])
          )
        // Both build their log (and create its table) at the same moment.
        yield* Effect.all(
          ports.map((port) => Layer.build(FleetReceiver.pipe(Layer.provide(Layer.setConfigProvider(config(port)))))),
          { concurrency: "unbounded" }
        )
        const [a, b] = ports.map((port) => `http://127.0.0.1:${port}/hooks/heygen`)
        expect(yield* deliver(a!, "evt_fleet")).toBe(200)
        expect(yield* deliver(b!, "evt_fleet")).toBe(200)
        expect(yield* deliver(a!, "evt_fleet")).toBe(200)
        // Not a video: handled (200), nothing written.
        expect(yield* deliver(b!, "evt_other", "video_translate.success")).toBe(200)
        const rows = yield* Effect.promise(() =>
          Effect.runPromise(
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              Effect.all([
                sql<{ event_id: string }>`SELECT event_id FROM videos_ready ORDER BY event_id`,
                sql<{ event_id: string; state: string }>`
                  SELECT event_id, state FROM heygen_webhook_deliveries ORDER BY event_id`
              ])).pipe(Effect.provide(sqlClient(fresh.url, { maxConnections: 1 })), Effect.scoped)
          )
        )
        expect(rows).toEqual([
          [{ event_id: "evt_fleet" }],
          [{ event_id: "evt_fleet", state: "done" }, { event_id: "evt_other", state: "done" }]
        ])
      }).pipe(Effect.scoped),
    30_000
  )

  it.live("the retention job removes what is older than 48 hours, and nothing newer", () =>
    Effect.gen(function*() {
      const now = Date.now()
      const hour = 3_600_000
      yield* Effect.promise(() =>
        query((sql) =>
          sql`INSERT INTO heygen_webhook_deliveries (event_id, state, expires_at, updated_at) VALUES
            ('evt_old', 'done', ${now - 49 * hour + 48 * hour}, ${now - 49 * hour}),
            ('evt_recent', 'done', ${now + 47 * hour}, ${now - hour})`
        )
      )
      const removed = yield* retention.pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DATABASE_URL", database.url]])))
      )
      expect(removed).toBe(1)
      const left = yield* Effect.promise(() =>
        query((sql) => sql<{ event_id: string }>`SELECT event_id FROM heygen_webhook_deliveries ORDER BY event_id`)
      )
      expect(left.map((row) => row.event_id)).toEqual(["evt_recent"])
    }))

  it.live(
    "startReceiver (a ManagedRuntime): deliveries are handled for as long as the server runs, once each; stop closes the server",
    () =>
      Effect.gen(function*() {
        yield* withEnv(database.url)
        const port = yield* freePort
        const { server, stop } = yield* Effect.promise(() => startReceiver(port))
        yield* Effect.async<void>((resume) => {
          if (server.listening) resume(Effect.void)
          else server.once("listening", () => resume(Effect.void))
        })
        const url = `http://127.0.0.1:${port}/hooks/heygen`
        expect(yield* deliver(url, "evt_runtime")).toBe(200)
        // Later, after the listener was built long ago: the pool is still open (no 503).
        yield* Effect.sleep("300 millis")
        expect(yield* deliver(url, "evt_runtime")).toBe(200)
        expect(yield* deliver(url, "evt_runtime_2")).toBe(200)
        expect(yield* videosReady("evt_runtime")).toEqual(["v_evt_runtime"])
        expect(yield* videosReady("evt_runtime_2")).toEqual(["v_evt_runtime_2"])
        yield* Effect.promise(() => stop())
        expect(server.listening).toBe(false)
      }).pipe(Effect.scoped),
    30_000
  )
})
