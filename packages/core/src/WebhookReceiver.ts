/**
 * A receiver of HeyGen's deliveries, in two forms with one behaviour: `make`, an `HttpApp`, and `makeHandler`, a
 * Node request listener (`makeServer` / `layerServer` run it on a node:http server). Per request it answers
 * HeyGen's probes (`GET`, `HEAD`, `OPTIONS`) with 200 and other methods but `POST` with 405; reads at most
 * `maxBodySize` bytes (413 beyond); verifies the delivery (`WebhookSignature`: 400 or 401, with a bare body); then
 * runs the handler through the `DeliveryLog`'s `once` under the event's id (`Heygen-Event-Id`, else the body's
 * `event_id`, else a digest of the body): 200 when handled or already handled, 409 while another run holds the
 * event, 500 when the handler fails (HeyGen redelivers), 503 when the log fails. The README lists every answer and
 * the guarantees: delivery is at least once, so handlers should be idempotent unless they write to the database of
 * a transactional `DeliveryLogSql`.
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
import type { AddressInfo } from "node:net"
import * as DeliveryLog from "./DeliveryLog.js"
import type * as HeyGenClient from "./HeyGenClient.js"
import { BodyTooLarge, declaresMoreThan, readBounded } from "./internal/boundedBody.js"
import { withClock } from "./internal/now.js"
import * as Receive from "./internal/receive.js"
import * as WebhookDelivery from "./WebhookDelivery.js"
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
  /** Refuse deliveries without `Heygen-Timestamp` (400). Default `false`: production deliveries lack it at times. */
  readonly requireTimestamp?: boolean | undefined
}

/**
 * The default body limit: 1 MiB.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxBodySize = 1024 * 1024

// Every answer is built once, in both shapes: an `HttpServerResponse` for `make`, `writeHead` arguments for
// `makeHandler`. Bodies say only what kind of refusal it is: the reason stays in the receiver's logs.
interface Reply {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly response: HttpServerResponse.HttpServerResponse
}

const plain = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers: { ...headers, "content-type": "text/plain", "content-length": String(Buffer.byteLength(body)) },
  response: HttpServerResponse.text(body, { status, headers })
})
// An explicit empty length, or Node frames an empty body as chunked.
const empty = (status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  body: "",
  headers: { ...headers, "content-length": "0" },
  response: HttpServerResponse.empty({ status, headers: { ...headers, "content-length": "0" } })
})
const ok = empty(200)
// HeyGen probes an endpoint before registering it (OPTIONS, or a GET): answered at once, touching neither body nor log.
const allow = "POST, GET, HEAD, OPTIONS"
const probe = empty(200, { allow })
const isProbe = (method: string | undefined) => method === "GET" || method === "HEAD" || method === "OPTIONS"
const methodNotAllowed = plain(405, "method not allowed", { allow })
// `Connection: close`: the rest of an oversize body is not worth reading to keep the connection alive.
const tooLarge = plain(413, "payload too large", { connection: "close" })
const badRequest = plain(400, "bad request")
const unauthorized = plain(401, "unauthorized")
const internalError = empty(500)
const notFound = plain(404, "not found")

const replies: Receive.Answers<Reply> = {
  handled: ok,
  duplicate: ok,
  inFlight: plain(409, "delivery in progress", { "retry-after": "10" }),
  failed: plain(500, "handler failed"),
  logUnavailable: plain(503, "delivery log unavailable")
}

const refuse = (e: WebhookSignature.WebhookVerificationError) =>
  Effect.as(
    Effect.logWarning(`webhook delivery refused: ${e.reason}`).pipe(Effect.annotateLogs({ header: e.header ?? "-" })),
    e.reason === "SignatureMismatch" || e.reason === "TimestampOutOfTolerance" ? unauthorized : badRequest
  )

/** Both forms, once the body is read: verify, then one call of the log's `once`. The effect never fails. */
const decider = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options,
  detach: boolean
) => {
  const verifyOptions: WebhookSignature.VerifyOptions = {
    tolerance: options.tolerance,
    requireTimestamp: options.requireTimestamp
  }
  return (
    log: DeliveryLog.Service,
    headers: WebhookSignature.HeadersInput,
    body: Uint8Array,
    nowMillis: number
  ): Effect.Effect<Reply, never, R> => {
    const verified = WebhookSignature.verifyAt(body, headers, options.secrets, nowMillis, verifyOptions)
    if (Either.isLeft(verified)) {
      // Secrets are checked when the receiver is built; one refused here was changed since (a mutated array).
      return verified.left._tag === "InvalidSecret"
        ? Effect.as(Effect.logError(`webhook receiver misconfigured: ${verified.left.message}`), internalError)
        : refuse(verified.left)
    }
    return Receive.handle(log, handler, verified.right, detach, replies)
  }
}

