import { FakeHeyGen, Fault } from "@effect-heygen/test-utils"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { auth, send } from "./support.js"

const url = "https://example.com/hooks/heygen"

interface Created {
  readonly data: {
    readonly endpoint_id: string
    readonly url: string
    readonly events: ReadonlyArray<string> | null
    readonly status: string
    readonly created_at: string
    readonly secret: string
  }
}
interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly param: string | null }
}
const errorOf = (json: unknown) => (json as ErrorBody).error

describe("FakeHeyGen: authentication", () => {
  it.effect("refuses missing and unknown credentials with 401 authentication_failed", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const missing = yield* send(fake, { headers: {}, body: { url } })
      const unknown = yield* send(fake, { headers: auth("nope"), body: { url } })
      expect([missing.status, unknown.status]).toEqual([401, 401])
      expect(errorOf(unknown.json).code).toBe("authentication_failed")
      expect(yield* fake.endpoints()).toHaveLength(0)
    }))

  it.effect("accepts x-api-key and Authorization: Bearer for the same account", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["k1"] })
      const a = yield* send(fake, { headers: auth("k1"), body: { url } })
      const b = yield* send(fake, { headers: { authorization: "Bearer k1" }, body: { url: `${url}/2` } })
      expect([a.status, b.status]).toEqual([200, 200])
      expect((yield* fake.endpoints("k1")).map((e) => e.url)).toEqual([url, `${url}/2`])
    }))
})

describe("FakeHeyGen: create", () => {
  it.effect("returns the endpoint with a fresh secret, events null when omitted, and an x-request-id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      yield* TestClock.setTime(Date.parse("2026-04-01T12:00:00Z"))
      const reply = yield* send(fake, { body: { url } })
      expect(reply.status).toBe(200)
      expect(reply.headers["x-request-id"]).toMatch(/^req_[0-9a-f]+$/)
      const { data } = reply.json as Created
      expect(data).toMatchObject({ url, events: null, status: "enabled", created_at: "2026-04-01T12:00:00.000Z" })
      expect(data.endpoint_id).toMatch(/^ep_[0-9a-f]{16}$/)
      expect(data.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/)
      const [stored] = yield* fake.endpoints()
      expect(stored).toMatchObject({
        endpoint_id: data.endpoint_id,
        secret: data.secret,
        url,
        account: FakeHeyGen.sandboxApiKey
      })
    }))

  it.effect("409 conflict for a URL the account already has; other accounts are independent", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a", "b"] })
      expect((yield* send(fake, { headers: auth("a"), body: { url } })).status).toBe(200)
      const again = yield* send(fake, { headers: auth("a"), body: { url, events: ["avatar_video.fail"] } })
      expect(again.status).toBe(409)
      expect(errorOf(again.json).code).toBe("conflict")
      // URLs are compared as strings, as the spec's conflict is described: a trailing slash is another URL.
      expect((yield* send(fake, { headers: auth("a"), body: { url: `${url}/` } })).status).toBe(200)
      expect((yield* send(fake, { headers: auth("b"), body: { url } })).status).toBe(200)
      expect(yield* fake.endpoints("a")).toHaveLength(2)
    }))

  it.effect("400 invalid_parameter names the param", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const cases: ReadonlyArray<readonly [unknown, string | null]> = [
        [{ url: "http://example.com/h" }, "url"],
        [{ url: "not a url" }, "url"],
        [{ url: "https://localhost/h" }, "url"],
        [{}, "url"],
        [{ url, events: ["avatar_video.success", "nope.nope"] }, "events"],
        [{ url, events: "avatar_video.success" }, "events"],
        [{ url, entity_id: 7 }, "entity_id"],
        [{ url, colour: "red" }, "colour"],
        [[url], null]
      ]
      for (const [body, param] of cases) {
        const reply = yield* send(fake, { body })
        expect(reply.status, JSON.stringify(body)).toBe(400)
        expect(errorOf(reply.json)).toMatchObject({ code: "invalid_parameter", param })
      }
      const badKey = yield* send(fake, { headers: auth(undefined, { "idempotency-key": "has space" }), body: { url } })
      expect(errorOf(badKey.json)).toMatchObject({ code: "invalid_parameter", param: "Idempotency-Key" })
      const notJson = yield* send(fake, { rawBody: "{url:" })
      expect(notJson.status).toBe(400)
      expect(yield* fake.endpoints()).toHaveLength(0)
    }))

  it.effect("unknown routes are 404 and wrong methods 405, with HeyGen's error envelope", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      expect((yield* send(fake, { path: "/v3/webhooks/nope", body: { url } })).status).toBe(404)
      expect((yield* send(fake, { method: "PUT" })).status).toBe(405)
    }))
})

