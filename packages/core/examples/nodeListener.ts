import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
import { Config, Effect } from "effect"
import type { Server } from "node:http"
import { createServer } from "node:http"
import { handle } from "./receiver.js"

// The same receiver as a plain Node listener: for node:http, or Express (`app.post("/hooks/heygen", onRequest)`
// with no body parser on that route, since the signature covers the raw bytes). Same answers, same guarantees.
export const listener = Effect.gen(function*() {
  const secret = yield* Config.redacted("HEYGEN_WEBHOOK_SECRET")
  return yield* WebhookReceiver.makeHandler(handle, { secrets: secret })
}).pipe(Effect.provide(DeliveryLog.layerMemory()))

export const main = (port: number, host?: string): Effect.Effect<Server, unknown> =>
  Effect.map(listener, (onRequest) => createServer(onRequest).listen(port, host))

// Effect.runFork(main(3000))
