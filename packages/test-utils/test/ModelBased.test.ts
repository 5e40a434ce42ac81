// The model-based property test of core's create call against the fake, under generated fault plans and the
// default retry policy. Runs FAKE_HEYGEN_RUNS sequences (default 200).
import type { WebhookEventType } from "@effect-heygen/core"
import { HeyGenClient, HeyGenError, WebhookEndpoints } from "@effect-heygen/core"
import { Arbitraries, FakeHeyGen } from "@effect-heygen/test-utils"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { drive } from "./support.js"

const runs = Number(process.env["FAKE_HEYGEN_RUNS"] ?? 200)

const accounts = ["acct_a", "acct_b"] as const
// Few URLs and keys, so that conflicts, shared keys and replays are common rather than rare.
const urls = ["https://a.example.com/hook", "https://b.example.com/hook", "https://c.example.com/hook"] as const
const fixedKeys = ["fixed-key-0", "fixed-key-1"] as const

interface CallSpec {
  readonly account: 0 | 1
  readonly url: 0 | 1 | 2
  /** `null`: let core generate the key. */
  readonly key: 0 | 1 | null
  readonly events: ReadonlyArray<WebhookEventType.WebhookEventType> | null
}

const callSpec: FastCheck.Arbitrary<CallSpec> = FastCheck.record({
  account: FastCheck.constantFrom(0 as const, 1 as const),
  url: FastCheck.constantFrom(0 as const, 1 as const, 2 as const),
  key: FastCheck.option(FastCheck.constantFrom(0 as const, 1 as const), { nil: null, freq: 2 }),
  events: FastCheck.option(FastCheck.array(Arbitraries.eventType, { maxLength: 2 }), { nil: null })
})

