/**
 * A receiver of HeyGen's deliveries, in two forms with one behaviour: `make`, an `HttpApp` to mount on a route
 * of an `@effect/platform` `HttpRouter` (or serve alone), and `makeHandler`, a plain Node request listener for
 * `node:http` or Express (`layerServer` / `makeServer` run it on a node:http server that owns its services'
 * lifetime). Give either a handler. Per request it:
 *
 * 1. answers `GET`, `HEAD` and `OPTIONS` with an empty 200 at once (HeyGen probes an endpoint before registering
 *    it), and any other method but `POST` with 405;
 * 2. reads the raw body, at most `maxBodySize` bytes (default 1 MiB): a larger body is answered 413 as soon as
 *    it is known to be larger, never buffered whole;
 * 3. verifies it (`WebhookSignature.verify`): the signature from `Heygen-Signature` or `Signature`, the timestamp
 *    when present. A missing, repeated or malformed header, or a signed body that is not a JSON object with a
 *    string `event_type`, is 400; a wrong signature or a stale timestamp 401; each with a bare body that tells a
 *    forger nothing. Whatever its `event_data`, an authentic delivery is never refused;
 * 4. claims the event in the `DeliveryLog` under its id (`Heygen-Event-Id`, else the body's `event_id`, else a
 *    digest of the body): an event already handled is answered 200 without running the handler; one being handled
 *    by a concurrent delivery, or whose claim is still held by a receiver that died mid-handler (until the log's
 *    `claimTimeout`), is answered 409, so HeyGen tries again later;
 * 5. runs the handler: success is 200 (and the event is recorded as done); failure or defect is 500 and the claim
 *    is released, so HeyGen's redelivery runs the handler again. A log that fails is 503, logged with its cause.
 *
 * Delivery is at least once: a process that dies after the handler succeeded and before the log recorded it runs
 * the handler again on the redelivery, so handlers should be idempotent, unless they write to the database the log
 * lives in and the log is transactional (`DeliveryLogSql`), where both commit together.
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
 * // `all`, so that HeyGen's probes (GET, HEAD, OPTIONS) reach it too
 * const App = HttpRouter.empty.pipe(HttpRouter.all("/hooks/heygen", receiver), HttpServer.serve())
 * // provide DeliveryLog.layerMemory() (or the SQL log) and a server layer, e.g. NodeHttpServer.layer(...)
 * const AppWithLog = App.pipe(Layer.provide(DeliveryLog.layerMemory()))
 * ```
 *
 * @since 0.2.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRefs from "effect/FiberRefs"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { createServer } from "node:http"
import * as DeliveryLog from "./DeliveryLog.js"
import type * as HeyGenClient from "./HeyGenClient.js"
import { BodyTooLarge, declaresMoreThan, readBounded } from "./internal/boundedBody.js"
import * as Decision from "./internal/decision.js"
import { withClock } from "./internal/now.js"
import * as WebhookDelivery from "./WebhookDelivery.js"
import type * as WebhookEvent from "./WebhookEvent.js"
import * as WebhookEvents from "./WebhookEvents.js"
import type * as WebhookEventType from "./WebhookEventType.js"
import * as WebhookSignature from "./WebhookSignature.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The endpoint's signing secret, or the old and the new one during a rotation, exactly as HeyGen returned them.
   * An empty, blank or whitespace-wrapped secret, or none, is refused when the receiver is built
   * (`WebhookSignature.InvalidSecret`): an empty key verifies forgeries, a trailing newline refuses every delivery.
   */
  readonly secrets: WebhookSignature.Secrets
  /** The largest body accepted, in bytes. Default 1 MiB. */
  readonly maxBodySize?: number | undefined
  /** How far `Heygen-Timestamp` may be from the `Clock`, whenever it is present. Default 5 minutes. */
  readonly tolerance?: Duration.DurationInput | undefined
  /**
   * Refuse deliveries without `Heygen-Timestamp` (400). Default `false`: production deliveries have been seen
   * without one (see `WebhookSignature`); the de-duplication on the event id is then the replay defence.
   */
  readonly requireTimestamp?: boolean | undefined
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
// HeyGen checks that an endpoint answers before registering it (its older API sent OPTIONS with a 1 s timeout;
// an integration reports a GET): answered at once, touching neither body nor log.
const allow = "POST, GET, HEAD, OPTIONS"
const probe: Reply = {
  status: 200,
  body: "",
  headers: { "content-length": "0", allow },
  response: HttpServerResponse.empty({ status: 200, headers: { "content-length": "0", allow } })
}
const isProbe = (method: string | undefined) => method === "GET" || method === "HEAD" || method === "OPTIONS"
const methodNotAllowed = plain(405, "method not allowed", { allow })
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