/**
 * Builds the receiver for a handler, which runs at most once per event after a success (given one `DeliveryLog`
 * shared by every receiver of the endpoint). It needs the request's `Scope`, which every `HttpServer` provides.
 *
 * Secrets that `WebhookSignature.validateSecrets` refuses make it throw that `InvalidSecret` at once: an
 * `HttpApp` has no failure channel of its own, and a receiver that would verify forgeries must not be built.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: Options
): HttpApp.Default<never, R | DeliveryLog.DeliveryLog | Scope.Scope> => {
  const valid = WebhookSignature.validateSecrets(options.secrets)
  if (Either.isLeft(valid)) throw valid.left
  const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
  // Detached: on a router a hang-up interrupts the request's fiber, and the handler must finish all the same.
  const decide = decider(handler, options, true)
  const toResponse = (reply: Reply) => reply.response
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (request.method !== "POST") {
      return Effect.succeed(isProbe(request.method) ? probe.response : methodNotAllowed.response)
    }
    return Effect.matchEffect(readBounded(request, maxBodySize), {
      // Too large, or not readable at all (the client went away mid-body).
      onFailure: (e) => Effect.succeed(e instanceof BodyTooLarge ? tooLarge.response : badRequest.response),
      onSuccess: (body) =>
        Effect.flatMap(
          DeliveryLog.DeliveryLog,
          (log) =>
            withClock((clock) =>
              Effect.map(decide(log, request.headers, body, clock.unsafeCurrentTimeMillis()), toResponse)
            )
        )
    })
  })
}

/**
 * The same receiver as a plain Node request listener, for `node:http`, Express, or anything else that hands over
 * Node's `IncomingMessage` and `ServerResponse`. It answers exactly as `make` does and skips the `HttpServer`
 * layer, which on a loopback benchmark costs more than the checks themselves.
 *
 * The effect captures the current runtime (its `Clock`, logger and services) once; those services must outlive the
 * listener (a log over a database belongs in a `ManagedRuntime` or a layer that lives as long as the server). A
 * client that hangs up while the handler runs does not interrupt it: its outcome is recorded all the same.
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
  Effect.map(
    Effect.zipRight(WebhookSignature.validateSecrets(options.secrets), Effect.runtime<R | DeliveryLog.DeliveryLog>()),
    (runtime) => {
      const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
      // Not detached: nothing interrupts a request's fiber here, so the handler can run in it.
      const decide = decider(handler, options, false)
      const log = Context.get(runtime.context, DeliveryLog.DeliveryLog)
      // The runtime's Clock (a TestClock in tests), so that the checks run before any fiber starts.
      const clock = Context.get(FiberRefs.getOrDefault(runtime.fiberRefs, DefaultServices.currentServices), Clock.Clock)
      // Interruptible whatever region the listener was built in, so that a handler's own timeouts can fire.
      const runFork = Runtime.runFork(Runtime.enableRuntimeFlag(runtime, RuntimeFlags.Interruption))
      return (request, response) => {
        if (request.method !== "POST") {
          // Drained, so that the connection can serve the next request.
          request.resume()
          return write(response, isProbe(request.method) ? probe : methodNotAllowed)
        }
        if (declaresMoreThan(request.headers["content-length"], maxBodySize)) return refuseTooLarge(request, response)
        const parts: Array<Buffer> = []
        let size = 0
        let over = false
        // A client gone mid-body may surface as an 'error': it needs no answer and must not crash the process.
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
          let next: Effect.Effect<Reply, never, R>
          try {
            next = decide(log, request.headers, body, clock.unsafeCurrentTimeMillis())
          } catch {
            // The checks are total (property tests hold them to it); were one to throw, a 500 rather than a crash.
            return write(response, internalError)
          }
          runFork(next).addObserver((exit) => write(response, Exit.isSuccess(exit) ? exit.value : internalError))
        })
      }
    }
  )

const ignore = () => {}

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

/**
 * `makeHandler` on a node:http server that listens while the scope is open (logging its address once) and closes
 * with it. Its services come from the scope's own context, so a log whose client layer is scoped lives exactly as
 * long as the server.
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
          resume(Effect.as(Effect.logInfo(`webhook receiver listening on ${urlOf(server, path)}`), server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          // Stop taking connections, let requests in progress finish their answer, then drop idle keep-alives.
          server.close(() => resume(Effect.void))
          server.closeIdleConnections()
        })
    ))

const urlOf = (server: Server, path: string | undefined) => {
  const { address, family, port } = server.address() as AddressInfo
  return `http://${family === "IPv6" ? `[${address}]` : address}:${port}${path ?? "/"}`
}

/**
 * `makeServer` as a layer: the receiver listens while the layer is alive, with the services the layer is given.
 * `Layer.launch` it, with the log's layer (and a SQL client's) provided to it.
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
export interface CatchUpOptions extends Omit<WebhookEvents.StreamSinceOptions, "since"> {
  /**
   * How far back to go: a duration before the `Clock`'s now (`"48 hours"`), or an instant. HeyGen retried older
   * events for 24 h already; go back further only if the receiver was down longer.
   */
  readonly since: Duration.DurationInput | Date
  /**
   * For an event a live delivery is handling at the same moment: ask again on this schedule, then report it in
   * flight. Default every second, 10 times.
   */
  readonly retryInFlight?: Schedule.Schedule<unknown> | undefined
  /** Per-call options of the listing (retry policy, time limits). */
  readonly request?: WebhookEvents.RequestOptions | undefined
}

