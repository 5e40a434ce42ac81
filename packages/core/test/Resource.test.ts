/**
 * The operations beyond create: list and stream, update, delete, rotate-secret, event types and events, each
 * against a scripted HttpClient (fixtures.ts) under TestClock.
 */
import type { WebhookEndpoint } from "@effect-heygen/core"
import { type HeyGenClient, type HeyGenError, RetryPolicy, WebhookEndpoints, WebhookEvents } from "@effect-heygen/core"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { retrySafe } from "../src/internal/pipeline.js"
import { apiError, clientLayer, endpointBody, type Fake, makeFake, type Reply, respond, runToEnd } from "./fixtures.js"

const run = <A, E>(fake: Fake, effect: Effect.Effect<A, E, HeyGenClient.HeyGenClient>) =>
  runToEnd(effect.pipe(Effect.provide(clientLayer(fake))))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

const successOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected a success, got ${Cause.pretty(exit.cause)}`)
  return exit.value
}

const endpoint = (i: number) => ({
  endpoint_id: `ep_${i}`,
  url: `https://example.com/hooks/${i}`,
  events: null,
  status: "enabled",
  created_at: "2026-01-01T00:00:00Z",
  secret: null
})

const page = (ids: ReadonlyArray<number>, nextToken: string | null, hasMore = nextToken !== null) =>
  respond(200, { data: ids.map(endpoint), has_more: hasMore, next_token: nextToken })

const urlOf = (fake: Fake, n: number) => new URL(fake.requests[n]?.url ?? "http://missing.invalid")

describe("list", () => {
  it.effect("sends GET with limit and token as the query, no key and no body; decodes the page", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1, 2], "tok_2")])
      const result = successOf(yield* run(fake, WebhookEndpoints.list({ limit: 2, token: "tok_1" })))
      expect(fake.requests).toHaveLength(1)
      expect(fake.requests[0]?.method).toBe("GET")
      expect(urlOf(fake, 0).pathname).toBe("/v3/webhooks/endpoints")
      expect(Object.fromEntries(urlOf(fake, 0).searchParams)).toEqual({ limit: "2", token: "tok_1" })
      expect(fake.requests[0]?.headers["idempotency-key"]).toBeUndefined()
      expect(fake.requests[0]?.body).toBe("")
      expect(result.data.map((e) => e.endpoint_id)).toEqual(["ep_1", "ep_2"])
      expect(result.data.every((e) => e.secret === null)).toBe(true)
      expect(result).toMatchObject({ hasMore: true, nextToken: "tok_2", attempts: 1 })
    }))

  it.effect("sends no query string when no parameter is given", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([], null)])
      successOf(yield* run(fake, WebhookEndpoints.list()))
      expect(urlOf(fake, 0).search).toBe("")
    }))

  it.effect.prop(
    "a limit outside 1-100 or not an integer, or an empty token, fails naming the field and sends nothing",
    [
      FastCheck.oneof(
        FastCheck.record({ limit: FastCheck.oneof(FastCheck.integer({ max: 0 }), FastCheck.integer({ min: 101 })) }),
        FastCheck.record({
          limit: FastCheck.double({ min: 1.01, max: 99.99, noNaN: true }).filter((n) => !Number.isInteger(n))
        }),
        FastCheck.constant({ token: "" })
      )
    ],
    ([params]) =>
      Effect.gen(function*() {
        const fake = makeFake([page([], null)])
        const error = failureOf(
          yield* run(fake, WebhookEndpoints.list(params as WebhookEndpoint.ListWebhookEndpointsParams))
        )
        expect(error._tag).toBe("ValidationError")
        expect(error._tag === "ValidationError" && error.field).toBe("limit" in params ? "limit" : "token")
        expect(fake.requests).toHaveLength(0)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("a 404 not_found is an ApiError on a route that does not document it", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(404, "not_found")])
      const error = failureOf(yield* run(fake, WebhookEndpoints.list()))
      expect(error._tag).toBe("ApiError")
    }))
})

