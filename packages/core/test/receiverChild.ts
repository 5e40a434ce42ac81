/**
 * One receiver process of the PostgreSQL receiver tests (ReceiverPg.test.ts, ScaleOut.test.ts): the README's
 * shape, `WebhookReceiver.makeHandler` on a node:http server, its `DeliveryLogSql` on PostgreSQL with a pool of its
 * own, in a runtime that lives as long as the server. Bundled and started by childProcesses.ts with one JSON
 * argument (`ReceiverCommand`).
 *
 * The handler inserts `(event_id, pid)` into the test's own table `handled` through the ambient
 * `SqlClient` (in transactional mode, the transaction that records the event), then, for the kill tests, may say
 * `inside <event id>` and hang, or wait a little (the scale-out test: a window for kills between handler and
 * record). Every answer carries `x-receiver-pid`, so the driver knows which process answered.
 *
 * It prints `listening <port>` once it serves, or `error <cause>`; it exits when its stdin closes (the test
 * process ended, in whatever way).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import * as DeliveryLogSql from "../src/DeliveryLogSql.js"
import type * as WebhookDelivery from "../src/WebhookDelivery.js"
import * as WebhookReceiver from "../src/WebhookReceiver.js"

export interface ReceiverCommand {
  /** The database of the log and of the handler's table. */
  readonly url: string
  /** The port to listen on (0: any free one; a restarted instance takes its old one again). */
  readonly port: number
  readonly secret: string
  /** The log's mode: `transact` (exactly once) or claim/complete. */
  readonly transactional: boolean
  /** claim/complete mode: the log's claimTimeout, in milliseconds. */
  readonly claimTimeoutMs?: number | undefined
  /** After inserting this event's row, say `inside <id>` and never finish (the kill tests). */
  readonly hangAfterInsert?: string | undefined
  /** After the insert, wait up to this many milliseconds (at random): a window for a kill before the record. */
  readonly delayMs?: number | undefined
  /** The pool's size. Default 16. */
  readonly maxConnections?: number | undefined
}

const command = JSON.parse(process.argv[2] ?? "{}") as ReceiverCommand

process.stdin.on("end", () => process.exit(0))
process.stdin.resume()

const say = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))

const handler = (delivery: WebhookDelivery.WebhookDelivery) =>
  Effect.gen(function*() {
    // In transactional mode this is the transaction's connection: the client looks there first.
    const sql = yield* SqlClient.SqlClient
    yield* sql`INSERT INTO handled (event_id, pid) VALUES (${delivery.eventId}, ${process.pid})`
    if (delivery.eventId === command.hangAfterInsert) {
      yield* say(`inside ${delivery.eventId}`)
      return yield* Effect.never
    }
    const delay = command.delayMs ?? 0
    if (delay > 0) yield* Effect.sleep(Math.floor(Math.random() * delay))
  })

const Database = PgClient.layer({
  url: Redacted.make(command.url),
  maxConnections: command.maxConnections ?? 16,
  // Named after this process, so that a test can see when the server has noticed its death.
  applicationName: `receiver-${process.pid}`
})

const Log = (command.transactional
  ? DeliveryLogSql.layer({ transactional: true, pruneEvery: false })
  : DeliveryLogSql.layer({ claimTimeout: command.claimTimeoutMs ?? 60_000, pruneEvery: false })).pipe(
    Layer.provideMerge(Database)
  )

const serve = Effect.gen(function*() {
  const listener = yield* WebhookReceiver.makeHandler(handler, { secrets: Redacted.make(command.secret) })
  const server = Http.createServer((request, response) => {
    response.setHeader("x-receiver-pid", String(process.pid))
    listener(request, response)
  })
  const port = yield* Effect.async<number, Error>((resume) => {
    server.once("error", (error) => resume(Effect.fail(error)))
    server.listen(command.port, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
  yield* say(`listening ${port}`)
  // The services (the log, its pool) live as long as this effect: for ever, until the process ends.
  return yield* Effect.never
})

Effect.runFork(
  serve.pipe(
    Effect.provide(Log),
    Effect.catchAllCause((cause) => say(`error ${JSON.stringify(String(cause))}`)),
    Effect.ensuring(Effect.sync(() => process.exit(1)))
  )
)