const answers: Decision.Answers<Reply> = {
  handled: ok,
  duplicate,
  inFlight,
  failed: () => handlerFailed,
  logUnavailable: () => logUnavailable
}

/**
 * What both forms share once the body is read: verify the delivery (pure), then the one receiving decision
 * (`internal/decision.ts`: claim, handle, record). The answer comes at once for a refusal, and, with a log that has
 * synchronous operations (the in-memory one), for a duplicate or a delivery in flight, so `makeHandler` starts no
 * fiber for them; otherwise it is the effect that finds it. That effect never fails: every outcome is a reply.
 */
const decider = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options,
  guard: Decision.Guard
) => {
  const verifyOptions: WebhookSignature.VerifyOptions = {
    tolerance: options.tolerance,
    requireTimestamp: options.requireTimestamp
  }
  const decide = Decision.make(handler, answers, guard)
  return (
    log: DeliveryLog.Service,
    headers: WebhookSignature.HeadersInput,
    body: Uint8Array,
    clock: Clock.Clock
  ): Reply | Effect.Effect<Reply, never, R> => {
    const verified = WebhookSignature.verifyAt(
      body,
      headers,
      options.secrets,
      clock.unsafeCurrentTimeMillis(),
      verifyOptions
    )
    if (Either.isLeft(verified)) {
      // Secrets are checked when the receiver is built; one refused here was changed since (a mutated array).
      return verified.left._tag === "InvalidSecret"
        ? Effect.as(Effect.logError(`webhook receiver misconfigured: ${verified.left.message}`), internalError)
        : refuse(verified.left)
    }
    return decide(log, verified.right, clock)
  }
}

/**
 * Builds the receiver for a handler. It needs the request's `Scope` (every `HttpServer` provides one per
 * request): the body is read in it, so that on a refusal the request is closed after the response is written.
 *
 * The handler runs at most once per event id after a success, however many
 * times and however concurrently HeyGen delivers the event (given one `DeliveryLog` shared by every receiver
 * of the endpoint); its failures and defects become 500 so HeyGen redelivers.
 *
 * Secrets that `WebhookSignature.validateSecrets` refuses make it throw that `InvalidSecret` at once: an
 * `HttpApp` has no failure channel of its own, and a receiver that would verify forgeries must not be built.
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
 *       orElse: () => Effect.void
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
  // An HttpApp has no failure channel at construction: a receiver that could verify forgeries is not built at all.
  const valid = WebhookSignature.validateSecrets(options.secrets)
  if (Either.isLeft(valid)) throw valid.left
  const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
  const start = decider(handler, options, Decision.detached)
  const toResponse = (reply: Reply) => reply.response
  const decide = (log: DeliveryLog.Service, headers: WebhookSignature.HeadersInput, body: Uint8Array) =>
    withClock((clock): Effect.Effect<Reply, never, R> => {
      const next = start(log, headers, body, clock)
      return Effect.isEffect(next) ? next : Effect.succeed(next)
    })
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (request.method !== "POST") {
      return Effect.succeed(isProbe(request.method) ? probe.response : methodNotAllowed.response)
    }
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
 *   // or app.all("/hooks/heygen", listener) in Express (all: HeyGen probes with GET and OPTIONS; no body parser)
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
): Effect.Effect<
  (request: IncomingMessage, response: ServerResponse) => void,
  WebhookSignature.InvalidSecret,
  R | DeliveryLog.DeliveryLog
> =>
  Effect.zipRight(validSecrets(options), Effect.runtime<R | DeliveryLog.DeliveryLog>()).pipe(Effect.map((runtime) => {
    const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
    const start = decider(handler, options, Decision.unmasked)
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
        return write(response, isProbe(request.method) ? probe : methodNotAllowed)
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
  }))

/** Refuses, with a typed error, secrets that would verify forgeries or refuse every genuine delivery. */
const validSecrets = (options: Options): Effect.Effect<void, WebhookSignature.InvalidSecret> => {
  const valid = WebhookSignature.validateSecrets(options.secrets)
  return Either.isLeft(valid) ? Effect.fail(valid.left) : Effect.void
}

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