describe("stream", () => {
  it.effect.prop(
    "for any split into pages, yields every item once, in order, following each token",
    [FastCheck.array(FastCheck.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 })],
    ([sizes]) =>
      Effect.gen(function*() {
        let next = 0
        const pages = sizes.map((size, i) => {
          const ids = Array.from({ length: size }, () => next++)
          return page(ids, i < sizes.length - 1 ? `tok_${i + 1}` : null)
        })
        const fake = makeFake(pages)
        const items = successOf(yield* run(fake, Stream.runCollect(WebhookEndpoints.stream({ limit: 5 }))))
        expect(Chunk.toReadonlyArray(items).map((e) => e.endpoint_id)).toEqual(
          Array.from({ length: next }, (_, i) => `ep_${i}`)
        )
        expect(fake.requests).toHaveLength(sizes.length)
        fake.requests.forEach((_, i) => {
          expect(urlOf(fake, i).searchParams.get("token")).toBe(i === 0 ? null : `tok_${i}`)
          expect(urlOf(fake, i).searchParams.get("limit")).toBe("5")
        })
      }),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect("is lazy: taking the first page's items fetches no second page", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1, 2, 3], "tok_2"), page([4], null)])
      const stream = WebhookEndpoints.stream()
      expect(fake.requests).toHaveLength(0)
      const items = successOf(yield* run(fake, Stream.runCollect(Stream.take(stream, 3))))
      expect(Chunk.size(items)).toBe(3)
      expect(fake.requests).toHaveLength(1)
    }))

  it.effect("retries each page on its own", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1], "tok_2"), apiError(503, "unavailable"), page([2], null)])
      const items = successOf(yield* run(fake, Stream.runCollect(WebhookEndpoints.stream())))
      expect(Chunk.toReadonlyArray(items).map((e) => e.endpoint_id)).toEqual(["ep_1", "ep_2"])
      expect(fake.requests.map((_, i) => urlOf(fake, i).searchParams.get("token"))).toEqual([null, "tok_2", "tok_2"])
    }))

  it.effect("a token that comes back ends the stream with PaginationError after the items received, not a loop", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1], "tok_a"), page([2], "tok_b"), page([3], "tok_a"), page([4], null)])
      const seen: Array<string> = []
      const exit = yield* run(
        fake,
        Stream.runForEach(WebhookEndpoints.stream(), (e) => Effect.sync(() => void seen.push(e.endpoint_id)))
      )
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "RepeatedToken", token: "tok_a", page: 3 })
      expect(seen).toEqual(["ep_1", "ep_2", "ep_3"])
      expect(fake.requests).toHaveLength(3)
    }))

  it.effect("has_more with no token ends the stream with PaginationError", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1], null, true), page([2], null)])
      const error = failureOf(yield* run(fake, Stream.runCollect(WebhookEndpoints.stream())))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "MissingToken", page: 1 })
      expect(fake.requests).toHaveLength(1)
    }))

  it.effect("a page's error ends the stream with that error", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([1], "tok_2"), apiError(401, "authentication_failed")])
      const error = failureOf(yield* run(fake, Stream.runCollect(WebhookEndpoints.stream())))
      expect(error._tag).toBe("AuthenticationFailed")
    }))

  it.effect("runs again from the start when run twice (no memory of tokens between runs)", () =>
    Effect.gen(function*() {
      const fake = makeFake((n) => (n % 2 === 0 ? page([1], "tok_2") : page([2], null)))
      const stream = WebhookEndpoints.stream()
      const twice = successOf(yield* run(fake, Effect.zip(Stream.runCount(stream), Stream.runCount(stream))))
      expect(twice).toEqual([2, 2])
    }))
})

const idArbitrary = FastCheck.string({ minLength: 1, maxLength: 20 }).filter((s) =>
  !s.includes("/") && s !== "." && s !== ".."
)
const badIds = ["", "a/b", "/", ".", "..", "ep_1/rotate-secret"]

