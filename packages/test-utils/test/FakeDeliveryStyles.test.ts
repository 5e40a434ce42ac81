/**
 * The wire form of the fake's deliveries in each header style, read off a bare node:http server (no verifier of
 * ours in the way) and checked with node:crypto: the headers sent, exactly; the body's fields; the signature.
 */
import { HeyGenClient, WebhookEndpoints } from "@effect-heygen/core"
import { FakeDelivery, FakeHeyGen } from "@effect-heygen/test-utils"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as NodeCrypto from "node:crypto"
import * as Http from "node:http"

const NOW = 1_700_000_000

interface Received {
  /** Lower-cased names, as sent (a name sent twice appears twice). */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
}

/** A server on 127.0.0.1 that answers 200 to everything and keeps each request as it came. */
const capture: Effect.Effect<{ readonly url: string; readonly received: Array<Received> }, never, Scope.Scope> = Effect
  .acquireRelease(
    Effect.promise(async () => {
      const received: Array<Received> = []
      const server = Http.createServer((request, response) => {
        const parts: Array<Buffer> = []
        request.on("data", (part: Buffer) => parts.push(part))
        request.on("end", () => {
          const headers: Array<readonly [string, string]> = []
          for (let i = 0; i < request.rawHeaders.length; i += 2) {
            headers.push([request.rawHeaders[i]!.toLowerCase(), request.rawHeaders[i + 1]!])
          }
          received.push({ headers, body: Buffer.concat(parts) })
          response.writeHead(200, { "content-length": "0" }).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const address = server.address()
      if (address === null || typeof address === "string") throw new Error("expected a TCP address")
      return { server, url: `http://127.0.0.1:${address.port}/hooks`, received }
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  )

/** What HTTP itself adds (not the delivery's own headers). */
const transport = new Set(["host", "content-length", "connection", "transfer-encoding", "user-agent", "accept"])
const own = (r: Received) => r.headers.filter(([name]) => !transport.has(name))
const hmac = (key: string, body: Buffer) => NodeCrypto.createHmac("sha256", key).update(body).digest("hex")

const key = "whsec_styles_test_key"
const endpoint = { endpoint_id: "ep_s", url: "https://example.com/h", events: null, secret: Redacted.make(key) }
const data = { video_id: "v1", url: "https://cdn/v1.mp4" }

describe("FakeDelivery header styles, on the wire", () => {
  it.scoped("legacy: a plain signature header only (hex HMAC-SHA256 of the raw body); id and time in the body", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const server = yield* capture
      const delivery = yield* FakeDelivery.deliver([endpoint], "avatar_video.success", data, {
        route: server.url,
        eventId: "evt_legacy",
        headerStyle: "legacy"
      })
      expect(delivery.headerStyle).toBe("legacy")
      expect(server.received).toHaveLength(1)
      const [got] = server.received
      expect(own(got!).map(([name]) => name).sort()).toEqual(["content-type", "signature"])
      const signature = own(got!).find(([name]) => name === "signature")![1]
      expect(signature).toBe(hmac(key, got!.body))
      expect(got!.body.toString("utf8")).toBe(delivery.body)
      expect(JSON.parse(delivery.body)).toEqual({
        event_id: "evt_legacy",
        event_type: "avatar_video.success",
        created_at: new Date(NOW * 1000).toISOString(),
        event_data: data
      })
    }).pipe(Effect.provide(NodeHttpClient.layer)))

  it.scoped("documented (the default): Heygen-Signature, Heygen-Timestamp and Heygen-Event-Id; the same body fields", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const server = yield* capture
      const delivery = yield* FakeDelivery.deliver([endpoint], "avatar_video.fail", { video_id: "v", msg: "m" }, {
        route: server.url,
        eventId: "evt_documented",
        createdAt: "2026-01-02T03:04:05Z"
      })
      expect(delivery.headerStyle).toBe("documented")
      const [got] = server.received
      expect(Object.fromEntries(own(got!))).toEqual({
        "content-type": "application/json",
        "heygen-signature": hmac(key, got!.body),
        "heygen-timestamp": String(NOW),
        "heygen-event-id": "evt_documented"
      })
      expect(own(got!)).toHaveLength(4)
      expect(got!.body.toString("utf8")).toBe(delivery.body)
      expect(JSON.parse(delivery.body)).toEqual({
        event_id: "evt_documented",
        event_type: "avatar_video.fail",
        created_at: "2026-01-02T03:04:05Z",
        event_data: { video_id: "v", msg: "m" }
      })
      expect(delivery.createdAt).toBe(Date.parse("2026-01-02T03:04:05Z"))
    }).pipe(Effect.provide(NodeHttpClient.layer)))

  for (const headerStyle of FakeDelivery.headerStyles) {
    it.scoped(`the fake's deliver (${headerStyle}) sends the logged event's id and created_at, signed with the endpoint's secret`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const server = yield* capture
        const fake = yield* FakeHeyGen.make()
        const created = yield* WebhookEndpoints.create({ url: "https://a.example.com/hooks" }).pipe(
          Effect.provide(
            HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: 0 }).pipe(
              Layer.provide(FakeHeyGen.layerHttpClient(fake))
            )
          )
        )
        const delivery = yield* fake.deliver("avatar_video.success", data, { route: server.url, headerStyle })
        expect(delivery.endpoints.map((e) => e.outcome)).toEqual(["Delivered"])
        const [logged] = yield* fake.events()
        const [got] = server.received
        expect(JSON.parse(got!.body.toString("utf8"))).toEqual({
          event_id: logged!.event_id,
          event_type: "avatar_video.success",
          created_at: logged!.created_at,
          event_data: data
        })
        const signatureHeader = headerStyle === "legacy" ? "signature" : "heygen-signature"
        expect(own(got!).find(([name]) => name === signatureHeader)?.[1]).toBe(
          hmac(Redacted.value(created.endpoint.secret!), got!.body)
        )
      }).pipe(Effect.provide(NodeHttpClient.layer)))
  }
})