/**
 * @since 0.4.0
 * @category models
 */
export interface ServerOptions extends Options {
  /** The port to listen on; 0 picks a free one (read it from the server's `address()`). */
  readonly port: number
  /** The address to listen on. Default: every address, as `server.listen(port)`. */
  readonly host?: string | undefined
  /** Serve only this path (its query ignored); any other is 404. Default: every path. */
  readonly path?: string | undefined
}

const notFound = plain(404, "not found")

/**
 * `makeHandler` on a node:http server that listens while the scope is open and closes with it. Its services (the
 * `DeliveryLog`, a SQL client under it) come from the scope's own context, so a log whose client layer is scoped
 * lives exactly as long as the server: build it in the same `Layer` (see `layerServer`) or scope.
 *
 * @example
 * ```ts
 * import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * export const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* WebhookReceiver.makeServer(
 *       (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *       { secrets: Redacted.make("whsec_..."), port: 3000, path: "/hooks/heygen" }
 *     )
 *     yield* Effect.log(`listening on ${JSON.stringify(server.address())}`)
 *     return yield* Effect.never
 *   })
 * ).pipe(Effect.provide(DeliveryLog.layerMemory()))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const makeServer = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: ServerOptions
): Effect.Effect<
  Server,
  HttpServerError.ServeError | WebhookSignature.InvalidSecret,
  R | DeliveryLog.DeliveryLog | Scope.Scope
> =>
  Effect.flatMap(makeHandler(handler, options), (listener) =>
    Effect.acquireRelease(
      Effect.async<Server, HttpServerError.ServeError>((resume) => {
        const path = options.path
        const server = createServer(
          path === undefined ? listener : (request, response) => {
            const url = request.url ?? "/"
            const end = url.indexOf("?")
            if ((end === -1 ? url : url.slice(0, end)) === path) return listener(request, response)
            request.resume()
            write(response, notFound)
          }
        )
        const failed = (cause: unknown) => resume(Effect.fail(new HttpServerError.ServeError({ cause })))
        server.once("error", failed)
        server.listen(options.port, options.host, () => {
          server.off("error", failed)
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          // Stop taking connections, let requests in progress finish their answer, then drop idle keep-alives.
          server.close(() => resume(Effect.void))
          server.closeIdleConnections()
        })
    ))

/**
 * `makeServer` as a layer: the receiver listens while the layer is alive, with the services the layer is given,
 * which live as long as it does. `Layer.launch` it, with the log's layer (and a SQL client's) provided to it.
 *
 * @example
 * ```ts
 * import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const Receiver = WebhookReceiver.layerServer(
 *   (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *   { secrets: Redacted.make("whsec_..."), port: 3000 }
 * ).pipe(Layer.provide(DeliveryLog.layerMemory()))
 * // NodeRuntime.runMain(Layer.launch(Receiver))
 * ```
 *
 * @since 0.4.0
 * @category layers
 */
export const layerServer = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: ServerOptions
): Layer.Layer<
  never,
  HttpServerError.ServeError | WebhookSignature.InvalidSecret,
  Exclude<R, Scope.Scope> | DeliveryLog.DeliveryLog
> => Layer.scopedDiscard(makeServer(handler, options))

/**
 * @since 0.4.0
 * @category catch-up
 */
export interface CatchUpOptions {
  /**
   * How far back to go: a duration before the `Clock`'s now (`"48 hours"`), or an instant. Events created before it
   * are not handled (HeyGen retried those for 24 h already; go back further only if the receiver was down longer).
   */
  readonly since: Duration.DurationInput | Date
  /** Only these event types (one listing of the log per type); default every type. */
  readonly eventTypes?: ReadonlyArray<WebhookEventType.WebhookEventType> | undefined
  /** Only the events of this entity (a video, a translation, a personalized video project). */
  readonly entityId?: string | undefined
  /**
   * What to do with an event a live delivery is handling at the same moment (its claim held): ask again on this
   * schedule, then report it as in flight. Default every second, 10 times.
   */
  readonly retryInFlight?: Schedule.Schedule<unknown> | undefined
  /** Per-call options of the listing (retry policy, time limits). */
  readonly request?: WebhookEvents.RequestOptions | undefined
}

/**
 * What a catch-up did. `failed` and `inFlight` name the events left for a later run (a failed handler's claim is
 * released, so running the catch-up again tries them again; an event in flight is being handled by a live
 * delivery).
 *
 * @since 0.4.0
 * @category catch-up
 */
