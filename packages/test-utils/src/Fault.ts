/**
 * Faults the fake HeyGen API can be scripted to inject: what goes wrong between a client and HeyGen (proxies,
 * load balancers, networks, a busy API), as opposed to what the API itself answers.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/**
 * The value of a `Retry-After` header a fault sends. An HTTP-date is rendered when the response is sent, from the
 * Effect `Clock`, so the same plan means the same wait under `TestClock` and in real time.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryAfter = Data.TaggedEnum<{
  /** `Retry-After: <seconds>`, the form the spec documents (an integer; any number is sent as given). */
  Seconds: { readonly seconds: number }
  /** `Retry-After: <IMF-fixdate>`, `offsetMillis` after the response is sent (negative: in the past). */
  HttpDate: { readonly offsetMillis: number }
  /** Any header value at all, junk included: `soon`, `-5`, empty. */
  Raw: { readonly value: string }
  /** No `Retry-After` header. */
  Absent: {}
}>

/**
 * Constructors and matchers of `RetryAfter`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const RetryAfter = Data.taggedEnum<RetryAfter>()

/**
 * One fault, applied to one request.
 *
 * - `RateLimit`, `ServerError`, `DropBeforeCommit`: the request never reaches the API, so nothing is stored and
 *   the idempotency key stays unused.
 * - `Slow`: the API takes `delay` (on the Clock) to process the request, while its idempotency key is in flight.
 * - `DropAfterCommit`, `TruncatedBody`, `MalformedBody`: the API processes the request (a create is committed and
 *   its response recorded for replay), then the response is lost, cut mid-body, or mangled on its way back.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Data.TaggedEnum<{
  RateLimit: { readonly retryAfter: RetryAfter }
  ServerError: { readonly status: number; readonly body: "json" | "html" | "empty" }
  Slow: { readonly delay: Duration.DurationInput }
  DropBeforeCommit: {}
  DropAfterCommit: {}
  TruncatedBody: {}
  MalformedBody: {}
}>

/**
 * Constructors and matchers of `Fault`: `Fault.RateLimit({ retryAfter: RetryAfter.Seconds({ seconds: 3 }) })`.
 *
 * @example
 * ```ts
 * import { FakeHeyGen, Fault } from "@effect-heygen/test-utils"
 *
 * // The first request is rate limited (retry after 2 s), the second loses its response after the API committed it,
 * // the third goes through (null: no fault).
 * export const fake = FakeHeyGen.make({
 *   faults: [
 *     Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.Seconds({ seconds: 2 }) }),
 *     Fault.Fault.DropAfterCommit(),
 *     null
 *   ]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const Fault = Data.taggedEnum<Fault>()

/**
 * A fault plan: entry `i` applies to the `i`-th request the fake receives (`null`: none). Requests past the end
 * of the plan get no fault.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultPlan = ReadonlyArray<Fault | null>

/**
 * Whether a fault stops the request before the API sees it (so it can never create anything).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isBeforeCommit = (fault: Fault): boolean =>
  fault._tag === "RateLimit" || fault._tag === "ServerError" || fault._tag === "DropBeforeCommit"

/**
 * Whether a fault corrupts what goes on the wire (a response that no longer is what the spec describes).
 *
 * @since 0.1.0
 * @category predicates
 */
export const corruptsResponse = (fault: Fault): boolean =>
  fault._tag === "ServerError" || fault._tag === "TruncatedBody" || fault._tag === "MalformedBody"
