import { HeyGenClient, HeyGenError, WebhookEndpoints } from "@effect-heygen/core"
import { FakeHeyGen, FakeServer, Fault } from "@effect-heygen/test-utils"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const post = (baseUrl: string, init: { readonly headers?: Record<string, string>; readonly body: string }) =>
  Effect.promise(() =>
    fetch(new URL(FakeHeyGen.createPath, baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json", ...init.headers },
      body: init.body
    })
  )

const client = Layer.unwrapEffect(
  Effect.map(
    FakeServer.FakeServer,
    ({ baseUrl }) =>
      HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, baseUrl, maxRetries: 0 }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
  )
)

describe("FakeServer", () => {
  layer(FakeServer.layer())((it) => {
    it.effect("listens on 127.0.0.1 and reports its base URL", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* FakeServer.FakeServer
        expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const response = yield* post(baseUrl, { body: "{}" })
        expect(response.status).toBe(401)
        expect(response.headers.get("x-request-id")).toMatch(/^req_/)
        expect(response.headers.get("content-type")).toContain("application/json")
      }))

    it.effect("creates an endpoint over a real socket and shows it in the model", () =>
      Effect.gen(function*() {
        const { baseUrl, fake } = yield* FakeServer.FakeServer
        const response = yield* post(baseUrl, {
          headers: { authorization: `Bearer ${FakeHeyGen.sandboxApiKey}`, "idempotency-key": "socket-1" },
          body: JSON.stringify({ url: "https://example.com/socket", events: ["avatar_video.success"] })
        })
        expect(response.status).toBe(200)
        const body = (yield* Effect.promise(() => response.json())) as { data: { endpoint_id: string } }
        const stored = yield* fake.endpoints()
        expect(stored.map((e) => e.endpoint_id)).toContain(body.data.endpoint_id)
        const requests = yield* fake.requests
        expect(requests.at(-1)?.headers["idempotency-key"]).toBe("socket-1")
      }))
  })

  layer(Layer.provideMerge(client, FakeServer.layer()))((it) => {
    it.effect("core's client over undici: success, then the lost response surfaces as TransportError", () =>
      Effect.gen(function*() {
        const { fake } = yield* FakeServer.FakeServer
        const ok = yield* WebhookEndpoints.create({ url: "https://example.com/undici" })
        expect(ok.endpoint.endpoint_id).toMatch(/^ep_/)
        expect(Redacted.value(ok.endpoint.secret!)).toMatch(/^whsec_/)

        yield* fake.enqueueFaults([Fault.Fault.DropAfterCommit()])
        const dropped = yield* Effect.flip(WebhookEndpoints.create({ url: "https://example.com/dropped" }))
        expect(dropped).toBeInstanceOf(HeyGenError.TransportError)
        // The create was committed before the connection dropped: a repeat with the key replays it.
        expect((yield* fake.endpoints()).map((e) => e.url)).toContain("https://example.com/dropped")
        const key = dropped._tag === "TransportError" ? dropped.idempotencyKey ?? "" : ""
        const replay = yield* WebhookEndpoints.create({ url: "https://example.com/dropped" }, { idempotencyKey: key })
        const stored = (yield* fake.endpoints()).filter((e) => e.url === "https://example.com/dropped")
        expect(stored).toHaveLength(1)
        expect(replay.endpoint.endpoint_id).toBe(stored[0]?.endpoint_id)

        yield* fake.enqueueFaults([Fault.Fault.TruncatedBody()])
        const cut = yield* Effect.flip(WebhookEndpoints.create({ url: "https://example.com/cut" }))
        expect(cut._tag).toBe("TransportError")

        yield* fake.enqueueFaults([Fault.Fault.ServerError({ status: 502, body: "html" })])
        const html = yield* Effect.flip(WebhookEndpoints.create({ url: "https://example.com/html" }))
        expect(html._tag).toBe("UnexpectedResponse")
      }))
  })
})
