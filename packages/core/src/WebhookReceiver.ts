/**
 * A receiver of HeyGen's deliveries, in two forms with one behaviour: `make`, an `HttpApp` to mount on a route
 * of an `@effect/platform` `HttpRouter` (or serve alone), and `makeHandler`, a plain Node request listener for
 * `node:http` or Express. Give either a handler. Per request it:
 *
 * 1. reads the raw body, at most `maxBodySize` bytes (default 1 MiB): a larger body is answered 413 as soon as
 *    it is known to be larger, never buffered whole;
 * 2. verifies it (`WebhookSignature.verify`): a missing header or a malformed signature is 400, a wrong
 *    signature or a stale timestamp 401, a signed body that is not a delivery 400, each with a bare body that
 *    tells a forger nothing;
 * 3. claims `Heygen-Event-Id` in the `DeliveryLog`: an event already handled is answered 200 without running
 *    the handler; one being handled by a concurrent delivery is answered 409, so HeyGen tries again later;
 * 4. runs the handler: success is 200 (and the id is recorded as done); failure or defect is 500 and the claim
 *    is released, so HeyGen's redelivery runs the handler again.
 *
 * @example
 * ```ts
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const receiver = WebhookReceiver.make(
 *   (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *   { secrets: Redacted.make("whsec_...") }
 * )
 * const App = HttpRouter.empty.pipe(HttpRouter.post("/hooks/heygen", receiver), HttpServer.serve())
 * // provide DeliveryLog.layerMemory() (or the SQL log) and a server layer, e.g. NodeHttpServer.layer(...)
 * const AppWithLog = App.pipe(Layer.provide(DeliveryLog.layerMemory()))
 * ```
 *
 * @since 0.2.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRefs from "effect/FiberRefs"
import { identity } from "effect/Function"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Scope from "effect/Scope"
import type { IncomingMessage, ServerResponse } from "node:http"
import * as DeliveryLog from "./DeliveryLog.js"
import { BodyTooLarge, declaresMoreThan, readBounded } from "./internal/boundedBody.js"
import { withClock } from "./internal/now.js"
import type * as WebhookDelivery from "./WebhookDelivery.js"
import * as WebhookSignature from "./WebhookSignature.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The endpoint's signing secret, or the old and the new one during a rotation. */
  readonly secrets: WebhookSignature.Secrets
  /** The largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodySize?: number | undefined
  /** How far `Heygen-Timestamp` may be from the `Clock`. Default 5 minutes. */
  readonly tolerance?: Duration.DurationInput | undefined
  /** Accept deliveries without `Heygen-Timestamp`. Default `false`. */
  readonly allowMissingTimestamp?: boolean | undefined
}

/**
 * The default body limit: 1 MiB.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxBodySize = 1024 * 1024

/**
 * One answer of the receiver, in both shapes it is written in: an `HttpServerResponse` for `make` and the
 * status, headers and body `res.writeHead` / `res.end` take for `makeHandler`. Every answer is a constant, built
 * once here, so that neither form builds a response per request.
 */
interface Reply {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly response: HttpServerResponse.HttpServerResponse
}

// Bodies say only what kind of refusal it is: the reason stays in the receiver's logs.
const plain = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers: { ...headers, "content-type": "text/plain", "content-length": String(Buffer.byteLength(body)) },
  response: HttpServerResponse.text(body, { status, headers })
})
// An explicit empty length: without it Node frames an empty 200 as a chunked body (two writes instead of one).
const ok: Reply = {
  status: 200,
  body: "",
  headers: { "content-length": "0" },
  response: HttpServerResponse.empty({ status: 200, headers: { "content-length": "0" } })
}
const duplicate = ok
const methodNotAllowed = plain(405, "method not allowed", { allow: "POST" })
// `Connection: close`: the rest of an oversize body is not worth reading to keep the connection alive.
const tooLarge = plain(413, "payload too large", { connection: "close" })
const badRequest = plain(400, "bad request")
const unauthorized = plain(401, "unauthorized")
const inFlight = plain(409, "delivery in progress", { "retry-after": "10" })
const handlerFailed = plain(500, "handler failed")
const logUnavailable = plain(503, "delivery log unavailable")

const statusOf = (reason: WebhookSignature.Reason) =>
  reason === "SignatureMismatch" || reason === "TimestampOutOfTolerance" ? unauthorized : badRequest

