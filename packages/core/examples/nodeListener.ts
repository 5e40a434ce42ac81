import type { DeliveryLog } from "@effect-heygen/core"
import { WebhookReceiver } from "@effect-heygen/core"
import { Config, Effect, Layer } from "effect"
import { handle } from "./receiver.js"

// The same receiver on a plain node:http server that listens while the layer lives and closes with it. Give it
// its log as a layer: DeliveryLog.layerMemory() for one process, DeliveryLogSql.layer() over your database for
// several (see below). Provided to this layer, the log and its database client live exactly as long as the server.
export const ReceiverServer = <E>(log: Layer.Layer<DeliveryLog.DeliveryLog, E>, port = 3000, host?: string) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const secret = yield* Config.redacted("HEYGEN_WEBHOOK_SECRET")
    return WebhookReceiver.layerServer(handle, { secrets: secret, port, host, path: "/hooks/heygen" })
  })).pipe(Layer.provide(log))

// NodeRuntime.runMain(Layer.launch(ReceiverServer(DeliveryLog.layerMemory())))
// For Express: `app.all("/hooks/heygen", listener)` with no body parser on that route, the listener made by
// WebhookReceiver.makeHandler(handle, { secrets }) in a ManagedRuntime of the log's layer that lives as long as the app.