/**
 * What a catch-up did. `failed` and `inFlight` name the events left for a later run.
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
  /** The events whose handler failed (running the catch-up again retries them). */
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
 * the delivery log failed (`LogUnavailable`). `progress` says how far it got; running it again finishes the rest.
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

const defaultRetryInFlight: Schedule.Schedule<unknown> = Schedule.spaced("1 second").pipe(
  Schedule.intersect(Schedule.recurs(10))
)

/**
 * Recovers events a receiver missed (it was down past HeyGen's ~24 h of retries, or refused them through a bug):
 * reads HeyGen's event log back to `since` (`WebhookEvents.streamSince`) and runs `handler` on each event, oldest
 * first and one at a time, through the `DeliveryLog` as the receivers do, so a live delivery and the catch-up never
 * both run the handler, and an event handled by either is skipped by the other. It waits (`retryInFlight`) for an
 * event a live delivery is handling.
 *
 * An event is matched by the log's `event_id`: HeyGen does not document that it is the delivery's
 * `Heygen-Event-Id`, and integrations find them equal. A delivery that came with no id at all (de-duplicated on its
 * body's digest) cannot be matched, and its handler may run again.
 *
 * A handler's failure is counted and the catch-up goes on; it stops with a `CatchUpError` carrying its progress
 * when the log cannot be listed or the delivery log fails. Running it again finishes the rest.
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
    let report: CatchUpReport = {
      since,
      seen: 0,
      alreadyHandled: 0,
      handledNow: 0,
      failed: [],
      inFlight: [],
      reached: null
    }
    const listed = yield* Stream.runCollect(
      WebhookEvents.streamSince({ since, eventTypes: options.eventTypes, entityId: options.entityId }, options.request)
    ).pipe(
      Effect.mapError((cause) =>
        new CatchUpError({
          reason: "ListFailed",
          message: `the event log could not be listed: ${cause.message}`,
          progress: report,
          cause
        })
      )
    )
    // Oldest first, as a live receiver would have seen them; an event without a readable date goes last. Stable.
    const events = Chunk.toReadonlyArray(listed).map((event, i) => ({ event, at: Date.parse(event.created_at), i }))
      .sort((a, b) => (Number.isNaN(a.at) ? 1 : 0) - (Number.isNaN(b.at) ? 1 : 0) || (a.at - b.at) || a.i - b.i)
    report = { ...report, seen: events.length }
    const retry = options.retryInFlight ?? defaultRetryInFlight

    for (const { event } of events) {
      const step = yield* Receive.handleWaiting(log, handler, WebhookDelivery.fromEvent(event), retry)
      if (step === "logUnavailable") {
        return yield* new CatchUpError({
          reason: "LogUnavailable",
          message: `the delivery log failed at event ${event.event_id}; ${report.handledNow} handled before it`,
          progress: report
        })
      }
      const id = { eventId: event.event_id, eventType: event.event_type }
      report = {
        ...report,
        handledNow: report.handledNow + (step === "handled" ? 1 : 0),
        alreadyHandled: report.alreadyHandled + (step === "duplicate" ? 1 : 0),
        failed: step === "failed" ? [...report.failed, id] : report.failed,
        inFlight: step === "inFlight" ? [...report.inFlight, id] : report.inFlight,
        reached: event.created_at
      }
    }
    return report
  })

/**
 * @since 0.5.0
 * @category follow
 */