describe("FakeHeyGen: idempotency", () => {
  it.effect("a key replays the original status, headers and body within 24 hours, even for another body", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const headers = auth(undefined, { "idempotency-key": "k-1" })
      const first = yield* send(fake, { headers, body: { url } })
      yield* TestClock.adjust("23 hours")
      const replay = yield* send(fake, { headers, body: { url: "https://example.com/other" } })
      expect(replay).toEqual(first)
      expect(yield* fake.endpoints()).toHaveLength(1)
      // Failures the API produced are replayed too.
      const conflictHeaders = auth(undefined, { "idempotency-key": "k-2" })
      const conflict = yield* send(fake, { headers: conflictHeaders, body: { url } })
      expect(conflict.status).toBe(409)
      expect(yield* send(fake, { headers: conflictHeaders, body: { url: "https://example.com/free" } })).toEqual(
        conflict
      )
    }))

  it.effect("the window ends at 24 hours, on the Clock", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const headers = auth(undefined, { "idempotency-key": "k" })
      const first = yield* send(fake, { headers, body: { url } })
      yield* TestClock.adjust(24 * 3_600_000 - 1)
      expect(yield* send(fake, { headers, body: { url } })).toEqual(first)
      yield* TestClock.adjust(1)
      const fresh = yield* send(fake, { headers, body: { url } })
      expect(fresh.status).toBe(409)
      expect(fresh.headers["x-request-id"]).not.toBe(first.headers["x-request-id"])
    }))

  it.effect("keys are scoped per account", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a", "b"] })
      const a = yield* send(fake, { headers: auth("a", { "idempotency-key": "same" }), body: { url } })
      const b = yield* send(fake, { headers: auth("b", { "idempotency-key": "same" }), body: { url } })
      expect((b.json as Created).data.endpoint_id).not.toBe((a.json as Created).data.endpoint_id)
    }))

  it.effect("a key whose original is in flight gets 409 request_in_progress; the original completes", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ latency: "2 seconds" })
      const headers = auth(undefined, { "idempotency-key": "slow" })
      const original = yield* Effect.fork(send(fake, { headers, body: { url } }))
      yield* TestClock.adjust("1 second")
      const concurrent = yield* send(fake, { headers, body: { url } })
      expect(concurrent.status).toBe(409)
      expect(errorOf(concurrent.json).code).toBe("request_in_progress")
      yield* TestClock.adjust("1 second")
      const done = yield* Fiber.join(original)
      expect(done.status).toBe(200)
      expect(yield* send(fake, { headers, body: { url } })).toEqual(done)
    }))

  it.effect("work goes on when the client gives up waiting, as on a real server", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ latency: "10 seconds" })
      const fiber = yield* Effect.fork(send(fake, { body: { url } }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(fiber)
      expect(yield* fake.endpoints()).toHaveLength(0)
      yield* TestClock.adjust("9 seconds")
      expect(yield* fake.endpoints()).toHaveLength(1)
      const [exchange] = yield* fake.exchanges
      expect(exchange?.reply?._tag).toBe("Respond")
    }))
})

describe("FakeHeyGen: rate limit", () => {
  it.effect("beyond the limit: 429 rate_limit_exceeded with an integer Retry-After that frees a slot", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ rateLimit: { limit: 2, window: "10 seconds" } })
      expect((yield* send(fake, { body: { url: `${url}/1` } })).status).toBe(200)
      yield* TestClock.adjust("3 seconds")
      expect((yield* send(fake, { body: { url: `${url}/2` } })).status).toBe(200)
      const limited = yield* send(fake, { body: { url: `${url}/3` } })
      expect(limited.status).toBe(429)
      expect(errorOf(limited.json).code).toBe("rate_limit_exceeded")
      expect(limited.headers["retry-after"]).toBe("7")
      yield* TestClock.adjust("6 seconds")
      expect((yield* send(fake, { body: { url: `${url}/3` } })).status).toBe(429)
      yield* TestClock.adjust("1 second")
      expect((yield* send(fake, { body: { url: `${url}/3` } })).status).toBe(200)
    }))
})

