import { type HeyGenClient, HeyGenError, RetryPolicy, WebhookEndpoints, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import {
  apiError,
  apiKey,
  clientLayer,
  endpointBody,
  type Fake,
  makeFake,
  recordingTracer,
  type Reply,
  respond,
  runToEnd,
  validRequest
} from "./fixtures.js"

const call = (
  fake: Fake,
  options: { request?: unknown; call?: WebhookEndpoints.CallOptions; client?: HeyGenClient.Options } = {}
) =>
  runToEnd(
    WebhookEndpoints.create(
      (options.request ?? validRequest) as typeof validRequest,
      options.call
    ).pipe(Effect.provide(clientLayer(fake, options.client)))
  )

const failureOf = <A>(exit: Exit.Exit<A, HeyGenError.HeyGenError>): HeyGenError.HeyGenError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

const keysOf = (fake: Fake) => fake.requests.map((r) => r.headers["idempotency-key"])

/** Every attempt carried one and the same key, and the error reports it. */
const expectOneKey = (fake: Fake, reported: string) => {
  expect(fake.requests.length).toBeGreaterThan(0)
  expect(new Set(keysOf(fake))).toEqual(new Set([reported]))
}

describe("createWebhookEndpoint: success", () => {
  it.effect("sends one POST with auth, key, user agent and the encoded body; decodes the endpoint", () =>
    Effect.gen(function*() {
      const fake = makeFake([respond(200, endpointBody(), { "x-request-id": "req_ok" })])
      const exit = yield* call(fake, { request: { ...validRequest, entity_id: "proj_1" } })
      const result = yield* exit
      expect(fake.requests).toHaveLength(1)
      const [sent] = fake.requests
      expect(sent?.method).toBe("POST")
      expect(sent?.url).toBe("https://api.heygen.test/v3/webhooks/endpoints")
      expect(sent?.headers["x-api-key"]).toBe(apiKey)
      expect(sent?.headers["authorization"]).toBeUndefined()
      expect(sent?.headers["content-type"]).toBe("application/json")
      expect(sent?.headers["user-agent"]).toMatch(/^effect-heygen\/\d+\.\d+\.\d+/)
      expect(sent?.headers["idempotency-key"]).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
      )
      expect(JSON.parse(sent?.body ?? "")).toEqual({ ...validRequest, entity_id: "proj_1" })
      expect(result.idempotencyKey).toBe(sent?.headers["idempotency-key"])
      expect(result.requestId).toBe("req_ok")
      expect(result.attempts).toBe(1)
      expect(result.endpoint.endpoint_id).toBe("ep_abc123def456")
      expect(result.endpoint.events).toEqual(["avatar_video.success"])
      expect(Redacted.isRedacted(result.endpoint.secret)).toBe(true)
      expect(result.endpoint.secret && Redacted.value(result.endpoint.secret)).toBe("whsec_abc123def456")
      expect(JSON.stringify(result)).not.toContain("whsec_abc123def456")
    }))

  it.effect("a bearer token goes in Authorization, never as x-api-key", () =>
    Effect.gen(function*() {
      const fake = makeFake([respond(200, endpointBody())])
      yield* call(fake, { client: { apiKey: undefined, bearerToken: "tok_123" } })
      expect(fake.requests[0]?.headers["authorization"]).toBe("Bearer tok_123")
      expect(fake.requests[0]?.headers["x-api-key"]).toBeUndefined()
    }))

  it.effect("a caller's key is sent on every attempt and reported", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(500, { error: { code: "internal_error", message: "boom" } }),
        respond(200, endpointBody())
      ])
      const result = yield* Effect.flatten(call(fake, { call: { idempotencyKey: "order-42:create.v1" } }))
      expect(keysOf(fake)).toEqual(["order-42:create.v1", "order-42:create.v1"])
      expect(result.idempotencyKey).toBe("order-42:create.v1")
      expect(result.attempts).toBe(2)
    }))

  it.effect("secret null and events omitted decode (the spec allows both)", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(200, {
          data: { endpoint_id: "ep_1", url: "https://a.example", status: "disabled", created_at: "x", secret: null }
        })
      ])
      const result = yield* Effect.flatten(call(fake))
      expect(result.endpoint.secret).toBeNull()
      expect(result.endpoint.events).toBeNull()
      expect(result.endpoint.status).toBe("disabled")
    }))
})

interface Case {
  readonly name: string
  readonly script: ReadonlyArray<Reply>
  readonly tag: HeyGenError.HeyGenError["_tag"]
  readonly attempts: number
  readonly check?: (error: HeyGenError.HeyGenError) => void
}

