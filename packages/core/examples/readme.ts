import { createWebhookEndpoint, HeyGenClient } from "@effect-heygen/core"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

// Register an endpoint. Every retry reuses one Idempotency-Key, so a lost response never creates two.
export const program = Effect.gen(function*() {
  const { endpoint, idempotencyKey } = yield* createWebhookEndpoint({
    url: "https://example.com/hooks/heygen",
    events: ["avatar_video.success", "avatar_video.fail"]
  })
  yield* Effect.log(`created ${endpoint.endpoint_id} with key ${idempotencyKey}`)
  // HeyGen shows the signing secret only once: store it now (it is Redacted until you unwrap it).
  return endpoint.secret === null ? null : Redacted.value(endpoint.secret)
}).pipe(
  Effect.catchTag(
    "Conflict",
    (e) => Effect.logWarning(`already registered (request ${e.requestId})`).pipe(Effect.as(null))
  )
)

// HEYGEN_API_KEY, HEYGEN_API_BASE and HEYGEN_MAX_RETRIES from the environment; requests go through fetch.
export const HeyGenLive = HeyGenClient.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

// Effect.runPromise(program.pipe(Effect.provide(HeyGenLive)))