describe("FakeHeyGen: faults", () => {
  it.effect("RateLimit sends any Retry-After, an HTTP-date from the Clock; nothing reaches the API", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({
        faults: [
          Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.HttpDate({ offsetMillis: 5_000 }) }),
          Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.Raw({ value: "soon" }) }),
          Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.Absent() })
        ]
      })
      const a = yield* send(fake, { body: { url } })
      const b = yield* send(fake, { body: { url } })
      const c = yield* send(fake, { body: { url } })
      expect([a.status, b.status, c.status]).toEqual([429, 429, 429])
      expect(a.headers["retry-after"]).toBe("Thu, 01 Jan 1970 00:00:05 GMT")
      expect(b.headers["retry-after"]).toBe("soon")
      expect(c.headers["retry-after"]).toBeUndefined()
      expect(yield* fake.endpoints()).toHaveLength(0)
    }))

  it.effect("ServerError answers 5xx with JSON, HTML or nothing", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      yield* fake.enqueueFaults([
        Fault.Fault.ServerError({ status: 503, body: "json" }),
        Fault.Fault.ServerError({ status: 502, body: "html" }),
        Fault.Fault.ServerError({ status: 500, body: "empty" })
      ])
      const json = yield* send(fake, { body: { url } })
      const html = yield* send(fake, { body: { url } })
      const empty = yield* send(fake, { body: { url } })
      expect([json.status, html.status, empty.status]).toEqual([503, 502, 500])
      expect(errorOf(json.json).code).toBe("internal_error")
      expect(html.headers["content-type"]).toContain("text/html")
      expect(empty.text).toBe("")
      expect(yield* fake.endpoints()).toHaveLength(0)
    }))

  it.effect("DropBeforeCommit stores nothing; DropAfterCommit stores, and the key replays what was lost", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults: [Fault.Fault.DropBeforeCommit(), Fault.Fault.DropAfterCommit()] })
      const headers = auth(undefined, { "idempotency-key": "lost" })
      const before = yield* Effect.flip(send(fake, { headers, body: { url } }))
      expect(before._tag).toBe("RequestError")
      expect(yield* fake.endpoints()).toHaveLength(0)
      const after = yield* Effect.flip(send(fake, { headers, body: { url } }))
      expect(after._tag).toBe("RequestError")
      const [stored] = yield* fake.endpoints()
      const replay = yield* send(fake, { headers, body: { url } })
      expect((replay.json as Created).data).toMatchObject({ endpoint_id: stored?.endpoint_id, secret: stored?.secret })
      const exchanges = yield* fake.exchanges
      expect(exchanges.map((e) => [e.reply?._tag, e.replayed])).toEqual([["Drop", false], ["Drop", false], [
        "Respond",
        true
      ]])
    }))

  it.effect("TruncatedBody fails the body read; MalformedBody delivers a complete but unparseable body", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults: [Fault.Fault.TruncatedBody(), Fault.Fault.MalformedBody()] })
      const truncated = yield* Effect.flip(send(fake, { body: { url } }))
      expect(truncated._tag).toBe("ResponseError")
      const malformed = yield* send(fake, { body: { url: `${url}/m` } })
      expect(malformed.status).toBe(200)
      expect(malformed.json).toBeUndefined()
      expect(malformed.text.length).toBeGreaterThan(0)
      expect(yield* fake.endpoints()).toHaveLength(2)
    }))

  it.effect("Slow holds the key in flight for its delay", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults: [Fault.Fault.Slow({ delay: "40 seconds" })] })
      const headers = auth(undefined, { "idempotency-key": "s" })
      const slow = yield* Effect.fork(send(fake, { headers, body: { url } }))
      yield* TestClock.adjust("39 seconds")
      expect(errorOf((yield* send(fake, { headers, body: { url } })).json).code).toBe("request_in_progress")
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(slow)).status).toBe(200)
    }))

  it.effect("a client that stops waiting is recorded as abandoning the exchange, which the API still finishes", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults: [Fault.Fault.Slow({ delay: "40 seconds" })] })
      const gaveUp = yield* Effect.fork(Effect.timeout(send(fake, { body: { url } }), "10 seconds"))
      yield* TestClock.adjust("10 seconds")
      expect((yield* Effect.either(Fiber.join(gaveUp)))._tag).toBe("Left")
      yield* TestClock.adjust("30 seconds")
      const answered = yield* send(fake, { body: { url: `${url}/2` } })
      expect(answered.status).toBe(200)
      const [abandoned, seen] = yield* fake.exchanges
      expect([abandoned!.abandonedAt, abandoned!.reply?._tag]).toEqual([10_000, "Respond"])
      expect(abandoned!.repliedAt).toBeGreaterThanOrEqual(40_000)
      expect(seen!.abandonedAt).toBeNull()
      expect(yield* fake.endpoints()).toHaveLength(2)
    }))

  it.effect("records every request in arrival order, with the fault it got", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ faults: [null, Fault.Fault.DropBeforeCommit()] })
      yield* send(fake, { body: { url } })
      yield* Effect.either(send(fake, { body: { url } }))
      yield* fake.clearFaults
      yield* send(fake, { body: { url } })
      const exchanges = yield* fake.exchanges
      expect(exchanges.map((e) => [e.seq, e.fault?._tag ?? null, e.account])).toEqual([
        [0, null, FakeHeyGen.sandboxApiKey],
        [1, "DropBeforeCommit", null],
        [2, null, FakeHeyGen.sandboxApiKey]
      ])
      expect((yield* fake.requests).every((r) => r.headers["x-api-key"] === FakeHeyGen.sandboxApiKey)).toBe(true)
    }))
})