const scenario = FastCheck.record({
  /** Steps run one after the other; the calls of a step run concurrently. */
  steps: FastCheck.array(FastCheck.array(callSpec, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
  faults: Arbitraries.faultPlan({ maxLength: 14 }),
  latencyMillis: FastCheck.constantFrom(0, 0, 300, 4_000),
  rateLimited: FastCheck.boolean()
})

type CallResult = Exit.Exit<WebhookEndpoints.CreateWebhookEndpointResult, HeyGenError.HeyGenError>

interface Call {
  readonly id: string
  readonly spec: CallSpec
  readonly idempotencyKey: string | undefined
  readonly result: CallResult
}

const callHeader = "x-test-call"
// Jittered backoff makes clock times fractional, and `start + wait - start` in floating point can fall a few
// femtoseconds short of `wait`: allow a nanosecond, far below any real early send.
const clockEpsilon = 1e-6

/** One logical call through core, with the default retry policy, tagged so the fake's log attributes requests. */
const runCall = (fake: FakeHeyGen.FakeHeyGen, id: string, spec: CallSpec, idempotencyKey: string | undefined) => {
  const httpClient = FakeHeyGen.httpClient(fake).pipe(
    HttpClient.mapRequest(HttpClientRequest.setHeader(callHeader, id))
  )
  const client = HeyGenClient.make({ apiKey: accounts[spec.account] }).pipe(
    Effect.provideService(HttpClient.HttpClient, httpClient),
    Effect.orDie
  )
  return WebhookEndpoints.create(
    { url: urls[spec.url], events: spec.events },
    idempotencyKey === undefined ? undefined : { idempotencyKey }
  ).pipe(
    Effect.provideServiceEffect(HeyGenClient.HeyGenClient, client),
    Effect.exit,
    Effect.map((result): Call => ({ id, spec, idempotencyKey, result }))
  )
}

const runConcurrently = (effects: ReadonlyArray<Effect.Effect<Call>>) =>
  Effect.gen(function*() {
    const fibers = yield* Effect.forEach(effects, (effect) => Effect.fork(effect))
    yield* drive(fibers)
    return yield* Effect.forEach(fibers, (fiber) => fiber.await.pipe(Effect.flatten))
  })

/** The wait a 429 asked for, read as the spec and RFC 9110 define Retry-After (delta-seconds or HTTP-date). */
const askedWait = (value: string | undefined, at: number): number | null => {
  if (value === undefined) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)
    ? Date.parse(trimmed)
    : NaN
  return Number.isNaN(date) ? null : Math.max(0, date - at)
}

const failureOf = (call: Call) =>
  Exit.isFailure(call.result) ? Cause.failureOption(call.result.cause) : Option.none<HeyGenError.HeyGenError>()

const property = (
  { faults, latencyMillis, rateLimited, steps }: typeof scenario extends FastCheck.Arbitrary<infer S> ? S : never
) =>
  Effect.gen(function*() {
    const fake = yield* FakeHeyGen.make({
      apiKeys: accounts,
      faults,
      latency: latencyMillis,
      rateLimit: rateLimited ? { limit: 3, window: "5 seconds" } : undefined
    })
    const calls: Array<Call> = []
    for (const [i, step] of steps.entries()) {
      calls.push(
        ...(yield* runConcurrently(
          step.map((spec, j) => runCall(fake, `c${i}.${j}`, spec, spec.key === null ? undefined : fixedKeys[spec.key]))
        ))
      )
    }

    const exchanges = yield* fake.exchanges
    const requestsOf = (id: string) => exchanges.filter((e) => e.request.headers[callHeader] === id)
    const keyOf = (id: string) => requestsOf(id)[0]?.request.headers["idempotency-key"]

    for (const call of calls) {
      const mine = requestsOf(call.id)
      // Every attempt of one call sends the one key of that call.
      expect(new Set(mine.map((e) => e.request.headers["idempotency-key"])), `keys sent by ${call.id}`).toEqual(
        new Set([keyOf(call.id)])
      )
      if (call.idempotencyKey !== undefined) expect(keyOf(call.id)).toBe(call.idempotencyKey)
    }

    const stored = yield* fake.endpoints()
    // (i) an account never holds two endpoints with the same URL.
    for (const account of accounts) {
      const held = stored.filter((e) => e.account === account).map((e) => e.url)
      expect(new Set(held).size, `URLs of ${account}`).toBe(held.length)
    }

    for (const call of calls) {
      const mine = requestsOf(call.id)
      if (Exit.isSuccess(call.result)) {
        // (ii) a success returned the endpoint that is stored, with the secret it was stored with.
        const { endpoint } = call.result.value
        const kept = stored.find((e) => e.endpoint_id === endpoint.endpoint_id)
        expect(kept, `endpoint returned to ${call.id}`).toBeDefined()
        expect({
          account: kept?.account,
          url: kept?.url,
          events: kept?.events,
          status: kept?.status,
          created_at: kept?.created_at,
          secret: kept?.secret
        }).toEqual({
          account: accounts[call.spec.account],
          url: endpoint.url,
          events: endpoint.events,
          status: endpoint.status,
          created_at: endpoint.created_at,
          secret: endpoint.secret === null ? null : Redacted.value(endpoint.secret)
        })
        expect(call.result.value.idempotencyKey).toBe(keyOf(call.id))
        expect(call.result.value.attempts).toBe(mine.length)
      } else {
        // (iii) a failure is a typed error (never a defect) carrying the call's key...
        const error = failureOf(call)
        expect(Option.isSome(error), `${call.id} failed with ${Cause.pretty(call.result.cause)}`).toBe(true)
        const failure = Option.getOrThrow(error)
        expect(HeyGenError.isHeyGenError(failure)).toBe(true)
        expect("idempotencyKey" in failure && failure.idempotencyKey, `key on ${failure._tag}`).toBe(keyOf(call.id))
        // ...and a call is never refused because of what its own earlier attempt created.
        if (failure._tag === "Conflict") {
          const own = new Set(mine.map((e) => e.seq))
          const blocker = stored.find((e) => e.account === accounts[call.spec.account] && e.url === urls[call.spec.url])
          expect(own.has(blocker?.createdBy ?? -1), `${call.id} refused by its own earlier attempt`).toBe(false)
        }
      }
      // (iv) no request is sent before a Retry-After it was given has elapsed.
      for (const [previous, next] of mine.slice(0, -1).map((e, k) => [e, mine[k + 1]!] as const)) {
        const reply = previous.reply
        if (reply?._tag !== "Respond" || reply.response.status !== 429 || previous.repliedAt === null) continue
        const wait = askedWait(reply.response.headers["retry-after"], previous.repliedAt)
        if (wait === null) continue
        expect(
          next.receivedAt - previous.repliedAt,
          `${call.id}: sent ${next.receivedAt - previous.repliedAt} ms after a 429 asking for ${wait} ms ` +
            `(Retry-After: ${reply.response.headers["retry-after"]})`
        ).toBeGreaterThanOrEqual(wait - clockEpsilon)
      }
    }

    // (iii, continued) repeating a failed call with its key never creates a second endpoint.
    yield* fake.clearFaults
    const failed = calls.flatMap((call) => {
      const failure = Option.getOrUndefined(failureOf(call))
      return failure !== undefined && "idempotencyKey" in failure
        ? [{ call, key: failure.idempotencyKey ?? undefined }]
        : []
    })
    const repeats = yield* runConcurrently(
      failed.map(({ call, key }) => runCall(fake, `${call.id}.again`, call.spec, key))
    )
    const after = yield* fake.endpoints()
    const byKey = new Map<string, number>()
    for (const e of after) {
      if (e.idempotencyKey === null) continue
      const slot = `${e.account} ${e.idempotencyKey}`
      byKey.set(slot, (byKey.get(slot) ?? 0) + 1)
    }
    for (const [slot, count] of byKey) expect(count, `endpoints created with key ${slot}`).toBe(1)
    for (const repeat of repeats) {
      if (!Exit.isSuccess(repeat.result)) continue
      const committed = after.find((e) =>
        e.account === accounts[repeat.spec.account] && e.idempotencyKey === repeat.idempotencyKey
      )
      expect(committed, `${repeat.id} succeeded, so its key created an endpoint`).toBeDefined()
      expect(repeat.result.value.endpoint.endpoint_id).toBe(committed?.endpoint_id)
    }
  })

// The runs are split into concurrent shards (each with its own seed and TestClock): TestClock spends most of a run
// waiting on real timers to see fibers suspend, and concurrent shards overlap those waits, halving the wall time.
const shards = 4

describe.concurrent("model-based: core's create against the fake, under any fault plan", () => {
  for (let shard = 1; shard <= shards; shard++) {
    it.effect.prop(
      `laws (i)-(iv) hold for any sequence of create calls (shard ${shard}/${shards})`,
      [scenario],
      ([generated]) => property(generated),
      // A run takes ~0.1 s; fast-check's per-run timeout turns a hang into a reported counterexample.
      { timeout: Math.max(60_000, runs * 600), fastCheck: { numRuns: Math.ceil(runs / shards), timeout: 10_000 } }
    )
  }
})
