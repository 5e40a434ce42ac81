/**
 * The receivers on PostgreSQL with `DeliveryLogSql.layer({ transactional: true })`: the handler runs inside the
 * transaction that records the event, and gets that transaction simply by using `SqlClient.SqlClient`. In this
 * process for each form of the receiver (a failing handler's writes roll back; a success's row and record are one
 * transaction's), and across receiver processes killed with SIGKILL (receiverChild.ts) mid-handler and after the
 * commit; and the claim/complete mode's cost of the same kill, for contrast.
 */
import { WebhookReceiver } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { buildChild, type Child, cleanUp, startChild } from "./childProcesses.js"
import { createDatabase, sqlClient } from "./postgres.js"
import type { ReceiverCommand } from "./receiverChild.js"
import { body, listen, send, signed } from "./receiverSupport.js"

const key = "whsec_receiver_pg_test"
const secret = Redacted.make(key)

let bundle: string
let database: Awaited<ReturnType<typeof createDatabase>>
let runtime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown>

beforeAll(async () => {
  ;[bundle, database] = await Promise.all([buildChild("receiverChild.ts"), createDatabase("recv")])
  runtime = ManagedRuntime.make(sqlClient(database.url, { maxConnections: 4 }))
  await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all([
      DeliveryLogSql.migration(),
      sql`CREATE TABLE handled (id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, pid INT NOT NULL)`
    ])))
}, 60_000)

afterAll(async () => {
  cleanUp()
  await runtime?.dispose()
  await database?.drop()
})

const query = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.promise(() => runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f)))

/** The handler's rows for an event (in insertion order) and the log's row, if any. */
const stateOf = (eventId: string) =>
  query((sql) =>
    Effect.all({
      handled: Effect.map(
        sql<{ pid: number }>`SELECT pid FROM handled WHERE event_id = ${eventId} ORDER BY id`,
        (rows) => rows.map((row) => row.pid)
      ),
      log: Effect.map(
        sql<{ state: string }>`SELECT state FROM heygen_webhook_deliveries WHERE event_id = ${eventId}`,
        (rows) => rows[0]?.state
      )
    })
  )

/** Whether the handler's row and the log's record were written by one transaction: PostgreSQL's xmin of each. */
const oneTransaction = (eventId: string) =>
  query((sql) =>
    Effect.map(
      sql<{ same: boolean }>`SELECT h.xmin::text = d.xmin::text AS same
        FROM handled h JOIN heygen_webhook_deliveries d ON d.event_id = h.event_id WHERE h.event_id = ${eventId}`,
      (rows) => rows.map((row) => row.same)
    )
  )

const now = () => Math.floor(Date.now() / 1000)
const deliver = (url: string, eventId: string) => {
  const raw = body(`v_${eventId}`)
  return send(url, raw, signed(raw, eventId, secret, now()))
}

// ---------------------------------------------------------------------------------------------------------------
// In this process: each form of the receiver, on a runtime that holds the transactional log and its pool.

const forms = ["make", "make on an HttpRouter", "makeHandler"] as const
type Form = (typeof forms)[number]

