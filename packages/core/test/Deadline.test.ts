/**
 * The deadline law (issue 13), for any deadline, attempt timeout, retry policy and failure sequence, under TestClock:
 * - no request leaves after the deadline, and no attempt after the first starts with less than the minimum slice left;
 * - the call ends by the deadline, with the outcome of its last attempt: the real last error (its tag, and the wait a
 *   429 asked for) when the deadline stopped the retries, and `TimeoutError{scope:"call"}` only when that attempt was
 *   cut off in flight by the deadline.
 */
import { RetryPolicy, WebhookEndpoints } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import {
  apiError,
  clientLayer,
  endpointBody,
  makeFake,
  type Reply,
  respond,
  runToEnd,
  validRequest
} from "./fixtures.js"

// What the pipeline promises, restated here so that a change to it has to change the law too.
const minimumSliceMs = 50
const sliceOf = (attemptTimeout: number, deadline: number) => Math.min(minimumSliceMs, attemptTimeout, deadline)

const rateLimited = (seconds: number) =>
  respond(429, { error: { code: "rate_limit_exceeded", message: "slow down" } }, { "retry-after": String(seconds) })

const immediate: FastCheck.Arbitrary<Reply> = FastCheck.oneof(
  FastCheck.constant(apiError(503, "unavailable")),
  FastCheck.constant(apiError(409, "request_in_progress")),
  FastCheck.integer({ min: 0, max: 20 }).map(rateLimited),
  FastCheck.constant<Reply>({ _tag: "ConnectionError" }),
  FastCheck.constant(respond(200, endpointBody()))
)
const replyArb: FastCheck.Arbitrary<Reply> = FastCheck.oneof(
  { weight: 5, arbitrary: immediate },
  { weight: 1, arbitrary: FastCheck.constant<Reply>({ _tag: "Hang" }) },
  {
    weight: 2,
    arbitrary: FastCheck.tuple(FastCheck.integer({ min: 1, max: 12_000 }), immediate).map(([after, reply]): Reply => ({
      _tag: "Slow",
      after,
      reply
    }))
  }
)

const policyArb = FastCheck.record({
  maxRetries: FastCheck.integer({ min: 0, max: 5 }),
  baseDelay: FastCheck.integer({ min: 1, max: 3_000 }),
  maxDelay: FastCheck.integer({ min: 1, max: 8_000 }),
  retryAfterCeiling: FastCheck.integer({ min: 0, max: 30_000 })
})

interface Expected {
  readonly tag: string
  readonly scope?: "attempt" | "call"
  readonly retryAfterMs?: number
  /** The reply and the time limit arrive together: either may win. */
  readonly tie?: boolean
}

const tagOf = (reply: Reply): Expected => {
  switch (reply._tag) {
    case "ConnectionError":
      return { tag: "TransportError" }
    case "Respond":
      if (reply.status === 200) return { tag: "Success" }
      if (reply.status === 429) {
        return { tag: "RateLimited", retryAfterMs: Number(reply.headers?.["retry-after"]) * 1000 }
      }
      if (reply.status === 409) return { tag: "RequestInProgress" }
      return { tag: "ApiError" }
    default:
      throw new Error(`not an immediate reply: ${reply._tag}`)
  }
}

/** What the last attempt, sent at `at`, must end in. */
const expectedOutcome = (reply: Reply, at: number, attemptTimeout: number, deadline: number): Expected => {
  const left = deadline - at
  const limit = Math.min(attemptTimeout, left)
  const scope = left < attemptTimeout ? "call" : "attempt"
  if (reply._tag === "Hang") return { tag: "TimeoutError", scope }
  if (reply._tag === "Slow") {
    if (reply.after > limit) return { tag: "TimeoutError", scope }
    return reply.after === limit ? { ...tagOf(reply.reply), tie: true, scope } : tagOf(reply.reply)
  }
  return tagOf(reply)
}

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): { tag: string; scope?: unknown; retryAfterMs?: number } => {
  if (Exit.isSuccess(exit)) return { tag: "Success" }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  const e = failure.value as { _tag: string; scope?: unknown; retryAfter?: Option.Option<Duration.Duration> }
  return {
    tag: e._tag,
    ...(e.scope === undefined ? {} : { scope: e.scope }),
    ...(e.retryAfter === undefined
      ? {}
      : { retryAfterMs: Option.getOrElse(Option.map(e.retryAfter, Duration.toMillis), () => -1) })
  }
}

