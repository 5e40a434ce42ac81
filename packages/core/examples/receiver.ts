import { DeliveryLog, WebhookDelivery, WebhookReceiver } from "@effect-heygen/core"
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { createServer } from "node:http"

// Runs once per event, however often HeyGen redelivers it. A failure answers 500, so HeyGen delivers it again.
export const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
  WebhookDelivery.match(delivery.event, {
    AvatarVideoSuccess: ({ data }) => Effect.log(`video ${data.video_id} is ready: ${data.url}`),
    AvatarVideoFail: ({ data }) => Effect.logWarning(`video ${data.video_id} failed: ${data.msg}`),
    Other: ({ eventType }) => Effect.log(`not handled: ${eventType}`)
  })

// The endpoint's signing secret exactly as Create returned it (during a rotation: [newSecret, oldSecret]).
export const Receiver = Layer.unwrapEffect(Effect.gen(function*() {
  const secret = yield* Config.redacted("HEYGEN_WEBHOOK_SECRET")
  return HttpRouter.empty.pipe(
    HttpRouter.post("/hooks/heygen", WebhookReceiver.make(handle, { secrets: secret })),
    HttpServer.serve()
  )
})).pipe(
  // One process: remember handled events in memory. Several, or restarts: DeliveryLogSql.layer() on your database.
  Layer.provide(DeliveryLog.layerMemory())
)

export const ReceiverLive = Receiver.pipe(Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 })))

// NodeRuntime.runMain(Layer.launch(ReceiverLive))
