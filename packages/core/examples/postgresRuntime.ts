import { WebhookReceiver } from "@effect-heygen/core"
import { Config, Effect, ManagedRuntime } from "effect"
import { createServer } from "node:http"
import { DeliveryLogLive, recordVideo } from "./postgres.js"

// Outside Effect (Express, or node:http as here): a ManagedRuntime holds the log and its pool for as long as the
// server runs. (Built with Effect.provide instead, the pool would close as soon as the listener exists: every
// delivery would be answered 503.)
export const startReceiver = async (port: number) => {
  const runtime = ManagedRuntime.make(DeliveryLogLive)
  const listener = await runtime.runPromise(
    Effect.flatMap(
      Config.redacted("HEYGEN_WEBHOOK_SECRET"),
      (secret) => WebhookReceiver.makeHandler(recordVideo, { secrets: secret })
    )
  )
  // Express: app.post("/hooks/heygen", listener), with no body parser on that route.
  const server = createServer(listener).listen(port)
  // At shutdown: stop taking deliveries, let those in progress finish, then close the pool.
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => runtime.dispose())
  return { server, stop }
}
