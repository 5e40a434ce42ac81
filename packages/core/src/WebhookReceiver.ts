/**
 * An `HttpApp` that receives HeyGen's deliveries: mount it on a route of an `@effect/platform` `HttpRouter`
 * (or serve it alone) and give it a handler. Per request it:
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
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { DeliveryLog } from "./DeliveryLog.js"
import { BodyTooLarge, readBounded } from "./internal/boundedBody.js"
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

// Bodies say only what kind of refusal it is: the reason stays in the receiver's logs.
const plain = (status: number, text: string, headers?: Record<string, string>) =>
  HttpServerResponse.text(text, { status, ...(headers === undefined ? {} : { headers }) })
// An explicit empty length: without it Node frames an empty 200 as a chunked body (two writes instead of one).
const ok = HttpServerResponse.empty({ status: 200, headers: { "content-length": "0" } })
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
): HttpApp.Default<never, R | DeliveryLog | Scope.Scope> => {
  const maxBodySize = options.maxBodySize ?? defaultMaxBodySize
  const verifyOptions: WebhookSignature.VerifyOptions = {
    tolerance: options.tolerance,
    allowMissingTimestamp: options.allowMissingTimestamp
  }

  // Plain combinators rather than generators: this runs once per delivery, and each generator step costs.
  const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
    Effect.flatMap(DeliveryLog, (log) =>
      Effect.flatMap(log.claim(delivery.eventId), (claim) => {
        if (claim._tag === "Done") return Effect.succeed(duplicate)
        if (claim._tag === "InFlight") return Effect.succeed(inFlight)
        // The handler is interruptible; recording its outcome is not: a success must be recorded even if the
        // client hung up meanwhile, or the redelivery would run it again.
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(Effect.exit(restore(handler(delivery))), (exit) =>
            Exit.isSuccess(exit)
              ? Effect.as(log.complete(delivery.eventId, claim.token), ok)
              : Effect.zipRight(
                Effect.logError("webhook handler failed", Cause.pretty(exit.cause)).pipe(
                  Effect.annotateLogs({ eventId: delivery.eventId, eventType: delivery.eventType })
                ),
                Effect.as(log.release(delivery.eventId, claim.token), handlerFailed)
              ))
        )
      })).pipe(
        Effect.catchTag("DeliveryLogError", (e) =>
          Effect.as(
            Effect.logError(`webhook delivery log failed to ${e.operation}`).pipe(
              Effect.annotateLogs({ eventId: delivery.eventId })
            ),
            logUnavailable
          ))
      )

  const verify = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array) =>
    Effect.clockWith((clock) =>
      WebhookSignature.verifyAt(body, request.headers, options.secrets, clock.unsafeCurrentTimeMillis(), verifyOptions)
    )

  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    if (request.method !== "POST") return Effect.succeed(methodNotAllowed)
    return Effect.flatMap(
      Effect.flatMap(readBounded(request, maxBodySize), (body) => verify(request, body)),
      handle
    )
  }).pipe(
    Effect.catchAll((e) => {
      if (e instanceof BodyTooLarge) return Effect.succeed(tooLarge)
      if (e._tag === "WebhookVerificationError") {
        return Effect.as(
          Effect.logWarning(`webhook delivery refused: ${e.reason}`).pipe(
            Effect.annotateLogs({ header: e.header ?? "-" })
          ),
          statusOf(e.reason)
        )
      }
      // The body could not be read (the client went away mid-body).
      return Effect.succeed(badRequest)
    })
  )
}