const cases: ReadonlyArray<Case> = [
  {
    name: "400 invalid_parameter → InvalidParameter, not retried",
    script: [apiError(400, "invalid_parameter", "'url' must be a publicly accessible HTTPS URL.", { param: "url" })],
    tag: "InvalidParameter",
    attempts: 1,
    check: (e) => expect(e).toMatchObject({ status: 400, param: "url", requestId: "req_400" })
  },
  {
    name: "400 with another code → ApiError, not retried",
    script: [apiError(400, "bad_request")],
    tag: "ApiError",
    attempts: 1,
    check: (e) => expect(e).toMatchObject({ status: 400, code: "bad_request" })
  },
  {
    name: "401 → AuthenticationFailed, not retried",
    script: [apiError(401, "authentication_failed", "Invalid or expired API key.")],
    tag: "AuthenticationFailed",
    attempts: 1
  },
  {
    name: "409 conflict → Conflict, not retried",
    script: [apiError(409, "conflict", "A webhook endpoint with this URL already exists for this account.")],
    tag: "Conflict",
    attempts: 1,
    check: (e) => expect(e.message).toContain("already exists")
  },
  {
    name: "409 request_in_progress every time → RequestInProgress after 1 + 2 retries",
    script: [apiError(409, "request_in_progress")],
    tag: "RequestInProgress",
    attempts: 3
  },
  {
    name: "409 with an unknown code → ApiError, not retried",
    script: [apiError(409, "something_new")],
    tag: "ApiError",
    attempts: 1
  },
  {
    name: "429 whose Retry-After is above the 60 s ceiling → RateLimited at once, carrying the wait",
    script: [respond(429, { error: { code: "rate_limit_exceeded", message: "slow down" } }, { "retry-after": "120" })],
    tag: "RateLimited",
    attempts: 1,
    check: (e) => {
      expect(e._tag === "RateLimited" && Option.map(e.retryAfter, Duration.toMillis)).toEqual(Option.some(120_000))
    }
  },
  {
    name: "429 every time → RateLimited after 1 + 2 retries",
    script: [respond(429, { error: { code: "rate_limit_exceeded", message: "slow down" } }, { "retry-after": "1" })],
    tag: "RateLimited",
    attempts: 3
  },
  {
    name: "429 with an HTML body is still a rate limit",
    script: [respond(429, "<html>Too Many Requests</html>", { "content-type": "text/html", "retry-after": "90" })],
    tag: "RateLimited",
    attempts: 1,
    check: (e) => expect(e).toMatchObject({ code: "rate_limit_exceeded", status: 429 })
  },
  {
    name: "403 → ApiError carrying status, code and doc_url, not retried",
    script: [apiError(403, "forbidden", "no access", { doc_url: "https://docs.heygen.com/errors" })],
    tag: "ApiError",
    attempts: 1,
    check: (e) => expect(e).toMatchObject({ status: 403, code: "forbidden", docUrl: "https://docs.heygen.com/errors" })
  },
  { name: "404 → ApiError, not retried", script: [apiError(404, "not_found")], tag: "ApiError", attempts: 1 },
  { name: "422 → ApiError, not retried", script: [apiError(422, "unprocessable")], tag: "ApiError", attempts: 1 },
  {
    name: "500 JSON error → ApiError after 1 + 2 retries",
    script: [apiError(500, "internal_error")],
    tag: "ApiError",
    attempts: 3,
    check: (e) => expect(e).toMatchObject({ status: 500, code: "internal_error", requestId: "req_500" })
  },
  {
    name: "502 HTML page → UnexpectedResponse with an excerpt, retried as transient",
    script: [respond(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", { "content-type": "text/html" })],
    tag: "UnexpectedResponse",
    attempts: 3,
    check: (e) => expect(e).toMatchObject({ status: 502, bodyExcerpt: expect.stringContaining("502 Bad Gateway") })
  },
  {
    name: "200 with truncated JSON → UnexpectedResponse, not retried, secret scrubbed from the excerpt",
    script: [respond(200, JSON.stringify(endpointBody()).slice(0, 150))],
    tag: "UnexpectedResponse",
    attempts: 1,
    check: (e) => {
      expect(e).toMatchObject({ status: 200, message: expect.stringContaining("not JSON") })
      expect(JSON.stringify(e)).not.toContain("whsec_")
    }
  },
  {
    name: "200 missing required fields → UnexpectedResponse naming the field",
    script: [respond(200, { data: { url: "https://example.com/webhook", status: "enabled", secret: "whsec_zz" } })],
    tag: "UnexpectedResponse",
    attempts: 1,
    check: (e) => {
      expect(e.message).toContain("data.endpoint_id")
      expect(JSON.stringify(e)).not.toContain("whsec_zz")
    }
  },
  {
    name: "200 with an empty body → UnexpectedResponse",
    script: [respond(200, "")],
    tag: "UnexpectedResponse",
    attempts: 1
  },
  {
    name: "connection refused every time → TransportError after 1 + 2 retries",
    script: [{ _tag: "ConnectionError" }],
    tag: "TransportError",
    attempts: 3
  },
  {
    name: "connection dropped mid-body → TransportError, retried",
    script: [{ _tag: "BrokenBody", status: 200, partial: "{\"data\":{\"endpoint_id\":\"ep_" }],
    tag: "TransportError",
    attempts: 3
  },
  {
    name: "no answer → per-attempt TimeoutError after 1 + 2 retries",
    script: [{ _tag: "Hang" }],
    tag: "TimeoutError",
    attempts: 3,
    check: (e) => expect(e).toMatchObject({ scope: "attempt" })
  }
]

describe("createWebhookEndpoint: one typed error per outcome", () => {
  for (const c of cases) {
    it.effect(c.name, () =>
      Effect.gen(function*() {
        const fake = makeFake(c.script)
        const error = failureOf(yield* call(fake))
        expect(error._tag).toBe(c.tag)
        expect(fake.requests).toHaveLength(c.attempts)
        expect("idempotencyKey" in error && error.idempotencyKey).toBeTruthy()
        expectOneKey(fake, "idempotencyKey" in error ? error.idempotencyKey ?? "" : "")
        c.check?.(error)
      }))
  }
})

describe("createWebhookEndpoint: retries then succeeds with the same key", () => {
  const transient: ReadonlyArray<[string, Reply]> = [
    ["409 request_in_progress", apiError(409, "request_in_progress")],
    ["503", apiError(503, "unavailable")],
    ["a connection error", { _tag: "ConnectionError" }],
    ["a timeout", { _tag: "Hang" }],
    [
      "a 429 with Retry-After",
      respond(429, { error: { code: "rate_limit_exceeded", message: "x" } }, { "retry-after": "5" })
    ]
  ]
  for (const [name, first] of transient) {
    it.effect(`after ${name}`, () =>
      Effect.gen(function*() {
        const fake = makeFake([first, respond(200, endpointBody())])
        const result = yield* Effect.flatten(call(fake))
        expect(result.attempts).toBe(2)
        expectOneKey(fake, result.idempotencyKey)
      }))
  }

  it.effect("the attempt after a 429 starts no earlier than its Retry-After", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(429, { error: { code: "rate_limit_exceeded", message: "x" } }, { "retry-after": "7" }),
        respond(200, endpointBody())
      ])
      yield* Effect.flatten(call(fake))
      const [first, second] = fake.requests
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(7_000)
    }))
})