const scriptOf = (replies: ReadonlyArray<Reply>, i: number) => replies[Math.min(i, replies.length - 1)]!

describe("the deadline law", () => {
  it.effect.prop(
    "no request leaves after the deadline or with less than the slice left; the call ends with its last attempt's real outcome",
    [
      FastCheck.integer({ min: 1, max: 20_000 }),
      FastCheck.integer({ min: 1, max: 15_000 }),
      policyArb,
      FastCheck.array(replyArb, { minLength: 1, maxLength: 7 })
    ],
    ([deadline, attemptTimeout, policy, replies]) =>
      Effect.gen(function*() {
        const fake = makeFake(replies)
        const start = yield* Clock.currentTimeMillis
        const exit = yield* runToEnd(
          WebhookEndpoints.create(validRequest, { deadline, attemptTimeout, retryPolicy: RetryPolicy.make(policy) })
            .pipe(
              Effect.provide(clientLayer(fake))
            )
        )
        const end = (yield* Clock.currentTimeMillis) - start
        const sent = fake.requests.map((r) => r.at - start)
        const slice = sliceOf(attemptTimeout, deadline)

        expect(sent[0]).toBe(0)
        for (const at of sent.slice(1)) {
          expect(at).toBeLessThan(deadline)
          expect(deadline - at).toBeGreaterThanOrEqual(slice)
        }
        expect(end).toBeLessThanOrEqual(deadline)

        const last = sent.length - 1
        const expected = expectedOutcome(scriptOf(replies, last), sent[last]!, attemptTimeout, deadline)
        const actual = outcomeOf(exit)
        if (expected.tie === true) {
          // The reply landed on the very tick the limit ran out: either is a faithful outcome.
          expect([expected.tag, "TimeoutError"]).toContain(actual.tag)
          if (actual.tag === "TimeoutError") expect(actual.scope).toBe(expected.scope)
        } else {
          expect(actual.tag).toBe(expected.tag)
          if (expected.scope !== undefined) expect(actual.scope).toBe(expected.scope)
          if (expected.retryAfterMs !== undefined) expect(actual.retryAfterMs).toBe(expected.retryAfterMs)
        }
        // A call-scoped timeout only ever ends a call at its deadline, cutting an attempt in flight.
        if (actual.tag === "TimeoutError" && actual.scope === "call") {
          expect(end).toBe(deadline)
          expect(fake.interrupted.count).toBeGreaterThan(0)
        }
      }),
    { timeout: 120_000, fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "with a timer that fires late (as real ones do), no attempt starts with less than the slice left",
    [
      FastCheck.integer({ min: 100, max: 5_000 }),
      FastCheck.integer({ min: 1, max: 200 }),
      FastCheck.integer({ min: 1, max: 1_000 }),
      FastCheck.array(
        FastCheck.oneof(
          FastCheck.constant(apiError(503, "unavailable")),
          FastCheck.integer({ min: 0, max: 3 }).map(rateLimited)
        ),
        { minLength: 1, maxLength: 4 }
      )
    ],
    ([deadline, lateness, baseDelay, replies]) =>
      Effect.gen(function*() {
        const fake = makeFake(replies)
        const clock = yield* Effect.clock
        const late: Clock.Clock = {
          [Clock.ClockTypeId]: Clock.ClockTypeId,
          unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis(),
          unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
          currentTimeMillis: clock.currentTimeMillis,
          currentTimeNanos: clock.currentTimeNanos,
          sleep: (duration) => clock.sleep(Duration.sum(duration, Duration.millis(lateness)))
        }
        yield* runToEnd(
          WebhookEndpoints.create(validRequest, {
            deadline,
            retryPolicy: RetryPolicy.make({ maxRetries: 6, baseDelay, maxDelay: 2_000 })
          }).pipe(Effect.provide(clientLayer(fake)), Effect.withClock(late))
        )
        for (const request of fake.requests.slice(1)) {
          expect(deadline - request.at).toBeGreaterThanOrEqual(minimumSliceMs)
        }
      }),
    { timeout: 120_000, fastCheck: { numRuns: 150 } }
  )
})
