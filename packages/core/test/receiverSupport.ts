/**
 * What the receiver tests share: a secret and a clock time, the three forms of the receiver served on 127.0.0.1,
 * raw HTTP requests, and delivery logs of each kind (the memory log, one of the user's own, failing).
 */
import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"

export const NOW = 1_700_000_000
export const secret = Redacted.make("whsec_receiver_test_secret")
export const body = (videoId = "v_1") =>
  JSON.stringify({
    event_type: "avatar_video.success",
    event_data: { video_id: videoId, url: `https://cdn.example/${videoId}.mp4` }
  })

export type Handler = (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, string>

/**
 * Both forms of the receiver, `make` served alone (NodeHttpServer runs it uninterruptibly) and on an `HttpRouter`
 * route (interruptible, so a client hanging up interrupts it): every test below runs against each.
 */
export const forms = ["make", "make on an HttpRouter", "makeHandler"] as const
export type Form = (typeof forms)[number]

/** A node:http server on 127.0.0.1 running `listener`, closed with the test's scope; returns its port. */
export const listen = (listener: Http.RequestListener): Effect.Effect<number, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<Http.Server>((resume) => {
        const server = Http.createServer(listener)
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    ),
    (server) => {
      const address = server.address()
      if (address === null || typeof address === "string") throw new Error("expected a TCP address")
      return address.port
    }
  )

/**
 * Serves a receiver of the given form on 127.0.0.1 for the test's scope; returns its URL. The test clock is set
 * to NOW. `make` is served by NodeHttpServer (the README's shape), `makeHandler` by a plain node:http server.
 */
export const serveAs = (
  form: Form,
  handler: Handler,
  options: Partial<WebhookReceiver.Options> = {},
  log: Layer.Layer<DeliveryLog.DeliveryLog, unknown> = DeliveryLog.layerMemory()
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW * 1000)
    const logService = yield* Layer.build(log)
    const receiverOptions = { secrets: secret, ...options }
    if (form === "makeHandler") {
      const listener = yield* WebhookReceiver.makeHandler(handler, receiverOptions).pipe(Effect.provide(logService))
      return `http://127.0.0.1:${yield* listen(listener)}/hooks`
    }
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const receiver = WebhookReceiver.make(handler, receiverOptions)
    yield* HttpServer.serveEffect()(
      form === "make" ? receiver : HttpRouter.empty.pipe(HttpRouter.all("/hooks", receiver))
    ).pipe(
      Effect.provideService(HttpServer.HttpServer, server),
      Effect.provide(logService)
    )
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

export interface Reply {
  readonly status: number
  readonly text: string
}

/** A raw HTTP request with node:http, so that bodies and headers are sent exactly as given. */
export const send = (
  url: string,
  rawBody: string | Uint8Array,
  headers: Readonly<Record<string, string | ReadonlyArray<string>>>,
  method = "POST"
): Effect.Effect<Reply> =>
  Effect.async<Reply>((resume) => {
    const request = Http.request(
      url,
      {
        method,
        headers: {
          "content-type": "application/json",
          // Node frames a POST's body as chunked by default, but not a GET's or an OPTIONS': without a length
          // the server would read the body as the next request.
          ...(method === "POST" ? {} : { "content-length": String(Buffer.byteLength(rawBody)) }),
          ...headers
        }
      },
      (response) => {
        let text = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => (text += chunk))
        response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, text })))
      }
    )
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(rawBody)
    // Interrupting the send hangs up, as a client that gives up does.
    return Effect.sync(() => request.destroy())
  })

export const signed = (raw: string, eventId: string, key = secret, timestamp = NOW) => ({
  ...WebhookSignature.sign(raw, key, timestamp),
  "Heygen-Event-Id": eventId
})

export const deliver = (url: string, eventId: string, raw = body()) => send(url, raw, signed(raw, eventId))

/**
 * Sends the headers and `sent` bytes of a body, then stops without ending the request: the server can only
 * answer if it refuses without waiting for the rest of the body.
 */
export const sendPartial = (url: string, sent: number, headers: Record<string, string>) =>
  Effect.async<Reply>((resume) => {
    const request = Http.request(url, { method: "POST", headers }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (text += chunk))
      response.on("end", () => {
        request.destroy()
        resume(Effect.succeed({ status: response.statusCode ?? 0, text }))
      })
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.write(Buffer.alloc(sent, 0x20))
    return Effect.sync(() => request.destroy())
  })

/**
 * Sends the headers and part of a body whose declared length is `declared`, then drops the connection once that
 * part is on the wire, as a client that crashes mid-request does.
 */
export const abortMidBody = (url: string, declared: number, headers: Record<string, string>) =>
  Effect.async<void>((resume) => {
    const request = Http.request(url, { method: "POST", headers: { ...headers, "content-length": String(declared) } })
    request.on("error", () => {})
    request.on("close", () => resume(Effect.void))
    request.write(Buffer.alloc(Math.floor(declared / 2), 0x20), () => request.destroy())
  })

/**
 * The in-memory log, and a log of the user's own (one that delegates to it): every loopback test runs with each, so
 * that the receivers are held to use nothing but the service's one operation.
 */
export const logKinds = {
  "the memory log": () => DeliveryLog.layerMemory(),
  "a log of the user's own": () =>
    Layer.effect(
      DeliveryLog.DeliveryLog,
      Effect.map(DeliveryLog.makeMemory(), (memory): DeliveryLog.Service => ({
        once: (eventId, effect) => Effect.suspend(() => memory.once(eventId, effect))
      }))
    )
} as const

/**
 * A log whose storage fails at `operation`: a claim before anything runs, a completion after a success, a release
 * after a failure. Otherwise it works as the in-memory log does.
 */
export const failingLog = (operation: DeliveryLog.DeliveryLogError["operation"], cause?: unknown) =>
  Layer.effect(
    DeliveryLog.DeliveryLog,
    Effect.map(DeliveryLog.makeMemory(), (memory): DeliveryLog.Service => {
      const fail = Effect.fail(new DeliveryLog.DeliveryLogError({ operation, message: "database unavailable", cause }))
      return {
        once: (eventId, effect) =>
          operation === "claim" ?
            fail :
            Effect.flatMap(memory.once(eventId, effect), (outcome) =>
              (operation === "complete" && outcome._tag === "Handled") ||
                (operation === "release" && outcome._tag === "Failed")
                ? fail
                : Effect.succeed(outcome))
      }
    })
  )

/** The hex signature alone, as production deliveries carry it in a plain `Signature` header. */
export const plainSig = (raw: string | Uint8Array, key = secret) => WebhookSignature.computeSignature(raw, key)

/** An in-memory log that counts, in `touched`, every run anyone asks of it. */
export const probeLog = (touched: Ref.Ref<number>) =>
  Layer.effect(
    DeliveryLog.DeliveryLog,
    Effect.map(DeliveryLog.makeMemory(), (memory): DeliveryLog.Service => ({
      once: (eventId, effect) => Effect.zipRight(Ref.update(touched, (n) => n + 1), memory.once(eventId, effect))
    }))
  )
