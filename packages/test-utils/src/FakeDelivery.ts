/**
 * Signed webhook deliveries, as HeyGen sends them: for tests of a receiver, end to end, offline.
 *
 * `deliver` POSTs `{ event_id, event_type, created_at, event_data }` (the body of HeyGen's v3 docs) to every
 * enabled endpoint subscribed to the type (`events: null` means all), with its headers in one of two styles:
 *
 * - `documented` (the default), as HeyGen's docs describe: `Heygen-Signature` (hex HMAC-SHA256 of the exact
 *   body, keyed with the endpoint's secret), `Heygen-Timestamp` (the attempt's dispatch time on the Effect
 *   `Clock`) and `Heygen-Event-Id` (the same on every attempt);
 * - `legacy`, as production integrations report receiving: a plain `signature` header (the same HMAC) and
 *   nothing else, no timestamp and no event-id header (the event id is in the body).
 *
 * A non-2xx answer, a transport error or no answer within the attempt timeout (10 s) is retried on a backoff
 * schedule, as HeyGen does for up to 24 hours.
 *
 * HeyGen refuses non-public endpoint URLs, and so does this engine by default. A test's receiver listens on
 * 127.0.0.1, so give a `route` (every delivery goes to that local address, signed with each endpoint's own
 * secret) or opt in with `allowLoopback`.
 *
 * @example
 * ```ts
 * import { FakeDelivery } from "@effect-heygen/test-utils"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Redacted } from "effect"
 *
 * const endpoint = {
 *   endpoint_id: "ep_1",
 *   url: "https://example.com/hooks",
 *   events: ["avatar_video.success"],
 *   secret: Redacted.make("whsec_test")
 * }
 * const program = FakeDelivery.deliver([endpoint], "avatar_video.success", { video_id: "v1", url: "https://x" }, {
 *   route: "http://127.0.0.1:3000/hooks"
 * }).pipe(Effect.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.2.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { deliveryBody, deliveryHeaders, isPublicUrl } from "./internal/delivery.js"

/**
 * The form of a delivery's headers: `documented` (`Heygen-Signature`, `Heygen-Timestamp`, `Heygen-Event-Id`) or
 * `legacy` (a plain `signature` header only; the event id in the body). See the module's description.
 *
 * @since 0.4.0
 * @category models
 */
export type HeaderStyle = "documented" | "legacy"

/**
 * Both header styles.
 *
 * @since 0.4.0
 * @category constants
 */
export const headerStyles: ReadonlyArray<HeaderStyle> = ["documented", "legacy"]

/**
 * What the engine needs to know of an endpoint (the fields of the API's endpoint, with the secret it signs with).
 *
 * @since 0.2.0
 * @category models
 */
export interface Endpoint {
  readonly endpoint_id: string
  readonly url: string
  /** The subscribed event types; `null` means every type. */
  readonly events: ReadonlyArray<string> | null
  readonly secret: Redacted.Redacted<string>
  /** `enabled` (the default when absent) or anything else, which receives nothing. */
  readonly status?: string | undefined
}

/**
 * One attempt of one endpoint's delivery.
 *
 * @since 0.2.0
 * @category models
 */
export interface Attempt {
  readonly endpointId: string
  /** Where the attempt went (the route, when one was given). */
  readonly url: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The receiver's status, or null when there was none. */
  readonly status: number | null
  readonly outcome: "Delivered" | "Failed" | "TimedOut" | "Unreachable"
  /** Dispatch time, epoch milliseconds on the Effect `Clock`. */
  readonly at: number
}

/**
 * The fate of the event at one endpoint: `Delivered` (a 2xx), `GaveUp` (the schedule ran out), or `Refused`
 * (a non-public URL, never contacted).
 *
 * @since 0.2.0
 * @category models
 */
export interface EndpointDelivery {
  readonly endpointId: string
  readonly url: string
  readonly outcome: "Delivered" | "GaveUp" | "Refused"
  readonly attempts: ReadonlyArray<Attempt>
}