describe("update", () => {
  it.effect("sends PATCH to the percent-encoded id with the body, and no key", () =>
    Effect.gen(function*() {
      const fake = makeFake([respond(200, endpointBody({ secret: null, events: ["avatar_video.fail"] }))])
      const result = successOf(
        yield* run(
          fake,
          WebhookEndpoints.update("ep 1?#%", { events: ["avatar_video.fail"], url: "https://example.com/x" })
        )
      )
      const [sent] = fake.requests
      expect(sent?.method).toBe("PATCH")
      expect(sent?.url).toBe("https://api.heygen.test/v3/webhooks/endpoints/ep%201%3F%23%25")
      expect(JSON.parse(sent?.body ?? "")).toEqual({ events: ["avatar_video.fail"], url: "https://example.com/x" })
      expect(sent?.headers["content-type"]).toBe("application/json")
      expect(sent?.headers["idempotency-key"]).toBeUndefined()
      expect(result.endpoint.events).toEqual(["avatar_video.fail"])
    }))

  it.effect.prop(
    "any id without a slash reaches the server as exactly that id",
    [idArbitrary],
    ([id]) =>
      Effect.gen(function*() {
        const fake = makeFake([respond(200, endpointBody())])
        successOf(yield* run(fake, WebhookEndpoints.update(id, { events: null })))
        const path = urlOf(fake, 0).pathname
        expect(decodeURIComponent(path.slice("/v3/webhooks/endpoints/".length))).toBe(id)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("an empty, slash-holding or dot id, or no field to change, fails before I/O", () =>
    Effect.gen(function*() {
      for (const id of badIds) {
        const fake = makeFake([respond(200, endpointBody())])
        const error = failureOf(yield* run(fake, WebhookEndpoints.update(id, { events: null })))
        expect(error).toMatchObject({ _tag: "ValidationError", field: "endpoint_id" })
        expect(fake.requests).toHaveLength(0)
      }
      const fake = makeFake([respond(200, endpointBody())])
      const error = failureOf(yield* run(fake, WebhookEndpoints.update("ep_1", {})))
      expect(error._tag).toBe("ValidationError")
      expect(error._tag === "ValidationError" && error.message).toContain("at least one of url and events")
      const extra = failureOf(
        yield* run(
          fake,
          WebhookEndpoints.update("ep_1", { events: null, secret: "x" } as WebhookEndpoint.UpdateWebhookEndpointRequest)
        )
      )
      expect(extra).toMatchObject({ _tag: "ValidationError", field: "secret" })
      const badUrl = failureOf(yield* run(fake, WebhookEndpoints.update("ep_1", { url: "http://example.com" })))
      expect(badUrl).toMatchObject({ _tag: "ValidationError", field: "url" })
      expect(fake.requests).toHaveLength(0)
    }))

  it.effect("404 not_found is NotFound carrying the id; 409 conflict is Conflict", () =>
    Effect.gen(function*() {
      const notFound = failureOf(
        yield* run(makeFake([apiError(404, "not_found")]), WebhookEndpoints.update("ep_9", { events: null }))
      )
      expect(notFound).toMatchObject({ _tag: "NotFound", resourceId: "ep_9", status: 404, idempotencyKey: null })
      const conflict = failureOf(
        yield* run(
          makeFake([apiError(409, "conflict")]),
          WebhookEndpoints.update("ep_9", { url: "https://a.example/x" })
        )
      )
      expect(conflict._tag).toBe("Conflict")
      // request_in_progress is not documented for PATCH (it takes no key): an ApiError.
      const odd = failureOf(
        yield* run(makeFake([apiError(409, "request_in_progress")]), WebhookEndpoints.update("ep_9", { events: null }))
      )
      expect(odd._tag).toBe("ApiError")
    }))
})

describe("delete", () => {
  const deleted = respond(200, { error: null, data: {} })

  it.effect("sends DELETE with no body and no key; succeeds with alreadyGone false", () =>
    Effect.gen(function*() {
      const fake = makeFake([deleted])
      const result = successOf(yield* run(fake, WebhookEndpoints.delete("ep_1")))
      expect(fake.requests[0]?.method).toBe("DELETE")
      expect(urlOf(fake, 0).pathname).toBe("/v3/webhooks/endpoints/ep_1")
      expect(fake.requests[0]?.body).toBe("")
      expect(fake.requests[0]?.headers["idempotency-key"]).toBeUndefined()
      expect(result).toMatchObject({ endpointId: "ep_1", alreadyGone: false, attempts: 1 })
    }))

  it.effect("a NotFound on the first attempt is an error", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(404, "not_found"), deleted])
      expect(failureOf(yield* run(fake, WebhookEndpoints.delete("ep_1")))).toMatchObject({
        _tag: "NotFound",
        resourceId: "ep_1"
      })
      expect(fake.requests).toHaveLength(1)
    }))

  const lost: ReadonlyArray<readonly [string, Reply]> = [
    ["a 503", apiError(503, "unavailable")],
    ["a dropped connection", { _tag: "ConnectionError" }],
    ["an HTML 502", respond(502, "<html>bad gateway</html>", { "content-type": "text/html" })]
  ]
  for (const [name, reply] of lost) {
    it.effect(`a NotFound on the retry after ${name} means the lost attempt deleted it: alreadyGone`, () =>
      Effect.gen(function*() {
        const fake = makeFake([reply, apiError(404, "not_found")])
        const result = successOf(yield* run(fake, WebhookEndpoints.delete("ep_1")))
        expect(result).toMatchObject({ endpointId: "ep_1", alreadyGone: true, attempts: 2 })
      }))
  }

  it.effect("a NotFound after a 429 (the server did nothing) is still an error", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(429, "rate_limit_exceeded"), apiError(404, "not_found")])
      expect(failureOf(yield* run(fake, WebhookEndpoints.delete("ep_1")))._tag).toBe("NotFound")
      expect(fake.requests).toHaveLength(2)
    }))

  it.effect("a bad id fails before I/O", () =>
    Effect.gen(function*() {
      for (const id of badIds) {
        const fake = makeFake([deleted])
        expect(failureOf(yield* run(fake, WebhookEndpoints.delete(id)))).toMatchObject({
          _tag: "ValidationError",
          field: "endpoint_id"
        })
        expect(fake.requests).toHaveLength(0)
      }
    }))
})