const refuse = (e: WebhookSignature.WebhookVerificationError) =>
  Effect.as(
    Effect.logWarning(`webhook delivery refused: ${e.reason}`).pipe(Effect.annotateLogs({ header: e.header ?? "-" })),
    statusOf(e.reason)
  )

/**
 * How the handler's run is fenced off from interruption, so that its outcome is always recorded and both forms
 * behave alike: a client that hangs up never stops a handler (HeyGen gives up on a delivery after 10 s, and a slow
 * handler cut off each time would never finish; left to finish, its success is recorded and the redelivery is
 * answered 200), while the handler's own timeouts and races can interrupt what it starts.
 *
 * `make` runs in whatever fiber the server gives it: interruptible on an `HttpRouter` route (a hang-up interrupts
 * it), uninterruptible when `NodeHttpServer` serves the app alone (where a fiber the handler forks inherits that,
 * and its `Effect.timeout` could never fire). So its handler runs in a fiber of its own, interruptible, and the
 * request waits for it without being interruptible itself. `makeHandler`'s fiber is already its own, interruptible,
 * and nothing interrupts it from outside, so it needs neither the fork nor a mask (on the loopback bench the two
 * runtime-flag switches of `uninterruptibleMask` were a third of the listener's overhead).
 */
type Guard = <A, E, R>(
  f: (restore: <AX, EX, RX>(effect: Effect.Effect<AX, EX, RX>) => Effect.Effect<AX, EX, RX>) => Effect.Effect<A, E, R>
) => Effect.Effect<A, E, R>

const detached: Guard = (f) =>
  Effect.uninterruptible(f((effect) => Effect.flatMap(Effect.forkDaemon(Effect.interruptible(effect)), Fiber.join)))
const unmasked: Guard = (f) => f(identity)

/**
 * What both forms share once the body is read. `start` verifies the delivery (pure) and, with a log that has
 * synchronous operations (the in-memory one), claims its event id at once: a duplicate or a delivery in flight is
 * answered without running anything, so `makeHandler` starts no fiber for it. Otherwise it returns the effect
 * that finds the answer: log a refusal, or claim (through the log's effects), run the handler, and record its
 * outcome. That effect never fails: every outcome is a reply.
 */
const decider = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options,
  guard: Guard
) => {
  const verifyOptions: WebhookSignature.VerifyOptions = {
    tolerance: options.tolerance,
    allowMissingTimestamp: options.allowMissingTimestamp
  }

  // Runs the handler and records its outcome. The handler is interruptible; recording its outcome is not (see
  // `Guard`): a success must be recorded even if the client hung up meanwhile, or the redelivery would run it
  // again. Plain combinators rather than generators: this runs once per delivery, and each step costs.
  const settle = <X>(
    delivery: WebhookDelivery.WebhookDelivery,
    complete: () => Effect.Effect<Reply, X>,
    release: () => Effect.Effect<void, X>
  ): Effect.Effect<Reply, X, R> =>
    guard((restore) =>
      Effect.matchCauseEffect(restore(handler(delivery)), {
        onSuccess: complete,
        onFailure: (cause) =>
          Effect.zipRight(
            Effect.logError("webhook handler failed", Cause.pretty(cause)).pipe(
              Effect.annotateLogs({ eventId: delivery.eventId, eventType: delivery.eventType })
            ),
            Effect.as(release(), handlerFailed)
          )
      })
    )

  // The same through the log's effects, for a log that does I/O (`DeliveryLogSql`).
  const handle = (
    log: DeliveryLog.Service,
    delivery: WebhookDelivery.WebhookDelivery
  ): Effect.Effect<Reply, never, R> =>
    Effect.flatMap(log.claim(delivery.eventId), (claim): Effect.Effect<Reply, DeliveryLog.DeliveryLogError, R> => {
      if (claim._tag === "Done") return Effect.succeed(duplicate)
      if (claim._tag === "InFlight") return Effect.succeed(inFlight)
      return settle(
        delivery,
        () => Effect.as(log.complete(delivery.eventId, claim.token), ok),
        () => log.release(delivery.eventId, claim.token)
      )
    }).pipe(
      Effect.catchTag("DeliveryLogError", (e) =>
        Effect.as(
          Effect.logError(`webhook delivery log failed to ${e.operation}`).pipe(
            Effect.annotateLogs({ eventId: delivery.eventId })
          ),
          logUnavailable
        ))
    )

  const start = (
    log: DeliveryLog.Service,
    headers: WebhookSignature.HeadersInput,
    body: Uint8Array,
    clock: Clock.Clock
  ): Reply | Effect.Effect<Reply, never, R> => {
    const now = clock.unsafeCurrentTimeMillis()
    const verified = WebhookSignature.verifyAt(body, headers, options.secrets, now, verifyOptions)
    if (Either.isLeft(verified)) return refuse(verified.left)
    const delivery = verified.right
    const unsafe = log.unsafe
    if (unsafe === undefined) return handle(log, delivery)
    const claim = unsafe.claim(delivery.eventId, now)
    if (claim._tag === "Done") return duplicate
    if (claim._tag === "InFlight") return inFlight
    return settle(
      delivery,
      () => {
        unsafe.complete(delivery.eventId, clock.unsafeCurrentTimeMillis())
        return Effect.succeed(ok)
      },
      () => Effect.sync(() => unsafe.release(delivery.eventId, claim.token))
    )
  }

  return start
}