/**
 * One event and what became of it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Delivery {
  readonly eventId: string
  readonly eventType: string
  readonly eventData: Readonly<Record<string, unknown>>
  /** The exact bytes sent (and signed): `{ event_id, event_type, created_at, event_data }`. */
  readonly body: string
  /**
   * When the event was created, epoch milliseconds: the `createdAt` option's time when it was given (and is a
   * time), else the Effect `Clock`'s when `deliver` was called. The body's `created_at` is this, in ISO 8601 (or
   * the option's text as given).
   */
  readonly createdAt: number
  /** The headers' form. */
  readonly headerStyle: HeaderStyle
  readonly endpoints: ReadonlyArray<EndpointDelivery>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Send every delivery here instead of the endpoint's URL (a receiver on 127.0.0.1), or choose per endpoint. */
  readonly route?: string | ((endpoint: Endpoint) => string | undefined) | undefined
  /** Deliver to loopback and private URLs registered on endpoints. Default `false`, as HeyGen. */
  readonly allowLoopback?: boolean | undefined
  /** When to try again after a failed attempt. Default: `defaultRetry`. */
  readonly retry?: Schedule.Schedule<unknown, Attempt> | undefined
  /** How long an attempt may wait for an answer. Default 10 s, as HeyGen. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** The event id; a fresh `evt_...` by default. */
  readonly eventId?: string | undefined
  /** The body's `created_at`, ISO 8601 (an event log's, say); default the Clock's now. */
  readonly createdAt?: string | undefined
  /** The headers' form. Default `documented`. */
  readonly headerStyle?: HeaderStyle | undefined
  /** Called after every attempt (tests use it to follow progress, or to drive a `TestClock`). */
  readonly onAttempt?: ((attempt: Attempt) => Effect.Effect<void>) | undefined
}

/**
 * HeyGen's policy as documented: exponential backoff (from 5 s, doubling, each wait at most 1 hour) for up to
 * 24 hours.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultRetry: Schedule.Schedule<unknown, Attempt> = Schedule.exponential("5 seconds").pipe(
  Schedule.modifyDelay((delay) => Duration.min(delay, Duration.hours(1))),
  Schedule.upTo("24 hours")
)

/**
 * Whether an endpoint receives an event type: enabled, and subscribed to it (or to everything).
 *
 * @since 0.2.0
 * @category predicates
 */
export const receives = (endpoint: Endpoint, eventType: string): boolean =>
  (endpoint.status === undefined || endpoint.status === "enabled") &&
  (endpoint.events === null || endpoint.events.includes(eventType))

const newEventId = Effect.map(
  Effect.all(Array.from({ length: 24 }, () => Random.nextIntBetween(0, 16))),
  (digits) => `evt_${digits.map((d) => d.toString(16)).join("")}`
)

/**
 * Delivers one event to every endpoint that receives it, concurrently, each retried on its own. Never fails:
 * what happened is in the result.
 *
 * @example
 * ```ts
 * import { FakeDelivery } from "@effect-heygen/test-utils"
 * import { Effect, Redacted, Schedule } from "effect"
 *
 * const endpoints = [{ endpoint_id: "ep_1", url: "https://example.com/h", events: null, secret: Redacted.make("whsec_t") }]
 * const program = Effect.gen(function*() {
 *   const delivery = yield* FakeDelivery.deliver(endpoints, "avatar_video.fail", { video_id: "v", msg: "m" }, {
 *     route: "http://127.0.0.1:3000/hooks",
 *     retry: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(3)))
 *   })
 *   return delivery.endpoints.map((e) => e.outcome)
 * })
 * ```
 *
 * @since 0.2.0
 * @category delivering
 */