describe("createWebhookEndpoint: types", () => {
  it("its error channel is exactly CreateWebhookEndpointError, and it needs only HeyGenClient", () => {
    type Call = ReturnType<typeof WebhookEndpoints.create>
    // Checked by tsc in the test command; the runtime assertion is trivially true.
    expectTypeOf<Effect.Effect.Error<Call>>().toEqualTypeOf<HeyGenError.CreateWebhookEndpointError>()
    expectTypeOf<Effect.Effect.Context<Call>>().toEqualTypeOf<HeyGenClient.HeyGenClient>()
    // Every tag but the two create cannot produce: no 404 is documented for it, and it is not a stream.
    expectTypeOf<HeyGenError.CreateWebhookEndpointError["_tag"]>().toEqualTypeOf<
      Exclude<(typeof HeyGenError.tags)[number], "NotFound" | "PaginationError">
    >()
  })
})

describe("createWebhookEndpoint: observability", () => {
  it.effect("with a tracer installed: one span per call and one per attempt, with the attempt number and the key", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable"), respond(200, endpointBody())])
      const result = yield* Effect.flatten(call(fake).pipe(Effect.withTracer(recordingTracer)))
      const names = (i: number) => fake.requests[i]?.spans.map((s) => s.name) ?? []
      for (const [i, request] of fake.requests.entries()) {
        const attempt = request.spans.find((s) => s.name === "HeyGen.createWebhookEndpoint.attempt")
        const call = request.spans.find((s) => s.name === "HeyGen.createWebhookEndpoint")
        expect(attempt?.attributes).toMatchObject({
          "heygen.attempt": i + 1,
          "heygen.idempotency_key": result.idempotencyKey
        })
        expect(call?.attributes).toMatchObject({ "heygen.idempotency_key": result.idempotencyKey })
        // The attempt span sits inside the call span.
        expect(names(i).indexOf("HeyGen.createWebhookEndpoint.attempt")).toBeLessThan(
          names(i).indexOf("HeyGen.createWebhookEndpoint")
        )
      }
    }))
})