describe("rotateSecret", () => {
  const rotated = respond(200, { data: { endpoint_id: "ep_1", secret: "whsec_new_0123456789" } })

  it.effect("sends POST to .../rotate-secret with one key on every attempt; the secret is Redacted", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable"), { _tag: "ConnectionError" }, rotated])
      const result = successOf(yield* run(fake, WebhookEndpoints.rotateSecret("ep_1")))
      expect(fake.requests.map((r) => r.method)).toEqual(["POST", "POST", "POST"])
      expect(urlOf(fake, 0).pathname).toBe("/v3/webhooks/endpoints/ep_1/rotate-secret")
      const keys = new Set(fake.requests.map((r) => r.headers["idempotency-key"]))
      expect(keys).toEqual(new Set([result.idempotencyKey]))
      expect(Redacted.value(result.secret)).toBe("whsec_new_0123456789")
      expect(String(result.secret)).not.toContain("whsec_new")
      expect(JSON.stringify(result)).not.toContain("whsec_new")
      expect(result).toMatchObject({ endpointId: "ep_1", attempts: 3 })
    }))

  it.effect("uses the caller's key, and refuses a malformed one before I/O", () =>
    Effect.gen(function*() {
      const fake = makeFake([rotated])
      const result = successOf(
        yield* run(fake, WebhookEndpoints.rotateSecret("ep_1", { idempotencyKey: "rotate-ep_1-2026" }))
      )
      expect(result.idempotencyKey).toBe("rotate-ep_1-2026")
      expect(fake.requests[0]?.headers["idempotency-key"]).toBe("rotate-ep_1-2026")
      const bad = makeFake([rotated])
      expect(failureOf(yield* run(bad, WebhookEndpoints.rotateSecret("ep_1", { idempotencyKey: "no spaces" }))))
        .toMatchObject({
          _tag: "ValidationError",
          field: "idempotencyKey"
        })
      expect(bad.requests).toHaveLength(0)
    }))

  it.effect("404 is NotFound with the key; 409 request_in_progress is retried with the same key", () =>
    Effect.gen(function*() {
      const gone = makeFake([apiError(404, "not_found")])
      const error = failureOf(yield* run(gone, WebhookEndpoints.rotateSecret("ep_1")))
      expect(error).toMatchObject({ _tag: "NotFound", resourceId: "ep_1" })
      expect(error._tag === "NotFound" && error.idempotencyKey).toBe(gone.requests[0]?.headers["idempotency-key"])
      const busy = makeFake([apiError(409, "request_in_progress"), rotated])
      successOf(yield* run(busy, WebhookEndpoints.rotateSecret("ep_1")))
      expect(new Set(busy.requests.map((r) => r.headers["idempotency-key"])).size).toBe(1)
    }))

  it.effect("a 200 without the secret is UnexpectedResponse, never a success without it", () =>
    Effect.gen(function*() {
      const fake = makeFake([respond(200, { data: { endpoint_id: "ep_1" } })])
      expect(failureOf(yield* run(fake, WebhookEndpoints.rotateSecret("ep_1")))._tag).toBe("UnexpectedResponse")
    }))
})

