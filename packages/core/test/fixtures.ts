/**
 * A scripted `HttpClient` for core's tests: each attempt gets the next reply of a script, and every request is
 * recorded with the virtual time it was sent at. Core's tests do not use test-utils (which depends on core) so
 * that a bug in the fake cannot hide a bug in the client.
 */
import { HeyGenClient } from "@effect-heygen/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"

/** One scripted reply. */
export type Reply =
  | {
    readonly _tag: "Respond"
    readonly status: number
    readonly body?: string | undefined
    readonly headers?: Record<string, string>
  }
  /** The connection fails; `cause` is what the transport says (by default an Error "ECONNREFUSED"). */
  | { readonly _tag: "ConnectionError"; readonly cause?: unknown }
  /** Headers arrive, then the connection drops mid-body. */
  | { readonly _tag: "BrokenBody"; readonly status: number; readonly partial: string }
  /** Never answers (until interrupted). */
  | { readonly _tag: "Hang" }
  /** Answers `reply` after `after` ms of virtual time. */
  | { readonly _tag: "Slow"; readonly after: number; readonly reply: Reply }

export const respond = (status: number, body?: unknown, headers?: Record<string, string>): Reply => ({
  _tag: "Respond",
  status,
  body: typeof body === "string" || body === undefined ? body : JSON.stringify(body),
  headers: { "content-type": "application/json", "x-request-id": `req_${status}`, ...headers }
})

export const apiError = (status: number, code: string, message = code, extra: Record<string, unknown> = {}) =>
  respond(status, { error: { code, message, param: null, doc_url: null, ...extra } })

export const endpointBody = (overrides: Record<string, unknown> = {}) => ({
  data: {
    endpoint_id: "ep_abc123def456",
    url: "https://example.com/webhook",
    events: ["avatar_video.success"],
    status: "enabled",
    created_at: "2024-04-01T12:00:00Z",
    secret: "whsec_abc123def456",
    ...overrides
  }
})

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Virtual time (ms) when the attempt was sent. */
  readonly at: number
  /** The spans the request was sent under, innermost first, with their attributes. */
  readonly spans: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
}

const spanChain = (span: Tracer.AnySpan | undefined): Recorded["spans"] =>
  span === undefined ? [] : span._tag === "ExternalSpan" ? [] : [
    { name: span.name, attributes: Object.fromEntries(span.attributes) },
    ...spanChain(Option.getOrUndefined(span.parent))
  ]

export interface Fake {
  readonly requests: Array<Recorded>
  /** How many in-flight requests were interrupted. */
  readonly interrupted: { count: number }
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

// Statuses whose web `Response` may not carry a body.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

/** A fake whose n-th request (sent at virtual time `now`) gets `script(n, now)` (or the last reply of an array once it runs out). */
export const makeFake = (script: ReadonlyArray<Reply> | ((n: number, now: number) => Reply)): Fake => {
  const requests: Array<Recorded> = []
  const interrupted = { count: 0 }
  const next = (n: number, now: number): Reply =>
    typeof script === "function"
      ? script(n, now)
      : (script[Math.min(n, script.length - 1)] ?? respond(500, "empty script"))
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const at = yield* Clock.currentTimeMillis
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const span = yield* Effect.option(Effect.currentSpan)
      requests.push({
        method: request.method,
        url: url.toString(),
        headers: request.headers,
        body,
        at,
        spans: spanChain(Option.getOrUndefined(span))
      })
      return yield* answer(request, next(requests.length - 1, at))
    })
  )
  const answer = (
    request: HttpClientRequest.HttpClientRequest,
    reply: Reply
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    switch (reply._tag) {
      case "ConnectionError":
        return new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: reply.cause ?? new Error("ECONNREFUSED")
        })
      case "Hang":
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void interrupted.count++)))
      case "Slow":
        return Effect.zipRight(
          Effect.sleep(reply.after).pipe(Effect.onInterrupt(() => Effect.sync(() => void interrupted.count++))),
          answer(request, reply.reply)
        )
      case "BrokenBody": {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(reply.partial))
            controller.error(new Error("socket hang up"))
          }
        })
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(stream, { status: reply.status })))
      }
      case "Respond": {
        const body = nullBodyStatuses.has(reply.status) ? null : (reply.body ?? "")
        return Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(body, { status: reply.status, headers: reply.headers ?? {} })
          )
        )
      }
    }
  }
  return { requests, interrupted, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

export const apiKey = "hg_test_key_0123456789"

/** The client under test, over a fake. */
export const clientLayer = (fake: Fake, options: HeyGenClient.Options = {}) =>
  HeyGenClient.layer({ apiKey: Redacted.make(apiKey), baseUrl: "https://api.heygen.test", ...options }).pipe(
    Layer.provide(fake.layer),
    Layer.orDie
  )

export const validRequest = { url: "https://example.com/webhook", events: ["avatar_video.success" as const] }

/**
 * Runs an effect to its end under TestClock: whenever every fiber is blocked, virtual time jumps to the next
 * pending sleep, so retries and timeouts happen at exactly their due times without real sleeps.
 */
export const runToEnd = <A, E, R>(effect: Effect.Effect<A, E, R>, maxSteps = 10_000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    // adjust(0) returns once every fiber of the test is suspended, i.e. waiting on the clock or done.
    yield* TestClock.adjust(0)
    for (let i = 0; i < maxSteps; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      const pending = yield* TestClock.sleeps()
      if (Chunk.isEmpty(pending)) return yield* Effect.dieMessage("runToEnd: blocked, and not on the clock")
      const now = yield* Clock.currentTimeMillis
      yield* TestClock.adjust(Math.max(0, Math.min(...pending) - now))
    }
    return yield* Effect.dieMessage(`runToEnd: not done after ${maxSteps} steps`)
  })

const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * A tracer other than Effect's built-in one, as OpenTelemetry's or DevTools' would be: the pipeline gives each
 * attempt its own span only when spans are recorded by somebody. Its spans are the built-in ones.
 */
export const recordingTracer: Tracer.Tracer = Tracer.make({
  span: (name, parent, context, links, startTime, kind, options) =>
    nativeTracer.span(name, parent, context, links, startTime, kind, options),
  context: (f) => f()
})