describe("createWebhookEndpoint: observability without a tracer", () => {
  it.effect("attempts run under the call span, which still goes out as trace context", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable"), respond(200, endpointBody())])
      yield* Effect.flatten(call(fake))
      expect(fake.requests).toHaveLength(2)
      for (const request of fake.requests) {
        expect(request.spans.map((s) => s.name)).toEqual(["HeyGen.createWebhookEndpoint"])
        expect(request.headers["traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      }
    }))
})

describe("createWebhookEndpoint: limits and interruption", () => {
  it.effect("the overall deadline bounds the call, retries included", () =>
    Effect.gen(function*() {
      const fake = makeFake([{ _tag: "Hang" }])
      const error = failureOf(yield* call(fake, { call: { attemptTimeout: "60 seconds", deadline: "10 seconds" } }))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "call" })
      expect(fake.requests).toHaveLength(1)
      expect(fake.interrupted.count).toBe(1)
    }))

  it.effect("the deadline cuts a hanging later attempt at exactly the deadline", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable"), { _tag: "Hang" }])
      const error = failureOf(yield* call(fake, { call: { attemptTimeout: "30 seconds", deadline: "10 seconds" } }))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "call" })
      expect(fake.requests).toHaveLength(2)
      expect(yield* Clock.currentTimeMillis).toBe(10_000)
    }))

  it.effect("a Retry-After that would end past the deadline fails at once with the RateLimited, not a timeout", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(429, { error: { code: "rate_limit_exceeded", message: "x" } }, { "retry-after": "30" }),
        respond(200, endpointBody())
      ])
      const error = failureOf(yield* call(fake, { call: { deadline: "10 seconds" } }))
      expect(error._tag).toBe("RateLimited")
      expect(fake.requests).toHaveLength(1)
      expect(yield* Clock.currentTimeMillis).toBe(0)
    }))

  it.effect("interrupting the call aborts the in-flight request", () =>
    Effect.gen(function*() {
      const fake = makeFake([{ _tag: "Hang" }])
      const fiber = yield* Effect.fork(WebhookEndpoints.create(validRequest).pipe(Effect.provide(clientLayer(fake))))
      yield* TestClock.adjust("1 second")
      expect(fake.requests).toHaveLength(1)
      yield* Fiber.interrupt(fiber)
      expect(fake.interrupted.count).toBe(1)
    }))

  it.effect("interrupting the call during a Retry-After wait cancels the retry", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(429, { error: { code: "rate_limit_exceeded", message: "x" } }, { "retry-after": "30" }),
        respond(200, endpointBody())
      ])
      const fiber = yield* Effect.fork(WebhookEndpoints.create(validRequest).pipe(Effect.provide(clientLayer(fake))))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* TestClock.adjust("5 minutes")
      expect(fake.requests).toHaveLength(1)
    }))

  it.effect("a replaced retry policy is used: RetryPolicy.never makes one attempt", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable")])
      failureOf(yield* call(fake, { call: { retryPolicy: RetryPolicy.never } }))
      expect(fake.requests).toHaveLength(1)
    }))

  it.effect("maxRetries on the client sets the attempts", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable")])
      failureOf(yield* call(fake, { client: { maxRetries: 5 } }))
      expect(fake.requests).toHaveLength(6)
    }))
})

