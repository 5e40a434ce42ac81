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
    // Any other type (HeyGen documents payloads for 7 of 30), or a payload not of the documented shape
    // (`decodeIssue` says which fields): a signal to fetch the resource. It is never refused.
    orElse: (event) => Effect.log(`not handled: ${event.eventType} (${delivery.eventIdSource} ${delivery.eventId})`)
  })

// The endpoint's signing secret exactly as Create returned it (during a rotation: [newSecret, oldSecret]).
export const Receiver = Layer.unwrapEffect(Effect.gen(function*() {
  const secret = yield* Config.redacted("HEYGEN_WEBHOOK_SECRET")
  return HttpRouter.empty.pipe(
    // `all`: HeyGen's reachability probes (GET, HEAD, OPTIONS) get their empty 200 from the receiver too.
    HttpRouter.all("/hooks/heygen", WebhookReceiver.make(handle, { secrets: secret })),
    HttpServer.serve()
  )
})).pipe(
  // One process: remember handled events in memory. Several, or restarts: DeliveryLogSql.layer() on your database.
  Layer.provide(DeliveryLog.layerMemory())
)

// 127.0.0.1: reachable from this machine only, as a developer's receiver should be; drop host to listen on every
// interface (in production, behind your load balancer).
export const ReceiverLive = Receiver.pipe(
  Layer.provide(NodeHttpServer.layer(createServer, { port: 3000, host: "127.0.0.1" }))
)

// NodeRuntime.runMain(Layer.launch(ReceiverLive))