describe("event types and events", () => {
  it.effect("listEventTypes: GET, items with descriptions", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(200, {
          data: [{ event_type: "avatar_video.success", description: "done" }, {
            event_type: "brand_new.type",
            description: "new"
          }],
          has_more: false,
          next_token: null
        })
      ])
      const result = successOf(yield* run(fake, WebhookEvents.listEventTypes()))
      expect(fake.requests[0]?.method).toBe("GET")
      expect(urlOf(fake, 0).pathname).toBe("/v3/webhooks/event-types")
      expect(result.data).toEqual([
        { event_type: "avatar_video.success", description: "done" },
        { event_type: "brand_new.type", description: "new" }
      ])
    }))

  it.effect("events list: filters in the query; event_data keeps every key", () =>
    Effect.gen(function*() {
      const event = {
        event_id: "evt_1",
        event_type: "avatar_video.success",
        event_data: { video_id: "v_1", url: "https://x.example/v.mp4", nested: { a: [1, 2] }, extra: null },
        created_at: "2026-01-01T00:00:00Z"
      }
      const fake = makeFake([respond(200, { data: [event], has_more: false, next_token: null })])
      const result = successOf(
        yield* run(fake, WebhookEvents.list({ event_type: "avatar_video.success", entity_id: "v_1", limit: 100 }))
      )
      expect(Object.fromEntries(urlOf(fake, 0).searchParams)).toEqual({
        event_type: "avatar_video.success",
        entity_id: "v_1",
        limit: "100"
      })
      expect(result.data[0]?.event_data).toEqual(event.event_data)
    }))

  it.effect("events: an unknown event_type filter fails before I/O; the stream follows tokens", () =>
    Effect.gen(function*() {
      const none = makeFake([])
      const error = failureOf(yield* run(none, WebhookEvents.list({ event_type: "nope" } as never)))
      expect(error).toMatchObject({ _tag: "ValidationError", field: "event_type" })
      expect(none.requests).toHaveLength(0)
      const ev = (id: string) => ({ event_id: id, event_type: "x", event_data: {}, created_at: "t" })
      const fake = makeFake([
        respond(200, { data: [ev("e1")], has_more: true, next_token: "n1" }),
        respond(200, { data: [ev("e2")], has_more: false, next_token: null })
      ])
      const ids = successOf(yield* run(fake, Stream.runCollect(WebhookEvents.stream({ entity_id: "v_1" }))))
      expect(Chunk.toReadonlyArray(ids).map((e) => e.event_id)).toEqual(["e1", "e2"])
      expect(urlOf(fake, 1).searchParams.get("entity_id")).toBe("v_1")
    }))
})

