import { WebhookReceiver } from "@effect-heygen/core"
import { Cause, Config, Effect, Exit, ManagedRuntime } from "effect"
import { createServer } from "node:http"
import { DeliveryLogLive, recordVideo } from "./postgres.js"

// Outside Effect (Express, or node:http as here): a ManagedRuntime holds the log and its pool for as long as the
// server runs. (Built with Effect.provide instead, the pool would close as soon as the listener exists: every
// delivery would be answered 503.) Without a host it listens on every interface, as a fleet behind a load
// balancer does; on your own machine pass "127.0.0.1".
export const startReceiver = async (port: number, host?: string) => {
  const runtime = ManagedRuntime.make(DeliveryLogLive)
  const built = await runtime.runPromiseExit(
    Effect.flatMap(
      Config.redacted("HEYGEN_WEBHOOK_SECRET"),
      (secret) => WebhookReceiver.makeHandler(recordVideo, { secrets: secret })
    )
  )
  if (Exit.isFailure(built)) {
    // A database that refuses, a missing or unusable secret: one line that says why, not a fiber dump.
    await runtime.dispose()
    throw new Error(`the receiver did not start: ${reasonOf(Cause.squash(built.cause))}`)
  }
  // Express: app.all("/hooks/heygen", listener), with no body parser on that route (all, not post: see above).
  const server = createServer(built.value).listen(port, host)
  // At shutdown: stop taking deliveries, let those in progress finish, then close the pool.
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => runtime.dispose())
  return { server, stop }
}

// An error and the errors that caused it (a driver's SqlError wraps the server's reason), on one line.
const reasonOf = (error: unknown): string =>
  error instanceof Error
    ? error.cause === undefined ? error.message : `${error.message}: ${reasonOf(error.cause)}`
    : String(error)