export const deliver = (
  endpoints: ReadonlyArray<Endpoint>,
  eventType: string,
  eventData: Readonly<Record<string, unknown>>,
  options?: Options
): Effect.Effect<Delivery, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    // No trace headers (b3, traceparent): HeyGen sends none, and a receiver under test sees only what it would.
    const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)
    const eventId = options?.eventId ?? (yield* newEventId)
    const now = yield* Clock.currentTimeMillis
    const given = options?.createdAt === undefined ? NaN : Date.parse(options.createdAt)
    const createdAt = Number.isNaN(given) ? now : given
    const headerStyle = options?.headerStyle ?? "documented"
    // Serialised once: every attempt to every endpoint sends (and signs) these exact bytes.
    const body = deliveryBody({
      eventId,
      eventType,
      createdAt: options?.createdAt ?? new Date(now).toISOString(),
      eventData
    })
    const timeout = options?.attemptTimeout ?? Duration.seconds(10)
    const retry = options?.retry ?? defaultRetry

    const deliverTo = (endpoint: Endpoint): Effect.Effect<EndpointDelivery> =>
      Effect.gen(function*() {
        const route = typeof options?.route === "function" ? options.route(endpoint) : options?.route
        const url = route ?? endpoint.url
        if (route === undefined && options?.allowLoopback !== true && !isPublicUrl(endpoint.url)) {
          return { endpointId: endpoint.endpoint_id, url, outcome: "Refused", attempts: [] }
        }
        const attempts = yield* Ref.make<ReadonlyArray<Attempt>>([])
        const attemptOnce = Effect.gen(function*() {
          const at = yield* Clock.currentTimeMillis
          const n = (yield* Ref.get(attempts)).length + 1
          const request = HttpClientRequest.post(url).pipe(
            HttpClientRequest.bodyText(body, "application/json"),
            HttpClientRequest.setHeaders(deliveryHeaders(headerStyle, body, endpoint.secret, eventId, at))
          )
          const answer = yield* client.execute(request).pipe(
            // Drain the answer so that the connection is free for the next attempt.
            Effect.flatMap((response) => Effect.as(Effect.ignore(response.text), response.status)),
            Effect.timeoutFail({ duration: timeout, onTimeout: () => "TimedOut" as const }),
            Effect.catchTag("RequestError", "ResponseError", () => Effect.fail("Unreachable" as const)),
            Effect.either
          )
          const attempt: Attempt = answer._tag === "Right"
            ? {
              endpointId: endpoint.endpoint_id,
              url,
              attempt: n,
              status: answer.right,
              outcome: answer.right >= 200 && answer.right < 300 ? "Delivered" : "Failed",
              at
            }
            : { endpointId: endpoint.endpoint_id, url, attempt: n, status: null, outcome: answer.left, at }
          yield* Ref.update(attempts, (xs) => [...xs, attempt])
          if (options?.onAttempt !== undefined) yield* options.onAttempt(attempt)
          if (attempt.outcome !== "Delivered") return yield* Effect.fail(attempt)
        })
        const outcome = yield* attemptOnce.pipe(
          Effect.retry(retry),
          Effect.as("Delivered" as const),
          Effect.orElseSucceed(() => "GaveUp" as const)
        )
        return { endpointId: endpoint.endpoint_id, url, outcome, attempts: yield* Ref.get(attempts) }
      })

    const results = yield* Effect.forEach(endpoints.filter((e) => receives(e, eventType)), deliverTo, {
      concurrency: "unbounded"
    })
    return { eventId, eventType, eventData, body, createdAt, headerStyle, endpoints: results }
  })

/**
 * What `deliverEvent` needs of a fake: its endpoints and its event log (a `FakeHeyGen.FakeHeyGen` has both).
 *
 * @since 0.2.0
 * @category models
 */
export interface EventSource {
  readonly endpoints: (account?: string) => Effect.Effect<
    ReadonlyArray<{
      readonly account: string
      readonly endpoint_id: string
      readonly url: string
      readonly events: ReadonlyArray<string> | null
      readonly status: string
      readonly secret: string
    }>
  >
  readonly recordEvent: (event: {
    readonly account?: string | undefined
    readonly eventType: string
    readonly eventData?: Readonly<Record<string, unknown>> | undefined
    readonly eventId?: string | undefined
    /** ISO 8601; default now. */
    readonly createdAt?: string | undefined
  }) => Effect.Effect<
    {
      readonly account: string
      readonly event_id: string
      /** When given, the delivery's body carries it as its `created_at`. */
      readonly created_at?: string | undefined
    }
  >
}

/**
 * Makes something happen in a fake account: records the event in its log (so `WebhookEvents.list` sees it) and
 * delivers it, signed with each endpoint's current secret, to the account's enabled endpoints subscribed to the
 * type. The delivery carries the logged event's id and creation time (in its body, and in `Heygen-Event-Id` in
 * the documented style), so a receiver can match what it was sent with the log.
 *
 * @example
 * ```ts
 * import { FakeDelivery, FakeHeyGen } from "@effect-heygen/test-utils"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const fake = yield* FakeHeyGen.make()
 *   // ... create endpoints through the fake's API ...
 *   return yield* FakeDelivery.deliverEvent(fake, "avatar_video.success", { video_id: "v1", url: "https://x" }, {
 *     route: "http://127.0.0.1:3000/hooks"
 *   })
 * }).pipe(Effect.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.2.0
 * @category delivering
 */
export const deliverEvent = (
  fake: EventSource,
  eventType: string,
  eventData: Readonly<Record<string, unknown>>,
  options?: Options & { readonly account?: string | undefined }
): Effect.Effect<Delivery, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const logged = yield* fake.recordEvent({
      account: options?.account,
      eventType,
      eventData,
      eventId: options?.eventId,
      createdAt: options?.createdAt
    })
    const endpoints = (yield* fake.endpoints(logged.account)).map((e): Endpoint => ({
      endpoint_id: e.endpoint_id,
      url: e.url,
      events: e.events,
      status: e.status,
      secret: Redacted.make(e.secret)
    }))
    return yield* deliver(endpoints, eventType, eventData, {
      ...options,
      eventId: logged.event_id,
      createdAt: logged.created_at ?? options?.createdAt
    })
  })