describe("retry safety by method", () => {
  type Call = readonly [string, Effect.Effect<unknown, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient>, Reply]
  const ok: ReadonlyArray<Call> = [
    ["list", WebhookEndpoints.list(), page([], null)],
    ["update", WebhookEndpoints.update("ep_1", { events: null }), respond(200, endpointBody())],
    ["delete", WebhookEndpoints.delete("ep_1"), respond(200, { error: null, data: {} })],
    ["rotate", WebhookEndpoints.rotateSecret("ep_1"), respond(200, { data: { endpoint_id: "ep_1", secret: "s" } })],
    ["event types", WebhookEvents.listEventTypes(), respond(200, { data: [] })],
    ["events", WebhookEvents.list(), respond(200, { data: [] })]
  ]

  it.effect.prop(
    "every operation retries 5xx, dropped connections and timeouts up to the policy's limit, then succeeds",
    [FastCheck.array(
      FastCheck.constantFrom<Reply>(apiError(500, "x"), apiError(503, "y"), { _tag: "ConnectionError" }),
      { maxLength: 2 }
    )],
    ([failures]) =>
      Effect.gen(function*() {
        for (const [name, call, success] of ok) {
          const fake = makeFake([...failures, success])
          const exit = yield* run(fake, call)
          expect(Exit.isSuccess(exit), name).toBe(true)
          expect(fake.requests, name).toHaveLength(failures.length + 1)
        }
      }),
    { fastCheck: { numRuns: 20 } }
  )

  it.effect("with no retries allowed, one attempt only", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "x"), page([], null)])
      const exit = yield* run(fake, WebhookEndpoints.list({}, { retryPolicy: RetryPolicy.never }))
      expect(failureOf(exit)._tag).toBe("ApiError")
      expect(fake.requests).toHaveLength(1)
    }))

  it("a POST is safe to repeat only with a key; every other method always", () => {
    expect(retrySafe("POST", false)).toBe(false)
    expect(retrySafe("POST", true)).toBe(true)
    for (const method of ["GET", "PATCH", "DELETE"] as const) expect(retrySafe(method, false)).toBe(true)
  })
})

describe("types: each operation's error channel is exactly what it can produce", () => {
  it("matches the exported unions", () => {
    type E<T extends (...args: never) => unknown> = Effect.Effect.Error<
      Extract<ReturnType<T>, Effect.Effect<unknown, unknown, unknown>>
    >
    expectTypeOf<E<typeof WebhookEndpoints.list>>().toEqualTypeOf<HeyGenError.ListWebhookEndpointsError>()
    expectTypeOf<E<typeof WebhookEndpoints.update>>().toEqualTypeOf<HeyGenError.UpdateWebhookEndpointError>()
    expectTypeOf<E<typeof WebhookEndpoints.delete>>().toEqualTypeOf<HeyGenError.DeleteWebhookEndpointError>()
    expectTypeOf<E<typeof WebhookEndpoints.rotateSecret>>().toEqualTypeOf<
      HeyGenError.RotateWebhookEndpointSecretError
    >()
    expectTypeOf<E<typeof WebhookEvents.listEventTypes>>().toEqualTypeOf<HeyGenError.ListWebhookEventTypesError>()
    expectTypeOf<E<typeof WebhookEvents.list>>().toEqualTypeOf<HeyGenError.ListWebhookEventsError>()
    expectTypeOf<Stream.Stream.Error<ReturnType<typeof WebhookEndpoints.stream>>>().toEqualTypeOf<
      HeyGenError.StreamWebhookEndpointsError
    >()
    expectTypeOf<HeyGenError.DeleteWebhookEndpointError["_tag"]>().toEqualTypeOf<
      | "ValidationError"
      | "InvalidParameter"
      | "AuthenticationFailed"
      | "RateLimited"
      | "ApiError"
      | "TransportError"
      | "TimeoutError"
      | "UnexpectedResponse"
      | "NotFound"
    >()
    // The runtime half: `delete` is the same function as `del`.
    expect(WebhookEndpoints.delete).toBe(WebhookEndpoints.del)
  })
})
