import { HeyGenError, RetryPolicy, WebhookEndpoints } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { clientLayer, endpointBody, makeFake, respond, runToEnd, validRequest } from "./fixtures.js"

const millis = (value: string | undefined, now = 0) =>
  Option.map(RetryPolicy.parseRetryAfter(value, now), Duration.toMillis)

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(millis("3")).toEqual(Option.some(3_000))
    expect(millis(" 120 ")).toEqual(Option.some(120_000))
    expect(millis("0")).toEqual(Option.some(0))
    expect(millis("1.5")).toEqual(Option.some(1_500))
  })

  it("reads the three HTTP-date forms as GMT, relative to now", () => {
    const now = Date.UTC(2015, 9, 21, 7, 27, 30)
    expect(millis("Wed, 21 Oct 2015 07:28:00 GMT", now)).toEqual(Option.some(30_000))
    expect(millis("Wednesday, 21-Oct-15 07:28:00 GMT", now)).toEqual(Option.some(30_000))
    expect(millis("Wed Oct 21 07:28:00 2015", now)).toEqual(Option.some(30_000))
    expect(millis("Wed Oct  7 07:28:00 2015", Date.UTC(2015, 9, 7, 7, 28, 0))).toEqual(Option.some(0))
  })

  it("a date already past means no wait", () => {
    expect(millis("Wed, 21 Oct 2015 07:28:00 GMT", Date.UTC(2016, 0, 1))).toEqual(Option.some(0))
  })

  it("missing, empty, negative and garbage values are None (back off instead)", () => {
    for (
      const value of [
        undefined,
        "",
        "   ",
        "-1",
        "-0.5",
        "soon",
        "1e3",
        "0x10",
        "12:00",
        "2024-01-01",
        "Infinity",
        "NaN",
        "3 seconds"
      ]
    ) {
      expect(millis(value)).toEqual(Option.none())
    }
  })

  it("a huge value is an enormous wait, not an overflow to something small", () => {
    const parsed = RetryPolicy.parseRetryAfter("9".repeat(400), 0)
    expect(Option.isSome(parsed) && Duration.greaterThan(parsed.value, Duration.days(365))).toBe(true)
  })

  it.prop("never throws, and anything it returns is a wait of zero or more", [
    FastCheck.string(),
    FastCheck.integer({ min: 0, max: 4e12 })
  ], ([value, now]) => {
    const parsed = RetryPolicy.parseRetryAfter(value, now)
    return Option.match(parsed, { onNone: () => true, onSome: (d) => Duration.greaterThanOrEqualTo(d, Duration.zero) })
  })
})