/**
 * Builds the receiver for a handler. It needs the request's `Scope` (every `HttpServer` provides one per
 * request): the body is read in it, so that on a refusal the request is closed after the response is written.
 *
 * The handler runs at most once per event id after a success, however many
 * times and however concurrently HeyGen delivers the event (given one `DeliveryLog` shared by every receiver
 * of the endpoint); its failures and defects become 500 so HeyGen redelivers.
 *
 * @example
 * ```ts
 * import { WebhookDelivery, WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * const receiver = WebhookReceiver.make(
 *   (delivery) =>
 *     WebhookDelivery.match(delivery.event, {
 *       AvatarVideoSuccess: ({ data }) => Effect.log(`ready: ${data.url}`),
 *       AvatarVideoFail: ({ data }) => Effect.logWarning(`failed: ${data.msg}`),
 *       Other: () => Effect.void
 *     }),
 *   { secrets: [Redacted.make("whsec_new"), Redacted.make("whsec_old")], maxBodySize: 256 * 1024 }
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options
): HttpApp.Default<never, R | DeliveryLog.DeliveryLog | Scope.Scope> => {
  const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
  const start = decider(handler, options, detached)
  const toResponse = (reply: Reply) => reply.response
  const decide = (log: DeliveryLog.Service, headers: WebhookSignature.HeadersInput, body: Uint8Array) =>
    withClock((clock): Effect.Effect<Reply, never, R> => {
      const next = start(log, headers, body, clock)
      return Effect.isEffect(next) ? next : Effect.succeed(next)
    })
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (request.method !== "POST") return Effect.succeed(methodNotAllowed.response)
    return Effect.matchEffect(readBounded(request, maxBodySize), {
      // Too large, or not readable at all (the client went away mid-body).
      onFailure: (e) => Effect.succeed(e instanceof BodyTooLarge ? tooLarge.response : badRequest.response),
      onSuccess: (body) =>
        Effect.flatMap(DeliveryLog.DeliveryLog, (log) => Effect.map(decide(log, request.headers, body), toResponse))
    })
  })
}

/**
 * The same receiver as a plain Node request listener, for a `node:http` server, Express, or anything else that
 * hands over Node's `IncomingMessage` and `ServerResponse` (it mirrors `NodeHttpServer.makeHandler`, which does
 * this for any `HttpApp`). It answers exactly as `make` does, with the same guarantees, and skips the
 * `HttpServer` layer: on a loopback benchmark that layer alone costs more than the checks themselves.
 *
 * The effect captures the current runtime (its `Clock`, logger and services, `DeliveryLog` among them) once;
 * every request then runs one effect in it. Those services must outlive the listener: `Effect.provide` of an
 * in-memory log is fine, but a log over a database (`DeliveryLogSql`) whose client layer is scoped belongs in a
 * runtime that lives as long as the server (a `ManagedRuntime`, or a layer the whole program runs in), or its
 * connections close as soon as the listener is built. The body is read with Node's own stream events: a declared
 * `Content-Length` above `maxBodySize` is answered 413 before a byte is read, a streamed body is cut off with
 * 413 as soon as it passes the limit, and a client that goes away mid-body leaves nothing behind (the event is
 * claimed only once the whole body is in). A client that hangs up while the handler runs does not interrupt it
 * (as `NodeHttpServer` serving `make`): it finishes, its outcome is recorded, and the redelivery is answered
 * accordingly (200 once it succeeded).
 *
 * @example
 * ```ts
 * import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 * import { createServer } from "node:http"
 *
 * const server = Effect.gen(function*() {
 *   const listener = yield* WebhookReceiver.makeHandler(
 *     (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *     { secrets: Redacted.make("whsec_...") }
 *   )
 *   // or app.post("/hooks/heygen", listener) in Express (with no body parser on that route)
 *   return createServer(listener)
 * }).pipe(Effect.provide(DeliveryLog.layerMemory()))
 * // Effect.runPromise(server).then((s) => s.listen(3000))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeHandler = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options
): Effect.Effect<(request: IncomingMessage, response: ServerResponse) => void, never, R | DeliveryLog.DeliveryLog> =>
  Effect.map(Effect.runtime<R | DeliveryLog.DeliveryLog>(), (runtime) => {
    const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
    const start = decider(handler, options, unmasked)
    const log = Context.get(runtime.context, DeliveryLog.DeliveryLog)
    // The Clock every request's fiber would read (a TestClock in tests): the runtime's, read here so that the
    // checks run before any fiber is started.
    const clock = Context.get(FiberRefs.getOrDefault(runtime.fiberRefs, DefaultServices.currentServices), Clock.Clock)
    // Interruptible whatever region the listener was built in (a layer's construction, say), so that a
    // handler's own timeouts and races can interrupt what they start; nothing interrupts the request's fiber
    // itself, which is why `unmasked` is enough to record every outcome.
    const runFork = Runtime.runFork(Runtime.enableRuntimeFlag(runtime, RuntimeFlags.Interruption))
    return (request, response) => {
      if (request.method !== "POST") {
        // The body, if any, is not wanted; drain it so the connection can serve the next request.
        request.resume()
        return write(response, methodNotAllowed)
      }
      if (declaresMoreThan(request.headers["content-length"], maxBodySize)) return refuseTooLarge(request, response)
      const parts: Array<Buffer> = []
      let size = 0
      let over = false
      // A client that goes away mid-body may surface as an 'error' (Node 20 drops it when nobody listens, later
      // versions need not): it needs no answer, and must not reach the process.
      request.on("error", ignore)
      request.on("data", (part: Buffer) => {
        if (over) return
        size += part.length
        if (size > maxBodySize) {
          over = true
          parts.length = 0
          refuseTooLarge(request, response)
        } else parts.push(part)
      })
      request.on("end", () => {
        if (over) return
        const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)
        let next: Reply | Effect.Effect<Reply, never, R>
        try {
          next = start(log, request.headers, body, clock)
        } catch {
          // The checks and a synchronous log's claim are total (property tests hold them to it); were one ever
          // to throw, this request gets a 500, as a defect in a fiber would, rather than the exception reaching
          // the server.
          return write(response, internalError)
        }
        // A duplicate or a delivery in flight is answered at once, without a fiber.
        if (!Effect.isEffect(next)) return write(response, next)
        // Not interrupted when the client hangs up (as `NodeHttpServer` runs an `HttpApp`): HeyGen gives up on a
        // delivery after 10 s, and a slow handler cut off each time would never finish; left to finish, its
        // success is recorded and the redelivery is answered 200.
        runFork(next).addObserver((exit) =>
          // `start`'s effect answers every outcome: only a defect of the runtime itself (or its shutdown) ends
          // otherwise.
          write(response, Exit.isSuccess(exit) ? exit.value : internalError)
        )
      })
    }
  })

const ignore = () => {}

const internalError: Reply = {
  status: 500,
  body: "",
  headers: { "content-length": "0" },
  response: HttpServerResponse.empty({ status: 500 })
}

const write = (response: ServerResponse, reply: Reply) => {
  if (response.headersSent || response.destroyed) return
  response.writeHead(reply.status, reply.headers)
  response.end(reply.body)
}

/** 413, then the connection is cut once the answer is out: the rest of the body is never read. */
const refuseTooLarge = (request: IncomingMessage, response: ServerResponse) => {
  request.on("error", ignore)
  response.on("finish", () => request.destroy())
  write(response, tooLarge)
}