describe("createWebhookEndpoint: local validation sends nothing", () => {
  const bad: ReadonlyArray<[string, unknown, WebhookEndpoints.CallOptions, string]> = [
    ["a plain-http url", { url: "http://example.com/hook" }, {}, "url"],
    ["a relative url", { url: "/hook" }, {}, "url"],
    ["a url with surrounding spaces", { url: " https://example.com/hook" }, {}, "url"],
    ["a missing url", { events: null }, {}, "url"],
    [
      "an unknown event",
      { url: "https://example.com", events: ["avatar_video.success", "video.done"] },
      {},
      "events.1"
    ],
    ["an extra key", { url: "https://example.com", secret: "x" }, {}, "secret"],
    ["a non-string entity_id", { url: "https://example.com", entity_id: 5 }, {}, "entity_id"],
    ["a key with a space", validRequest, { idempotencyKey: "has space" }, "idempotencyKey"],
    ["an empty key", validRequest, { idempotencyKey: "" }, "idempotencyKey"],
    ["a 256-character key", validRequest, { idempotencyKey: "k".repeat(256) }, "idempotencyKey"]
  ]
  // What a caller needs to word its own message, as data: the refused value as it may be shown, the allowed
  // values and the closest one; none of it on other refusals.
  it.effect("an unknown event type carries its kind, the value shown, the allowed values and the closest", () =>
    Effect.gen(function*() {
      const typo = failureOf(
        yield* call(makeFake([]), { request: { url: "https://example.com", events: ["avatar_video.sucess"] } })
      )
      expect(typo).toMatchObject({
        _tag: "ValidationError",
        field: "events.0",
        kind: "UnknownEventType",
        actual: "\"avatar_video.sucess\"",
        allowed: WebhookEventType.values,
        suggestion: "avatar_video.success"
      })
      const number = failureOf(yield* call(makeFake([]), { request: { url: "https://example.com", events: [5] } }))
      expect(number).toMatchObject({ kind: "UnknownEventType", actual: "number 5", suggestion: null })
      const url = failureOf(yield* call(makeFake([]), { request: { url: "http://example.com" } }))
      expect(url).toMatchObject({ _tag: "ValidationError", field: "url" })
      expect("kind" in url && url.kind !== undefined).toBe(false)
    }))

  for (const [name, request, options, field] of bad) {
    it.effect(`${name} → ValidationError naming ${field}`, () =>
      Effect.gen(function*() {
        const fake = makeFake([respond(200, endpointBody())])
        const error = failureOf(yield* call(fake, { request, call: options }))
        expect(error).toMatchObject({ _tag: "ValidationError", field })
        expect(error.message).toContain(field)
        expect(fake.requests).toHaveLength(0)
      }))
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Whatever the server says, the call ends in a success or one typed error: never a defect.

const printable = FastCheck.stringMatching(/^[\x20-\x7e]{0,40}$/)
const bodyArb: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.string(),
  FastCheck.fullUnicodeString(),
  FastCheck.jsonValue().map((v) => JSON.stringify(v)),
  FastCheck.constant(JSON.stringify(endpointBody())),
  FastCheck.record({
    code: FastCheck.string(),
    message: FastCheck.string(),
    param: FastCheck.option(FastCheck.string())
  })
    .map((error) => JSON.stringify({ error })),
  FastCheck.tuple(FastCheck.jsonValue(), FastCheck.nat()).map(([v, cut]) => {
    const text = JSON.stringify({ data: v })
    return text.slice(0, cut % (text.length + 1))
  })
)
const replyArb: FastCheck.Arbitrary<Reply> = FastCheck.oneof(
  {
    weight: 8,
    arbitrary: FastCheck.record({
      status: FastCheck.integer({ min: 200, max: 599 }),
      body: bodyArb,
      headers: FastCheck.record({ "retry-after": printable, "x-request-id": printable, "content-type": printable }, {
        requiredKeys: []
      })
    }).map(({ body, headers, status }): Reply => ({ _tag: "Respond", status, body, headers }))
  },
  { weight: 1, arbitrary: FastCheck.constant<Reply>({ _tag: "ConnectionError" }) },
  // A web Response with status 204, 205 or 304 may not have a body at all, let alone a broken one.
  {
    weight: 1,
    arbitrary: FastCheck.record({
      status: FastCheck.integer({ min: 200, max: 599 }).filter((s) => ![204, 205, 304].includes(s)),
      partial: FastCheck.string()
    })
      .map(({ partial, status }): Reply => ({ _tag: "BrokenBody", status, partial }))
  }
)

describe("createWebhookEndpoint: no server reply escapes as a defect", () => {
  it.effect.prop(
    "for any statuses, bodies and headers, the call succeeds or fails with exactly one typed error",
    [FastCheck.array(replyArb, { minLength: 1, maxLength: 3 })],
    ([replies]) =>
      Effect.gen(function*() {
        const fake = makeFake(replies)
        const exit = yield* call(fake)
        if (Exit.isFailure(exit)) {
          expect(Cause.isDie(exit.cause)).toBe(false)
          expect(Cause.isInterrupted(exit.cause)).toBe(false)
          const failures = [...Cause.failures(exit.cause)]
          expect(failures).toHaveLength(1)
          expect(HeyGenError.isHeyGenError(failures[0])).toBe(true)
          expect(failures[0]?._tag).not.toBe("ValidationError")
        } else {
          expect(exit.value.endpoint.endpoint_id).toEqual(expect.any(String))
        }
        expect(fake.requests.length).toBeLessThanOrEqual(3)
      }),
    { fastCheck: { numRuns: 300 } }
  )
})