export const CatchUpReport = Schema.Struct({
  /** The cut: events created before it were not considered. */
  since: Schema.DateFromSelf,
  /** Events of the log at or after the cut (matching the filters). */
  seen: Schema.Number,
  /** Of those, already handled (by a live delivery or an earlier catch-up): the handler did not run. */
  alreadyHandled: Schema.Number,
  /** Handled now: the handler ran and succeeded, and the event is recorded done. */
  handledNow: Schema.Number,
  /** The events whose handler failed (the claim released). */
  failed: Schema.Array(Schema.Struct({ eventId: Schema.String, eventType: Schema.String })),
  /** The events still held by a live delivery when the catch-up gave up waiting. */
  inFlight: Schema.Array(Schema.Struct({ eventId: Schema.String, eventType: Schema.String })),
  /** The `created_at` of the last event the catch-up finished with, in the order it walks: how far it got. */
  reached: Schema.NullOr(Schema.String)
}).annotations({ identifier: "CatchUpReport" })

/**
 * @since 0.4.0
 * @category catch-up
 */
export interface CatchUpReport extends Schema.Schema.Type<typeof CatchUpReport> {}

/**
 * A catch-up stopped before the end: the log could not be listed (`ListFailed`, with the API error as `cause`), or
 * the delivery log failed (`LogUnavailable`). `progress` says how far it got; running it again is safe and finishes
 * the rest (what was handled is skipped).
 *
 * @since 0.4.0
 * @category catch-up
 */
export class CatchUpError extends Schema.TaggedError<CatchUpError>()("CatchUpError", {
  reason: Schema.Literal("ListFailed", "LogUnavailable"),
  message: Schema.String,
  progress: CatchUpReport,
  cause: Schema.optional(Schema.Defect)
}) {}

type Step = "handled" | "duplicate" | "inFlight" | "failed" | "logUnavailable"
const steps: Decision.Answers<Step> = {
  handled: "handled",
  duplicate: "duplicate",
  inFlight: "inFlight",
  failed: () => "failed",
  logUnavailable: () => "logUnavailable"
}

const defaultRetryInFlight: Schedule.Schedule<unknown> = Schedule.spaced("1 second").pipe(
  Schedule.intersect(Schedule.recurs(10))
)

/** `created_at` as epoch milliseconds; NaN when it is not a date (such an event is kept: better checked than lost). */
const createdMillis = (event: WebhookEvent.WebhookEvent) => Date.parse(event.created_at)

/**
 * Recovers events a receiver missed (it was down longer than HeyGen's ~24 h of retries, or refused them through a
 * bug): reads HeyGen's event log back to `since` and, for each event not yet done in the `DeliveryLog`, claims it,
 * runs `handler` with it as a `WebhookDelivery` (`eventIdSource: "log"`) and records the outcome: the very decision
 * the receivers make, so a live delivery arriving meanwhile and the catch-up never both run the handler, and an
 * event handled by either is skipped by the other.
 *
 * Which order: HeyGen does not document the log's order, so the catch-up lists it (one listing per event type
 * given) until it reaches events older than `since` in a log seen to be newest first, or to the end otherwise; then
 * it handles the events oldest first, as they happened, one at a time, so a handler sees them in the order a live
 * receiver would have. It waits (`retryInFlight`) for an event a live delivery is handling.
 *
 * An event the log names differently from its delivery (one that came with no id at all, de-duplicated on its
 * body's digest) is recognised by its content: the type and data (`WebhookDelivery.contentKey`). HeyGen does not
 * document that the log's `event_id` is the delivery's `Heygen-Event-Id`; integrations find them equal, and the
 * catch-up relies on it for deliveries that carried an id.
 *
 * A handler's failure is counted and the catch-up goes on (its claim is released: running it again retries it).
 * It stops with a `CatchUpError` carrying its progress when the log cannot be listed or the delivery log fails;
 * interrupted, it lets the event in hand finish and record its outcome. Either way running it again finishes the
 * rest.
 *
 * @example
 * ```ts
 * import { WebhookReceiver } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * export const recover = WebhookReceiver.catchUp(
 *   (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *   { since: "48 hours" }
 * ).pipe(
 *   Effect.tap((report) => Effect.log(`handled ${report.handledNow}, already handled ${report.alreadyHandled}`))
 * )
 * // provide the receiver's DeliveryLog and a HeyGenClient
 * ```
 *
 * @since 0.4.0
 * @category catch-up
 */