export interface FollowOptions {
  /** Where to start: a duration before now or an instant (default now: only new events). See `WebhookEvents.follow`. */
  readonly since?: Duration.DurationInput | Date | undefined
  /** Only these event types (one listing of the log per type and poll); default every type. */
  readonly eventTypes?: ReadonlyArray<WebhookEventType.WebhookEventType> | undefined
  /** Only the events of this entity. */
  readonly entityId?: string | undefined
  /** How long between two polls of the log, the latency of an event: default 5 seconds. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** What the follower remembers (see `WebhookEvents.FollowOptions.window`); default 1 hour. */
  readonly window?: Duration.DurationInput | undefined
  /**
   * What to do with an event a push delivery is handling at the same moment (its claim held): ask again on this
   * schedule, then report it as in flight (the push delivery finishes it). Default every second, 10 times.
   */
  readonly retryInFlight?: Schedule.Schedule<unknown> | undefined
  /** Per-call options of the listing (retry policy, time limits). */
  readonly request?: WebhookEvents.RequestOptions | undefined
}

/**
 * What the follower did with one event of the log: `handled` (the handler ran and succeeded, recorded done),
 * `duplicate` (a push delivery or an earlier run had handled it: the handler did not run), `failed` (the handler
 * failed; its claim is released, so HeyGen's redelivery or a `catchUp` runs it again), `inFlight` (a push delivery
 * still held it when the follower stopped waiting: that delivery finishes it).
 *
 * @since 0.5.0
 * @category follow
 */
export const FollowOutcome = Schema.Struct({
  eventId: Schema.String,
  eventType: Schema.String,
  /** The event's `created_at` in the log. */
  createdAt: Schema.String,
  outcome: Schema.Literal("handled", "duplicate", "failed", "inFlight")
}).annotations({ identifier: "FollowOutcome" })

/**
 * @since 0.5.0
 * @category follow
 */
export interface FollowOutcome extends Schema.Schema.Type<typeof FollowOutcome> {}

