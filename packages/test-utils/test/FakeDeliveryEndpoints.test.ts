// One event, several subscribed endpoints: each copy must be signed with its own endpoint's secret. The other
// delivery tests give one secret per receiver or accept every endpoint's secret at once, so a delivery engine that
// signed every copy with the first endpoint's secret passed them all. Here the copies are told apart by the route
// each endpoint is sent to, and each signature is recomputed with node:crypto (not with core's `sign`, so that the
// check does not share code with what it checks).
import { HeyGenClient, WebhookEndpoints } from "@effect-heygen/core"
import { FakeDelivery, FakeHeyGen } from "@effect-heygen/test-utils"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { createHmac } from "node:crypto"
import * as Http from "node:http"

const NOW = 1_700_000_000

interface Copy {
  /** The endpoint id, from the path the copy was routed to. */
  readonly endpointId: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** A node:http server on 127.0.0.1 that answers 200 to everything and keeps what it received. */
const recorder: Effect.Effect<{ readonly base: string; readonly copies: Array<Copy> }, never, Scope.Scope> = Effect
  .gen(function*() {
    const copies: Array<Copy> = []
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server>((resume) => {
        const server = Http.createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (chunk: Buffer) => chunks.push(chunk))
          req.on("end", () => {
            copies.push({
              endpointId: decodeURIComponent((req.url ?? "").replace(/^\/hooks\//, "")),
              headers: req.headers,
              body: Buffer.concat(chunks).toString("utf8")
            })
            res.writeHead(200, { "content-length": "0" }).end()
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("expected a TCP address")
    return { base: `http://127.0.0.1:${address.port}/hooks`, copies }
  })

const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex")

/**
 * Each endpoint got exactly one copy, signed with its own secret and with no other endpoint's. `secrets` maps
 * every endpoint id that should have received the event to its secret.
 */
const expectEachSignedWithItsOwnSecret = (copies: ReadonlyArray<Copy>, secrets: ReadonlyMap<string, string>) => {
  expect(copies.map((c) => c.endpointId).sort()).toEqual([...secrets.keys()].sort())
  for (const copy of copies) {
    const signature = copy.headers["heygen-signature"]
    const own = secrets.get(copy.endpointId)!
    expect(signature, `the copy for ${copy.endpointId}, with its own secret`).toBe(hmac(own, copy.body))
    for (const [other, otherSecret] of secrets) {
      if (other === copy.endpointId) continue
      expect(signature, `the copy for ${copy.endpointId}, not with ${other}'s secret`).not.toBe(
        hmac(otherSecret, copy.body)
      )
    }
  }
}

describe("a delivery to several endpoints signs each copy with its own endpoint's secret", () => {
  it.scoped("FakeDelivery.deliver", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const { base, copies } = yield* recorder
      const endpoints = ["ep_one", "ep_two", "ep_three"].map((id): FakeDelivery.Endpoint => ({
        endpoint_id: id,
        url: `https://example.com/hooks/${id}`,
        events: id === "ep_two" ? ["avatar_video.success"] : null,
        secret: Redacted.make(`whsec_${id}_secret`)
      }))
      const delivery = yield* FakeDelivery.deliver(endpoints, "avatar_video.success", { video_id: "v1" }, {
        route: (endpoint) => `${base}/${endpoint.endpoint_id}`
      })
      expect(delivery.endpoints.map((e) => e.outcome)).toEqual(["Delivered", "Delivered", "Delivered"])
      expectEachSignedWithItsOwnSecret(
        copies,
        new Map(endpoints.map((e) => [e.endpoint_id, Redacted.value(e.secret)]))
      )
      // One event: every copy carries the same bytes and the same event id.
      expect(new Set(copies.map((c) => c.body))).toEqual(new Set([delivery.body]))
      expect(new Set(copies.map((c) => c.headers["heygen-event-id"]))).toEqual(new Set([delivery.eventId]))
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("FakeDelivery.deliverEvent and FakeHeyGen.deliver, endpoints created and rotated through the fake's API", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const { base, copies } = yield* recorder
      const fake = yield* FakeHeyGen.make()
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: 0 }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const created = yield* Effect.forEach(
        ["a", "b", "c"],
        (host) =>
          Effect.map(
            WebhookEndpoints.create({ url: `https://${host}.example.com/hooks`, events: ["avatar_video.success"] }),
            ({ endpoint }) => {
              if (endpoint.secret === null) throw new Error("Create returned no secret")
              return [endpoint.endpoint_id, Redacted.value(endpoint.secret)] as const
            }
          )
      ).pipe(Effect.provide(client))
      const secrets = new Map(created)
      expect(new Set(secrets.values()).size).toBe(3)
      const route = (endpoint: FakeDelivery.Endpoint) => `${base}/${endpoint.endpoint_id}`

      yield* FakeDelivery.deliverEvent(fake, "avatar_video.success", { video_id: "v1" }, { route })
      expectEachSignedWithItsOwnSecret(copies.splice(0), secrets)

      // After one endpoint's rotation, its copies carry the new secret, and the others keep theirs.
      const [rotatedId] = created[1]!
      const rotated = yield* Effect.provide(WebhookEndpoints.rotateSecret(rotatedId), client)
      secrets.set(rotatedId, Redacted.value(rotated.secret))
      yield* fake.deliver("avatar_video.success", { video_id: "v2" }, { route })
      expectEachSignedWithItsOwnSecret(copies.splice(0), secrets)
      expect(secrets.get(rotatedId)).not.toBe(created[1]![1])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
