import { HeyGenClient, HeyGenError, WebhookEndpoints } from "@effect-heygen/core"
import { Arbitraries, FakeHeyGen } from "@effect-heygen/test-utils"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"

// Your service: registers a webhook for a tenant and returns what you must keep (the secret is shown only once).
const registerWebhook = (url: string) =>
  Effect.map(WebhookEndpoints.create({ url, events: ["avatar_video.success"] }), ({ endpoint }) => ({
    endpointId: endpoint.endpoint_id,
    secret: endpoint.secret
  }))

it.effect.prop(
  "registerWebhook keeps the secret HeyGen stored, or fails typed, whatever goes wrong on the way",
  [Arbitraries.createRequest, Arbitraries.faultPlan({ maxLength: 3 })],
  ([{ url }, faults]) =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults })
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const fiber = yield* Effect.fork(Effect.either(Effect.provide(registerWebhook(url), client)))
      yield* TestClock.adjust("10 minutes") // runs every retry wait and slow response, in virtual time
      const outcome = yield* Fiber.join(fiber)

      const stored = yield* fake.endpoints()
      expect(stored.filter((e) => e.url === url).length).toBeLessThanOrEqual(1)
      if (outcome._tag === "Right") {
        const secret = outcome.right.secret === null ? null : Redacted.value(outcome.right.secret)
        expect(stored).toContainEqual(expect.objectContaining({ endpoint_id: outcome.right.endpointId, secret }))
      } else {
        expect(HeyGenError.isHeyGenError(outcome.left)).toBe(true)
      }
    }),
  { fastCheck: { numRuns: 50 } }
)