describe("isTransient", () => {
  it("retries only what is safe and may pass next time", () => {
    const key = { idempotencyKey: "k", requestId: null }
    const api = (status: number) => ({ ...key, status, code: "c", message: "m", param: null, docUrl: null })
    const unexpected = (status: number) =>
      new HeyGenError.UnexpectedResponse({ ...key, status, message: "m", bodyExcerpt: "" })
    expect(RetryPolicy.isTransient(new HeyGenError.ApiError(api(503)))).toBe(true)
    expect(RetryPolicy.isTransient(new HeyGenError.ApiError(api(404)))).toBe(false)
    expect(RetryPolicy.isTransient(new HeyGenError.Conflict(api(409)))).toBe(false)
    expect(RetryPolicy.isTransient(new HeyGenError.RequestInProgress(api(409)))).toBe(true)
    expect(RetryPolicy.isTransient(new HeyGenError.InvalidParameter(api(400)))).toBe(false)
    expect(RetryPolicy.isTransient(new HeyGenError.AuthenticationFailed(api(401)))).toBe(false)
    expect(RetryPolicy.isTransient(unexpected(200))).toBe(false)
    expect(RetryPolicy.isTransient(unexpected(502))).toBe(true)
    expect(RetryPolicy.isTransient(new HeyGenError.TransportError({ message: "m", idempotencyKey: "k" }))).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The Retry-After law, over generated sequences of replies. The expected waits are computed here from what was
// generated, not by calling parseRetryAfter, so a parser bug cannot hide itself.

type RetryAfter =
  | { readonly _tag: "Seconds"; readonly seconds: number }
  | { readonly _tag: "Date"; readonly offsetMillis: number }
  | { readonly _tag: "Junk"; readonly header: string }
  | { readonly _tag: "Huge"; readonly header: string }
  | { readonly _tag: "Absent" }

type Step = { readonly _tag: "RateLimited"; readonly retryAfter: RetryAfter } | { readonly _tag: "Unavailable" } | {
  readonly _tag: "Ok"
}

const retryAfterArb: FastCheck.Arbitrary<RetryAfter> = FastCheck.oneof(
  FastCheck.integer({ min: 0, max: 90 }).map((seconds) => ({ _tag: "Seconds" as const, seconds })),
  FastCheck.integer({ min: -30_000, max: 90_000 }).map((offsetMillis) => ({ _tag: "Date" as const, offsetMillis })),
  FastCheck.oneof(
    FastCheck.constantFrom("", " ", "-5", "-0", "soon", "1e2", "NaN", "Tomorrow", "Mon", "2024-01-01"),
    FastCheck.integer({ min: 1, max: 1e6 }).map((n) => `-${n}`),
    FastCheck.stringMatching(/^[a-z !#%&?]{1,12}$/)
  ).map((header) => ({ _tag: "Junk" as const, header })),
  FastCheck.oneof(FastCheck.integer({ min: 61, max: 1e9 }).map(String), FastCheck.constant("9".repeat(400))).map(
    (header) => ({ _tag: "Huge" as const, header })
  ),
  FastCheck.constant({ _tag: "Absent" as const })
)

const stepArb: FastCheck.Arbitrary<Step> = FastCheck.oneof(
  { weight: 6, arbitrary: retryAfterArb.map((retryAfter) => ({ _tag: "RateLimited" as const, retryAfter })) },
  { weight: 1, arbitrary: FastCheck.constant({ _tag: "Unavailable" as const }) },
  { weight: 1, arbitrary: FastCheck.constant({ _tag: "Ok" as const }) }
)

/** The header a step sends at `now`, and the earliest time the next attempt may start (null: no constraint). */
const render = (retryAfter: RetryAfter, now: number): { header: string | null; notBefore: number | null } => {
  switch (retryAfter._tag) {
    case "Seconds":
      return { header: String(retryAfter.seconds), notBefore: now + retryAfter.seconds * 1000 }
    case "Date": {
      // HTTP-dates have whole seconds.
      const at = Math.floor((now + retryAfter.offsetMillis) / 1000) * 1000
      return { header: new Date(at).toUTCString(), notBefore: at }
    }
    case "Huge":
      return { header: retryAfter.header, notBefore: now + Number(retryAfter.header) * 1000 }
    case "Junk":
      return { header: retryAfter.header, notBefore: null }
    case "Absent":
      return { header: null, notBefore: null }
  }
}

const ceilingMillis = 60_000
const maxRetries = 2

describe("the default policy and Retry-After", () => {
  it.effect.prop(
    "no attempt before the previous Retry-After; at most 1 + maxRetries attempts; a wait above the ceiling fails at once",
    [FastCheck.array(stepArb, { minLength: 1, maxLength: 5 }), FastCheck.integer({ min: 0, max: 2e12 })],
    ([steps, start]) =>
      Effect.gen(function*() {
        const notBefore: Array<number | null> = []
        const fake = makeFake((n, now) => {
          const step = steps[Math.min(n, steps.length - 1)]!
          if (step._tag === "Ok") return respond(200, endpointBody())
          if (step._tag === "Unavailable") return respond(503, { error: { code: "unavailable", message: "x" } })
          const { header, notBefore: earliest } = render(step.retryAfter, now)
          notBefore[n] = earliest
          return respond(
            429,
            { error: { code: "rate_limit_exceeded", message: "x" } },
            header === null ? {} : { "retry-after": header }
          )
        })
        // Start the virtual clock at an arbitrary instant so that HTTP-dates vary.
        yield* TestClock.setTime(start)
        const exit = yield* runToEnd(WebhookEndpoints.create(validRequest).pipe(Effect.provide(clientLayer(fake))))
        const times = fake.requests.map((r) => r.at)

        // At most 1 + maxRetries attempts.
        expect(times.length).toBeGreaterThanOrEqual(1)
        expect(times.length).toBeLessThanOrEqual(1 + maxRetries)
        // No attempt before the Retry-After its predecessor was given.
        for (let i = 1; i < times.length; i++) {
          const earliest = notBefore[i - 1]
          if (earliest != null) expect(times[i]).toBeGreaterThanOrEqual(earliest)
        }
        // A wait above the ceiling ends the call at once with RateLimited carrying that wait.
        const last = times.length - 1
        const lastStep = steps[Math.min(last, steps.length - 1)]!
        const lastWait = notBefore[last] == null ? null : notBefore[last]! - times[last]!
        if (lastWait !== null && lastWait > ceilingMillis) {
          expect(Exit.isFailure(exit)).toBe(true)
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          expect(Option.map(error, (e) => e._tag)).toEqual(Option.some("RateLimited"))
          const carried = Option.flatMap(error, (e) => (e._tag === "RateLimited" ? e.retryAfter : Option.none()))
          expect(Option.isSome(carried)).toBe(true)
          const carriedMillis = Option.getOrThrow(Option.map(carried, Duration.toMillis))
          // Durations keep fractional milliseconds as whole nanoseconds, hence the tolerance.
          if (Number.isFinite(lastWait)) expect(carriedMillis).toBeCloseTo(lastWait, 3)
          else expect(carriedMillis).toBe(Infinity)
        }
        // Every wait that was honoured was within the ceiling.
        for (let i = 0; i < last; i++) {
          const earliest = notBefore[i]
          if (earliest != null) expect(earliest - times[i]!).toBeLessThanOrEqual(ceilingMillis)
        }
        // Success only on an Ok step.
        if (Exit.isSuccess(exit)) expect(lastStep._tag).toBe("Ok")
      }),
    // 200 runs took 18 s to over 30 s (vitest's default limit) on two cores shared by other jobs (load ~17).
    { timeout: 120_000, fastCheck: { numRuns: 200 } }
  )
})

describe("the Retry-After ceiling", () => {
  // The boundary itself: the ceiling is the longest wait worth making inside a call, so a wait of exactly the
  // ceiling is made, and one a millisecond longer is handed back to the caller at once.
  it.effect.prop(
    "a Retry-After of exactly the ceiling is waited and retried; a millisecond more fails at once with RateLimited",
    [FastCheck.option(FastCheck.integer({ min: 1, max: 600 }), { nil: undefined }), FastCheck.boolean()],
    ([ceilingSeconds, above]) =>
      Effect.gen(function*() {
        const ceiling = (ceilingSeconds ?? Duration.toSeconds(RetryPolicy.defaults.retryAfterCeiling)) * 1000
        const header = above ? ((ceiling + 1) / 1000).toFixed(3) : String(ceiling / 1000)
        const fake = makeFake([
          respond(429, { error: { code: "rate_limit_exceeded", message: "x" } }, { "retry-after": header }),
          respond(200, endpointBody())
        ])
        const layer = clientLayer(fake, {
          // Only the ceiling decides here, not the deadline.
          deadline: Duration.hours(1),
          ...(ceilingSeconds === undefined ? {} : { retryAfterCeiling: Duration.seconds(ceilingSeconds) })
        })
        const exit = yield* runToEnd(WebhookEndpoints.create(validRequest).pipe(Effect.provide(layer)))
        const times = fake.requests.map((r) => r.at)
        if (!above) {
          expect(Exit.isSuccess(exit), `Retry-After ${header} s with a ${ceiling} ms ceiling`).toBe(true)
          expect(times).toEqual([times[0], times[0]! + ceiling])
        } else {
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          expect(Option.map(error, (e) => e._tag), `Retry-After ${header} s with a ${ceiling} ms ceiling`).toEqual(
            Option.some("RateLimited")
          )
          const carried = Option.flatMap(error, (e) => (e._tag === "RateLimited" ? e.retryAfter : Option.none()))
            .pipe(Option.map(Duration.toMillis))
          expect(Option.getOrThrow(carried)).toBeCloseTo(ceiling + 1, 3)
          expect(times).toHaveLength(1)
          // At once: no time passed after the 429.
          expect(yield* Clock.currentTimeMillis).toBe(times[0])
        }
      }),
    { fastCheck: { numRuns: 60 } }
  )
})

describe("the backoff", () => {
  const apiFailure = { code: "c", message: "m", param: null, docUrl: null, requestId: null, idempotencyKey: "k" }
  /** Transient failures that ask for no particular wait, so the backoff alone sets the delay. */
  const transient = FastCheck.constantFrom<HeyGenError.RequestFailure>(
    new HeyGenError.ApiError({ ...apiFailure, status: 503 }),
    new HeyGenError.RequestInProgress({ ...apiFailure, status: 409 }),
    new HeyGenError.RateLimited({ ...apiFailure, status: 429, retryAfter: Option.none() }),
    new HeyGenError.UnexpectedResponse({
      status: 502,
      message: "m",
      bodyExcerpt: "",
      requestId: null,
      idempotencyKey: "k"
    })
  )
  // Effect's `Schedule.jittered` multiplies each delay by a factor between 0.8 and 1.2 (its source:
  // `d * 0.8 * (1 - r) + d * 1.2 * r`, r from the Random service), so a fixed Random reaches any point of the band,
  // its edges included.
  const jitter = { min: 0.8, max: 1.2 } as const

  it.effect.prop(
    "retry n waits base·2^n within the jitter band, capped at maxDelay, in whole ms: it grows until the cap",
    [
      FastCheck.integer({ min: 1, max: 2_000 }),
      FastCheck.integer({ min: 1, max: 30_000 }),
      FastCheck.integer({ min: 1, max: 12 }),
      FastCheck.tuple(
        FastCheck.double({ min: 0, max: 1, noNaN: true }),
        FastCheck.array(FastCheck.double({ min: 0, max: 1, noNaN: true }))
      ),
      FastCheck.array(transient, { minLength: 1 })
    ],
    ([base, cap, maxRetries, [r, rs], failures]) =>
      Effect.gen(function*() {
        const policy = RetryPolicy.make({
          maxRetries,
          baseDelay: Duration.millis(base),
          maxDelay: Duration.millis(cap)
        })
        const inputs = Array.from({ length: maxRetries }, (_, i) => failures[i % failures.length]!)
        const delays = yield* Schedule.run(Schedule.delays(policy), 0, inputs).pipe(
          Effect.withRandom(Random.fixed([r, ...rs])),
          Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map(Duration.toMillis))
        )
        expect(delays).toHaveLength(maxRetries)
        delays.forEach((delay, n) => {
          const nominal = base * 2 ** n
          const low = Math.min(nominal * jitter.min, cap)
          const high = Math.min(nominal * jitter.max, cap)
          const where = `retry ${n + 1} (base ${base} ms, cap ${cap} ms): waited ${delay} ms, band ${low}-${high} ms`
          expect(Number.isInteger(delay), where).toBe(true)
          // Rounded up to whole ms, so at most one ms above the band (and a float's hair for the bounds themselves).
          expect(delay, where).toBeGreaterThanOrEqual(low - 1e-6)
          expect(delay, where).toBeLessThanOrEqual(Math.ceil(high + 1e-6))
        })
      }),
    { fastCheck: { numRuns: 200 } }
  )
})