type PgHandler = (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, unknown, SqlClient.SqlClient>

/** The log in transactional mode, and the SqlClient beside it for the handler: one pool. */
const TransactionalLog = () =>
  DeliveryLogSql.layer({ transactional: true, createTable: false, pruneEvery: false }).pipe(
    Layer.provideMerge(sqlClient(database.url, { maxConnections: 4 }))
  )

/** Serves the receiver of `form` on 127.0.0.1 for the scope; its URL. */
const serve = (
  form: Form,
  handler: PgHandler,
  logger: Layer.Layer<never> = Layer.empty
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const services = yield* Layer.build(TransactionalLog())
    const options = { secrets: secret }
    if (form === "makeHandler") {
      const listener = yield* WebhookReceiver.makeHandler(handler, options).pipe(
        Effect.provide(services),
        Effect.provide(logger)
      )
      return `http://127.0.0.1:${yield* listen(listener)}/hooks`
    }
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const receiver = WebhookReceiver.make(handler, options)
    yield* HttpServer.serveEffect()(
      form === "make" ? receiver : HttpRouter.empty.pipe(HttpRouter.all("/hooks", receiver))
    ).pipe(Effect.provideService(HttpServer.HttpServer, server), Effect.provide(services), Effect.provide(logger))
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

for (const form of forms) {
  describe(`WebhookReceiver.${form} with DeliveryLogSql.layer({ transactional: true }) on PostgreSQL`, () => {
    it.live(
      "a handler that inserts into its own table and then fails leaves no row and no record (500); the redelivery runs it again, and its row and the record commit in one transaction",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const eventId = `evt_tx_${form.replace(/\W/g, "_")}`
          let runs = 0
          const handler: PgHandler = (delivery) =>
            Effect.gen(function*() {
              // The ambient SqlClient: inside the receiver's transaction, with nothing passed in.
              const sql = yield* SqlClient.SqlClient
              yield* sql`INSERT INTO handled (event_id, pid) VALUES (${delivery.eventId}, ${process.pid})`
              runs++
              if (runs === 1) return yield* Effect.fail("the first run fails after its insert")
            })
          const url = yield* serve(form, handler)
          expect((yield* deliver(url, eventId)).status).toBe(500)
          expect(yield* stateOf(eventId)).toEqual({ handled: [], log: undefined })
          expect((yield* deliver(url, eventId)).status).toBe(200)
          expect(runs).toBe(2)
          expect(yield* stateOf(eventId)).toEqual({ handled: [process.pid], log: "done" })
          expect(yield* oneTransaction(eventId)).toEqual([true])
          // Done: a further redelivery is 200 without running.
          expect((yield* deliver(url, eventId)).status).toBe(200)
          expect(runs).toBe(2)
          expect((yield* stateOf(eventId)).handled).toHaveLength(1)
        })),
      30_000
    )

    it.live("a handler whose insert fails is logged with PostgreSQL's own reason, from the error's cause chain", () =>
      Effect.scoped(Effect.gen(function*() {
        const lines: Array<string> = []
        const logger = Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ message }) => lines.push((Array.isArray(message) ? message : [message]).join(" ")))
        )
        const handler: PgHandler = (delivery) =>
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) => sql`INSERT INTO videos_ready (video_id) VALUES (${delivery.eventId})`
          )
        const url = yield* serve(form, handler, logger)
        expect((yield* deliver(url, `evt_missing_${form.replace(/\W/g, "_")}`)).status).toBe(500)
        const failed = lines.filter((line) => line.startsWith("webhook handler failed"))
        expect(failed).toHaveLength(1)
        expect(failed[0]).toContain("relation \"videos_ready\" does not exist")
      })))
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Receiver processes (receiverChild.ts), each with its own pool, killed with SIGKILL.

const startReceiver = async (command: Partial<ReceiverCommand> & Pick<ReceiverCommand, "transactional">) => {
  const child: Child = startChild<ReceiverCommand>(bundle, { url: database.url, port: 0, secret: key, ...command })
  const line = await child.line((l) => l.startsWith("listening ") || l.startsWith("error "))
  if (line.startsWith("error ")) throw new Error(`the receiver did not start: ${line}`)
  return { child, url: `http://127.0.0.1:${line.slice("listening ".length)}/hooks` }
}

/** A delivery whose answer never comes (the receiver is killed meanwhile): sent, and its failure ignored. */
const sendAndForget = (url: string, eventId: string) => {
  const raw = body(`v_${eventId}`)
  const request = Http.request(url, { method: "POST", headers: { ...signed(raw, eventId, secret, now()) } })
  request.on("error", () => {})
  request.end(raw)
}