/**
 * A follower stopped: the log could not be listed in a way that waiting does not cure (`ListFailed`: a 401, a
 * refused parameter, a broken cursor; the API error as `cause`), or the delivery log failed (`LogUnavailable`).
 * `reached` is the `created_at` of the last event it finished with: follow again with `since` at it (handled
 * events are skipped).
 *
 * @since 0.5.0
 * @category follow
 */
export class FollowError extends Schema.TaggedError<FollowError>()("FollowError", {
  reason: Schema.Literal("ListFailed", "LogUnavailable"),
  message: Schema.String,
  reached: Schema.NullOr(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * Receives without a public endpoint: follows HeyGen's event log (`WebhookEvents.follow`) and runs `handler` on
 * each new event, oldest first, through the very decision the push receivers make (claim it in the
 * `DeliveryLog`, handle, record), so an event a push receiver (`make`, `makeHandler`) handled is not handled again
 * by the follower, and the reverse. With no endpoint at all, it is the only receiver; beside one, it covers the
 * deliveries that never arrive.
 *
 * It is a `Stream` of what it did, one `FollowOutcome` per event, that runs until interrupted (interrupted, it
 * lets the event in hand finish and record its outcome). Run it with `Stream.runForEach` to log each outcome, or
 * `Stream.runDrain`. Latency is the poll interval (default 5 s); an idle log costs one listing request per poll
 * and event type (720 an hour at the default). A poll that fails transiently is retried at the next one (see
 * `WebhookEvents.follow`); the stream stops with a `FollowError` otherwise.
 *
 * What it relies on, as the catch-up does: the log's order is read off the log (HeyGen does not document it), and
 * HeyGen does not document that the log's `event_id` is the delivery's `Heygen-Event-Id`; integrations find them
 * equal, and the follower relies on it. A delivery that came with no id at all (de-duplicated on its body's digest)
cannot be matched, and its handler may run again.
 *
 * @example
 * ```ts
 * import { WebhookReceiver } from "@effect-heygen/core"
 * import { Effect, Stream } from "effect"
 *
 * export const receive = WebhookReceiver.follow(
 *   (delivery) => Effect.log(`${delivery.eventType} ${delivery.eventId}`),
 *   { eventTypes: ["avatar_video.success", "avatar_video.fail"] }
 * ).pipe(
 *   Stream.runForEach((done) => Effect.log(`${done.eventId}: ${done.outcome}`))
 * )
 * // provide the DeliveryLog (DeliveryLogSql beside push receivers) and a HeyGenClient; it runs until interrupted
 * ```
 *
 * @since 0.5.0
 * @category follow
 */
export const follow = <E, R>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  options: FollowOptions = {}
): Stream.Stream<FollowOutcome, FollowError, R | DeliveryLog.DeliveryLog | HeyGenClient.HeyGenClient> =>
  Stream.unwrap(Effect.map(DeliveryLog.DeliveryLog, (log) => {
    const retry = options.retryInFlight ?? defaultRetryInFlight
    let reached: string | null = null
    const events = WebhookEvents.follow({
      since: options.since,
      eventTypes: options.eventTypes,
      entityId: options.entityId,
      pollInterval: options.pollInterval,
      window: options.window
    }, options.request).pipe(
      Stream.mapError((cause) =>
        new FollowError({
          reason: "ListFailed",
          message: `the event log could not be listed: ${cause.message}`,
          reached,
          cause
        })
      )
    )
    return Stream.mapEffect(
      events,
      (event) =>
        Effect.flatMap(
          Receive.handleWaiting(log, handler, WebhookDelivery.fromEvent(event), retry),
          (outcome): Effect.Effect<FollowOutcome, FollowError> => {
            if (outcome === "logUnavailable") {
              return Effect.fail(
                new FollowError({
                  reason: "LogUnavailable",
                  message: `the delivery log failed at event ${event.event_id}`,
                  reached
                })
              )
            }
            reached = event.created_at
            return Effect.succeed({
              eventId: event.event_id,
              eventType: event.event_type,
              createdAt: event.created_at,
              outcome
            })
          }
        )
    )
  }))
