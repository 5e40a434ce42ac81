/**
 * When a failed request is tried again: a plain Effect `Schedule`, so a caller can replace it or compose it.
 *
 * The default retries only what is safe and likely to pass next time (a retry resends the same
 * Idempotency-Key, so a create the server already committed is replayed, never repeated), and never starts an
 * attempt before the server's `Retry-After` has elapsed.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { RequestFailure } from "./HeyGenError.js"

/**
 * A retry policy: a schedule fed with each failure.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = Schedule.Schedule<unknown, RequestFailure>

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number | undefined
  /** First backoff delay, doubled on each retry and jittered (default 500 ms). */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** Largest backoff delay (default 8 s). Retry-After is never shortened by it. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /**
   * The longest Retry-After worth waiting for inside a call (default 60 s). A longer one fails the call at once
   * with `RateLimited` carrying the wait, so the caller decides.
   */
  readonly retryAfterCeiling?: Duration.DurationInput | undefined
}

/**
 * The defaults of `make`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  maxRetries: 2,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(8),
  retryAfterCeiling: Duration.seconds(60)
} as const

/**
 * Whether the server may have acted on an attempt that failed this way: the response was lost (a dropped
 * connection, a timeout) or the server broke (5xx) after perhaps committing. Repeating such a request is safe only
 * when the operation is (a read, an absolute update, a delete, or a POST with an Idempotency-Key).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isOutcomeLost = (error: RequestFailure): boolean => {
  switch (error._tag) {
    case "TransportError":
    case "TimeoutError":
      return true
    case "ApiError":
    case "UnexpectedResponse":
      // A proxy's HTML 502 page is as transient as HeyGen's own JSON 503.
      return error.status >= 500
    default:
      return false
  }
}

/**
 * Whether a failure is transient: worth the same request again. Conflict, 400, 401 and other 4xx are not; nor is
 * a 2xx whose body does not decode (a retry would replay the same body).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: RequestFailure): boolean =>
  error._tag === "RequestInProgress" || error._tag === "RateLimited" || isOutcomeLost(error)

const weekday = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i
const deltaSeconds = /^\d+(\.\d+)?$/
const asctime = /^[a-z]{3} [a-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/i

/**
 * Parses a `Retry-After` value, as delta-seconds or an HTTP-date, against `nowMillis`.
 * Returns `None` for a missing, empty, negative or unparseable value (the caller falls back to backoff), and
 * zero for a date already past.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseRetryAfter = (
  value: string | null | undefined,
  nowMillis: number
): Option.Option<Duration.Duration> => {
  if (value == null) return Option.none()
  const trimmed = value.trim()
  if (deltaSeconds.test(trimmed)) {
    // A huge value becomes an infinite duration, which is above any ceiling: the call fails with it.
    return Option.some(Duration.seconds(Number(trimmed)))
  }
  // `Date.parse` accepts far too much ("1", "2024"), so insist on the weekday every HTTP-date form starts with.
  if (!weekday.test(trimmed)) return Option.none()
  // asctime dates carry no zone but are GMT by definition; without one, Date.parse would read local time.
  const at = Date.parse(asctime.test(trimmed) ? `${trimmed} GMT` : trimmed)
  if (Number.isNaN(at)) return Option.none()
  return Option.some(Duration.millis(Math.max(0, at - nowMillis)))
}

/**
 * The wait a failure asks for, if it is a 429 with a usable Retry-After.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryAfterOf = (error: RequestFailure): Option.Option<Duration.Duration> =>
  error._tag === "RateLimited" ? error.retryAfter : Option.none()

const wholeMillisUp = (d: Duration.Duration): Duration.Duration =>
  Duration.isFinite(d) ? Duration.millis(Math.ceil(Duration.toMillis(d))) : d

/**
 * Builds the default kind of policy: jittered exponential backoff for transient failures, never earlier than a
 * 429's Retry-After, at most `maxRetries` retries, and no retry at all when Retry-After exceeds the ceiling.
 *
 * @example
 * ```ts
 * import { RetryPolicy, WebhookEndpoints } from "@effect-heygen/core"
 *
 * // More patience than the default for one call: five retries, waits of up to 10 s, and honour a Retry-After of up
 * // to two minutes instead of failing with RateLimited.
 * const patient = RetryPolicy.make({ maxRetries: 5, maxDelay: "10 seconds", retryAfterCeiling: "2 minutes" })
 *
 * export const program = WebhookEndpoints.create(
 *   { url: "https://example.com/hooks/heygen" },
 *   { retryPolicy: patient }
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): RetryPolicy => {
  const maxRetries = options.maxRetries ?? defaults.maxRetries
  const maxDelay = Duration.decode(options.maxDelay ?? defaults.maxDelay)
  const ceiling = Duration.decode(options.retryAfterCeiling ?? defaults.retryAfterCeiling)
  const backoff = Schedule.exponential(options.baseDelay ?? defaults.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay))
  )
  const withinCeiling = (error: RequestFailure) =>
    Option.match(retryAfterOf(error), {
      onNone: () => true,
      onSome: (wait) => Duration.lessThanOrEqualTo(wait, ceiling)
    })
  return Schedule.identity<RequestFailure>().pipe(
    Schedule.intersect(backoff),
    Schedule.modifyDelay(([error], delay) =>
      // Whole milliseconds, rounded up: jitter makes fractional delays, and a clock advanced by fractions can
      // compare a hair short of a Retry-After in floating point (a consumer's TestClock-based test would see it).
      wholeMillisUp(
        Option.match(retryAfterOf(error), { onNone: () => delay, onSome: (wait) => Duration.max(delay, wait) })
      )
    ),
    Schedule.whileInput((error: RequestFailure) => isTransient(error) && withinCeiling(error)),
    Schedule.intersect(Schedule.recurs(maxRetries))
  )
}

/**
 * The default policy: `make()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: RetryPolicy = make()

/**
 * A policy that never retries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const never: RetryPolicy = Schedule.stop