/** Resolves once PostgreSQL has seen the killed process's connections close (its transactions rolled back). */
const serverNoticedDeath = (pid: number) =>
  Effect.promise(() =>
    runtime.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`receiver-${pid}`}`
          .pipe(
            Effect.map((rows) => Number(rows[0]?.n)),
            Effect.repeat({
              until: (n) =>
                n === 0,
              schedule: Schedule.spaced("10 millis")
            }),
            Effect.timeout("10 seconds")
          ))
    )
  )

const kill = (child: Child) =>
  Effect.promise(() => {
    child.process.kill("SIGKILL")
    return child.exited
  })

describe("receiver processes on PostgreSQL, transactional mode, under SIGKILL", () => {
  it.live(
    "killed mid-handler after its own insert: neither its row nor the record stays, and the redelivery to another process is handled at once (200 at the first try)",
    () =>
      Effect.gen(function*() {
        const eventId = "evt_kill_mid"
        const [doomed, other] = yield* Effect.promise(() =>
          Promise.all([
            startReceiver({ transactional: true, hangAfterInsert: eventId }),
            startReceiver({ transactional: true })
          ])
        )
        sendAndForget(doomed.url, eventId)
        yield* Effect.promise(() => doomed.child.line((l) => l === `inside ${eventId}`))
        // Inside the transaction: its insert is not visible from outside, nor is any record.
        expect(yield* stateOf(eventId)).toEqual({ handled: [], log: undefined })
        yield* kill(doomed.child)
        yield* serverNoticedDeath(doomed.child.process.pid!)
        expect(yield* stateOf(eventId)).toEqual({ handled: [], log: undefined })
        // No claim timeout to wait out: the transaction and its locks went with the connection.
        expect((yield* deliver(other.url, eventId)).status).toBe(200)
        expect(yield* stateOf(eventId)).toEqual({ handled: [other.child.process.pid], log: "done" })
      }),
    30_000
  )

  it.live(
    "killed after the commit: its row and the record both stay, and the redelivery to another process is 200 without running the handler",
    () =>
      Effect.gen(function*() {
        const eventId = "evt_kill_after"
        const [doomed, other] = yield* Effect.promise(() =>
          Promise.all([startReceiver({ transactional: true }), startReceiver({ transactional: true })])
        )
        expect((yield* deliver(doomed.url, eventId)).status).toBe(200)
        yield* kill(doomed.child)
        expect(yield* stateOf(eventId)).toEqual({ handled: [doomed.child.process.pid], log: "done" })
        expect((yield* deliver(other.url, eventId)).status).toBe(200)
        expect(yield* stateOf(eventId)).toEqual({ handled: [doomed.child.process.pid], log: "done" })
      }),
    30_000
  )
})

describe("receiver processes on PostgreSQL, claim/complete mode, under SIGKILL (the contrast)", () => {
  it.live(
    "killed mid-handler after its own insert: the row stays, the claim holds the event (409) until claimTimeout lapses, then the redelivery runs the handler again",
    () =>
      Effect.gen(function*() {
        const eventId = "evt_claim_kill_mid"
        const claimTimeoutMs = 1_500
        const [doomed, other] = yield* Effect.promise(() =>
          Promise.all([
            startReceiver({ transactional: false, claimTimeoutMs, hangAfterInsert: eventId }),
            startReceiver({ transactional: false, claimTimeoutMs })
          ])
        )
        // The claim is taken after this instant, so it cannot lapse before claimTimeoutMs from it.
        const sentAt = Date.now()
        sendAndForget(doomed.url, eventId)
        yield* Effect.promise(() => doomed.child.line((l) => l === `inside ${eventId}`))
        yield* kill(doomed.child)
        expect(yield* stateOf(eventId)).toEqual({ handled: [doomed.child.process.pid], log: "claimed" })
        expect((yield* deliver(other.url, eventId)).status).toBe(409)
        // Redelivered until it is taken: not before the claim lapsed.
        const status = yield* deliver(other.url, eventId).pipe(
          Effect.map((reply) => reply.status),
          Effect.delay("100 millis"),
          Effect.repeat({ until: (s) => s !== 409 })
        )
        expect(status).toBe(200)
        expect(Date.now() - sentAt).toBeGreaterThanOrEqual(claimTimeoutMs)
        // At least once: the killed run's insert and the rerun's.
        expect(yield* stateOf(eventId)).toEqual({
          handled: [doomed.child.process.pid, other.child.process.pid],
          log: "done"
        })
      }),
    30_000
  )
})
