/**
 * What spans hold (issue 13): a tracer keeps every span's attributes, events and exit value, so none of them may hold
 * the API key, the signing secret or a response body, reachable by any path (a Redacted value counts as held).
 * And tracing still shows each attempt of a retried call, with its number and key.
 */
import { HeyGenClient, type HeyGenError, WebhookEndpoints } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { endpointBody, makeFake, type Reply, respond, runToEnd, validRequest } from "./fixtures.js"

interface RecordedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: unknown }>
  exit: unknown
}

/** A tracer that keeps everything a span is given, as a real exporter may. */
const recordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  let ids = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const recorded: RecordedSpan = {
        name,
        kind,
        attributes: new Map(Object.entries(options?.attributes ?? {})),
        events: [],
        exit: undefined
      }
      spans.push(recorded)
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span${++ids}`,
        traceId: "trace1",
        parent,
        context,
        get status() {
          return status
        },
        attributes: recorded.attributes,
        links,
        sampled: true,
        kind,
        end: (endTime, exit) => {
          status = { _tag: "Ended", startTime, endTime, exit }
          recorded.exit = exit
        },
        attribute: (key, value) => void recorded.attributes.set(key, value),
        event: (eventName, _time, attributes) => void recorded.events.push({ name: eventName, attributes }),
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}

/** Every string reachable from a value: own properties (enumerable or not), Map and Set entries, and Redacted values. */
const reachableStrings = (root: unknown): Array<string> => {
  const out: Array<string> = []
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string") return void out.push(value)
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 40) return
    seen.add(value)
    if (Redacted.isRedacted(value)) visit(Redacted.value(value as Redacted.Redacted<unknown>), depth + 1)
    if (value instanceof Map) {
      for (const [k, v] of value) {
        visit(k, depth + 1)
        visit(v, depth + 1)
      }
    }
    if (value instanceof Set) { for (const v of value) visit(v, depth + 1) }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (descriptor !== undefined && "value" in descriptor) visit(descriptor.value, depth + 1)
    }
  }
  visit(root, 0)
  return out
}

const keyArb = FastCheck.stringMatching(/^[A-Za-z0-9_-]{16,48}$/)
const secretArb = FastCheck.oneof(
  FastCheck.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `whsec_${s}`),
  FastCheck.stringMatching(/^[A-Za-z0-9]{16,40}$/)
)

/** Failures that quote the key, as a misbehaving proxy or a logging HttpClient might. */
const leakyFailure = (key: string): FastCheck.Arbitrary<Reply> =>
  FastCheck.oneof(
    FastCheck.constant(
      respond(500, { error: { code: `internal_${key}`, message: `key=${key}`, doc_url: `https://x.test/${key}` } }, {
        "x-request-id": key
      })
    ),
    FastCheck.constant(respond(503, `<pre>x-api-key: ${key}</pre>`, { "content-type": "text/html" })),
    FastCheck.constant(respond(429, { error: { code: "rate_limit_exceeded", message: key } }, { "retry-after": "1" })),
    FastCheck.constant<Reply>({
      _tag: "ConnectionError",
      cause: Object.assign(new Error(`proxy refused x-api-key: ${key}`), { code: "ECONNREFUSED" })
    })
  )

interface Operation {
  readonly name: string
  readonly body: (secret: string) => unknown
  readonly run: () => Effect.Effect<string, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient>
}

const operations: Record<"create" | "rotateSecret", Operation> = {
  create: {
    name: "createWebhookEndpoint",
    body: (secret: string) => endpointBody({ secret }),
    run: () => WebhookEndpoints.create(validRequest).pipe(Effect.map((r) => r.idempotencyKey))
  },
  rotateSecret: {
    name: "rotateWebhookEndpointSecret",
    body: (secret: string) => ({ data: { endpoint_id: "ep_abc123def456", secret } }),
    run: () => WebhookEndpoints.rotateSecret("ep_abc123def456").pipe(Effect.map((r) => r.idempotencyKey))
  }
}

describe("spans hold nothing secret", () => {
  it.effect.prop(
    "for any key and secret, over create and rotateSecret, no span's attributes, events or exit hold the key, the secret or a body",
    [
      keyArb,
      secretArb,
      FastCheck.boolean(),
      FastCheck.constantFrom("create" as const, "rotateSecret" as const),
      FastCheck.nat()
    ],
    ([key, secret, bearer, which, seed]) =>
      Effect.gen(function*() {
        const operation = operations[which]
        const okBody = JSON.stringify(operation.body(secret))
        const failures = FastCheck.sample(leakyFailure(key), { numRuns: seed % 3, seed })
        const fake = makeFake([...failures, respond(200, okBody)])
        const { spans, tracer } = recordingTracer()
        const client = HeyGenClient.layer({
          ...(bearer ? { bearerToken: Redacted.make(key) } : { apiKey: Redacted.make(key) }),
          baseUrl: "https://api.heygen.test",
          maxRetries: 3
        }).pipe(Layer.provide(fake.layer), Layer.orDie)
        const exit = yield* runToEnd(
          operation.run().pipe(
            Effect.provide(client),
            Effect.withTracer(tracer),
            // Debug logs become span events: let every one through.
            Logger.withMinimumLogLevel(LogLevel.All)
          )
        )
        const usedKey = yield* exit

        // Not vacuous: the call span, and one client span per attempt with its number and key.
        const attemptSpans = spans.filter((s) => s.name === `HeyGen.${operation.name}.attempt`)
        expect(spans.some((s) => s.name === `HeyGen.${operation.name}`)).toBe(true)
        expect(attemptSpans.map((s) => s.attributes.get("heygen.attempt"))).toEqual(fake.requests.map((_, i) => i + 1))
        for (const s of attemptSpans) {
          expect(s.kind).toBe("client")
          expect(s.attributes.get("heygen.idempotency_key")).toBe(usedKey)
        }
        // The request did carry the key: the law is about what spans keep.
        expect(JSON.stringify(fake.requests.map((r) => r.headers))).toContain(key)

        for (const span of spans) {
          const held = reachableStrings([span.attributes, span.events, span.exit])
          for (const text of held) {
            expect(text, `span ${span.name}`).not.toContain(key)
            expect(text, `span ${span.name}`).not.toContain(secret)
            expect(text, `span ${span.name}`).not.toContain(okBody)
          }
        }
        // Every span ended.
        expect(spans.every((s) => s.exit !== undefined)).toBe(true)
        expect(Option.isSome(Option.fromNullable(usedKey))).toBe(true)
      }),
    { timeout: 120_000, fastCheck: { numRuns: 120 } }
  )
})
