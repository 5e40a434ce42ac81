// The receiver's defaults, held by tests that pass no option for them: every other receiver test gives its own
// `maxBodySize`, so without these a default raised from 1 MiB to 1 GiB (a receiver that buffers a gigabyte per
// request for anyone who can reach it) passed them all.
import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"

const NOW = 1_700_000_000
const MiB = 1024 * 1024
const secret = Redacted.make("whsec_receiver_defaults_secret")

/** A signed delivery whose body is exactly `size` bytes: the JSON of an event padded with spaces. */
const deliveryOfSize = (size: number, eventId: string) => {
  const base = JSON.stringify({
    event_type: "avatar_video.success",
    event_data: { video_id: "v_1", url: "https://cdn.example/v_1.mp4" }
  })
  const body = base.slice(0, -1) + " ".repeat(size - base.length) + "}"
  return {
    body,
    headers: { ...WebhookSignature.sign(body, secret, NOW), "Heygen-Event-Id": eventId }
  }
}

const forms = ["make", "makeHandler"] as const
type Form = (typeof forms)[number]

/**
 * A receiver built with `{ secrets }` only, on 127.0.0.1 for the test's scope: `make` served by NodeHttpServer,
 * `makeHandler` as the listener of a plain node:http server. Returns its URL.
 */
const serveWithDefaults = (
  form: Form,
  handler: () => Effect.Effect<void>
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW * 1000)
    const log = yield* DeliveryLog.makeMemory()
    const options = { secrets: secret }
    if (form === "makeHandler") {
      const listener = yield* WebhookReceiver.makeHandler(handler, options).pipe(
        Effect.provideService(DeliveryLog.DeliveryLog, log)
      )
      const server = yield* NodeHttpServer.make(() => Http.createServer(listener), { port: 0, host: "127.0.0.1" })
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      return `http://127.0.0.1:${address.port}/hooks`
    }
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    yield* HttpServer.serveEffect()(WebhookReceiver.make(handler, options)).pipe(
      Effect.provideService(HttpServer.HttpServer, server),
      Effect.provideService(DeliveryLog.DeliveryLog, log)
    )
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

/**
 * POSTs a body with node:http, declared with its Content-Length or sent chunked (no length: the receiver must
 * count). A receiver may answer 413 and close before the client has sent it all: the answer is what counts, so
 * a write error after the response arrived is ignored.
 */
const post = (
  url: string,
  body: string,
  headers: Record<string, string>,
  framing: "content-length" | "chunked"
): Effect.Effect<number> =>
  Effect.async<number>((resume) => {
    let answered = false
    const request = Http.request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...headers,
        ...(framing === "chunked" ? { "transfer-encoding": "chunked" } : {
          "content-length": String(Buffer.byteLength(body))
        })
      }
    }, (response) => {
      answered = true
      response.resume()
      response.on("end", () => resume(Effect.succeed(response.statusCode ?? 0)))
    })
    request.on("error", (error) => {
      if (!answered) resume(Effect.die(error))
    })
    if (framing === "chunked") {
      // In 64 KiB chunks, as a streaming client sends it.
      for (let i = 0; i < body.length; i += 64 * 1024) request.write(body.slice(i, i + 64 * 1024))
      request.end()
    } else {
      request.end(body)
    }
    return Effect.sync(() => request.destroy())
  })

describe("WebhookReceiver's default body limit", () => {
  it("is 1 MiB", () => {
    expect(WebhookReceiver.defaultMaxBodySize).toBe(MiB)
  })

  for (const form of forms) {
    for (const framing of ["content-length", "chunked"] as const) {
      it.scoped(
        `${form} built without maxBodySize: a body of exactly 1 MiB is handled, 1 MiB + 1 byte is 413 (${framing})`,
        () =>
          Effect.gen(function*() {
            const runs = yield* Ref.make(0)
            const url = yield* serveWithDefaults(form, () => Ref.update(runs, (n) => n + 1))
            const atLimit = deliveryOfSize(MiB, "evt_at_limit")
            expect(Buffer.byteLength(atLimit.body)).toBe(MiB)
            expect(yield* post(url, atLimit.body, atLimit.headers, framing)).toBe(200)
            expect(yield* Ref.get(runs)).toBe(1)
            const over = deliveryOfSize(MiB + 1, "evt_over_limit")
            expect(Buffer.byteLength(over.body)).toBe(MiB + 1)
            // Authentic and signed: only its size can refuse it.
            expect(yield* post(url, over.body, over.headers, framing)).toBe(413)
            expect(yield* Ref.get(runs)).toBe(1)
          })
      )
    }
  }
})