export const catchUp = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: CatchUpOptions
): Effect.Effect<CatchUpReport, CatchUpError, R | DeliveryLog.DeliveryLog | HeyGenClient.HeyGenClient> =>
  Effect.gen(function*() {
    const log = yield* DeliveryLog.DeliveryLog
    const now = yield* Clock.currentTimeMillis
    const since = options.since instanceof Date
      ? options.since
      : new Date(now - Duration.toMillis(Duration.decode(options.since)))
    const cut = since.getTime()
    let report: CatchUpReport = {
      since,
      seen: 0,
      alreadyHandled: 0,
      handledNow: 0,
      failed: [],
      inFlight: [],
      reached: null
    }

    // Every event at or after the cut, each once (one listing per type; an event has one type).
    const listing = (eventType: WebhookEventType.WebhookEventType | undefined) =>
      Stream.suspend(() => {
        // Once the log is seen to be newest first (it went back in time, and never forward), the first event
        // before the cut ends the listing. Until then nothing is assumed of its order.
        let forward = false
        let backward = false
        let previous = Number.NaN
        return WebhookEvents.stream(
          {
            ...(eventType === undefined ? {} : { event_type: eventType }),
            ...(options.entityId === undefined ? {} : { entity_id: options.entityId }),
            limit: 100
          },
          options.request
        ).pipe(
          Stream.takeWhile((event) => {
            const at = createdMillis(event)
            if (!Number.isNaN(at)) {
              if (at > previous) forward = true
              if (at < previous) backward = true
              previous = at
            }
            return !(backward && !forward && at < cut)
          }),
          Stream.filter((event) => {
            const at = createdMillis(event)
            return Number.isNaN(at) || at >= cut
          })
        )
      })
    const types = options.eventTypes === undefined || options.eventTypes.length === 0
      ? [undefined]
      : [...new Set(options.eventTypes)]
    const listed = yield* Stream.runCollect(Stream.concatAll(Chunk.fromIterable(types.map(listing)))).pipe(
      Effect.mapError((cause) =>
        new CatchUpError({
          reason: "ListFailed",
          message: `the event log could not be listed: ${cause.message}`,
          progress: report,
          cause
        })
      )
    )
    // Oldest first; an event without a readable date keeps its place after the dated ones. Stable.
    const events = Chunk.toReadonlyArray(listed).map((event, i) => ({ event, at: createdMillis(event), i })).sort((
      a,
      b
    ) => (Number.isNaN(a.at) ? 1 : 0) - (Number.isNaN(b.at) ? 1 : 0) || (a.at - b.at) || a.i - b.i)
    report = { ...report, seen: events.length }

    const decide = Decision.make(handler, steps, Decision.detached)
    const decideOnce = (delivery: WebhookDelivery.WebhookDelivery) =>
      withClock((clock): Effect.Effect<Step, never, R> => {
        const next = decide(log, delivery, clock)
        return Effect.isEffect(next) ? next : Effect.succeed(next)
      })
    const retry = options.retryInFlight ?? defaultRetryInFlight

    for (const { event } of events) {
      const delivery = WebhookDelivery.fromEvent(event)
      // In flight: asked again on the schedule (as a failure to retry), then reported as such.
      const step = yield* decideOnce(delivery).pipe(
        Effect.filterOrFail((step) => step !== "inFlight", () => "inFlight" as const),
        Effect.retry(retry),
        Effect.orElseSucceed((): Step => "inFlight")
      )
      const id = { eventId: event.event_id, eventType: event.event_type }
      switch (step) {
        case "handled":
          report = { ...report, handledNow: report.handledNow + 1, reached: event.created_at }
          break
        case "duplicate":
          report = { ...report, alreadyHandled: report.alreadyHandled + 1, reached: event.created_at }
          break
        case "failed":
          report = { ...report, failed: [...report.failed, id], reached: event.created_at }
          break
        case "inFlight":
          report = { ...report, inFlight: [...report.inFlight, id], reached: event.created_at }
          break
        case "logUnavailable":
          return yield* new CatchUpError({
            reason: "LogUnavailable",
            message: `the delivery log failed at event ${event.event_id}; ${report.handledNow} handled before it`,
            progress: report
          })
      }
    }
    return report
  })
