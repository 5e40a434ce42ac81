import { WebhookEndpoint, WebhookEndpoints, WebhookEvent, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import { Ajv } from "ajv"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as JSONSchema from "effect/JSONSchema"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { clientLayer, endpointBody, makeFake, respond, runToEnd } from "./fixtures.js"
import { inline, type Json, resolved, spec } from "./spec.js"

const Request = WebhookEndpoint.CreateWebhookEndpointRequest

describe("CreateWebhookEndpointRequest", () => {
  it.prop("every valid request round-trips through encode, JSON and decode", [Arbitrary.make(Request)], ([request]) => {
    const wire = JSON.parse(JSON.stringify(Schema.encodeSync(Request)(request)))
    expect(Schema.decodeUnknownSync(Request)(wire, { onExcessProperty: "error" })).toEqual(request)
  })

  it("conforms to the spec's CreateWebhookEndpointRequest (properties, required, enum, additionalProperties)", () => {
    const ours = JSONSchema.make(Request) as unknown as { $defs?: Record<string, Json> } & Record<string, Json>
    const mine = inline(ours, ours.$defs ?? {}) as Record<string, Json>
    const theirs = resolved("CreateWebhookEndpointRequest") as Record<string, Json>

    expect(mine["type"]).toBe("object")
    expect(mine["additionalProperties"]).toBe(false)
    expect(theirs["additionalProperties"]).toBe(false)
    expect(Object.keys(mine["properties"] as object).sort()).toEqual(Object.keys(theirs["properties"] as object).sort())
    expect([...(mine["required"] as Array<string>)].sort()).toEqual([...(theirs["required"] as Array<string>)].sort())

    // Each property accepts the same JSON types, and `events` items the same enum.
    const shape = (node: Json): unknown => {
      const n = node as Record<string, Json>
      if (Array.isArray(n["anyOf"])) {
        return (n["anyOf"] as Array<Json>).map(shape).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      }
      if (n["type"] === "array") return { array: shape(n["items"] ?? null) }
      if (Array.isArray(n["enum"])) return { enum: [...(n["enum"] as Array<string>)].sort() }
      return n["type"]
    }
    const props = (s: Record<string, Json>) => s["properties"] as Record<string, Json>
    for (const key of Object.keys(props(theirs))) {
      expect(shape(props(mine)[key] ?? null), key).toEqual(shape(props(theirs)[key] ?? null))
    }
    // And the literal list is the spec's, in the spec's order.
    expect(WebhookEventType.values).toEqual(
      (spec.components.schemas["WebhookEventType"] as { enum: Array<string> }).enum
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Invalid requests, labelled by what is wrong, so the field the error must name is known in advance.

const knownKeys = new Set(["url", "events", "entity_id"])
const validArb = Arbitrary.make(Request)
type Invalid = { readonly input: unknown; readonly key?: string; readonly field: string; readonly what: string }

const invalidArb: FastCheck.Arbitrary<Invalid> = FastCheck.oneof(
  FastCheck.tuple(
    validArb,
    FastCheck.string({ minLength: 1 }).filter((k) => !knownKeys.has(k) && k !== "__proto__"),
    FastCheck.jsonValue()
  )
    .map(([r, k, v]) => ({ input: { ...r, [k]: v }, field: k, what: "extra key" })),
  FastCheck.tuple(validArb, FastCheck.webUrl({ validSchemes: ["http", "ftp", "ws", "wss", "file"] }))
    .map(([r, url]) => ({ input: { ...r, url }, field: "url", what: "non-https url" })),
  // No scheme at all: never an absolute URL.
  FastCheck.tuple(validArb, FastCheck.stringMatching(/^[a-z0-9 ./?#-]{0,30}$/))
    .map(([r, url]) => ({ input: { ...r, url }, field: "url", what: "unparseable url" })),
  FastCheck.tuple(validArb, FastCheck.jsonValue().filter((v) => typeof v !== "string"))
    .map(([r, url]) => ({ input: { ...r, url }, field: "url", what: "url not a string" })),
  FastCheck.tuple(validArb).map(([r]) => ({ input: { ...r, url: undefined }, field: "url", what: "missing url" })),
  FastCheck.tuple(
    validArb,
    FastCheck.array(FastCheck.constantFrom(...WebhookEventType.values), { maxLength: 5 }),
    FastCheck.string().filter((s) => !WebhookEventType.is(s)),
    FastCheck.nat()
  ).map(([r, events, unknown, at]) => {
    const i = at % (events.length + 1)
    return {
      input: { ...r, events: [...events.slice(0, i), unknown, ...events.slice(i)] },
      field: `events.${i}`,
      what: "unknown event"
    }
  }),
  FastCheck.tuple(validArb, FastCheck.oneof(FastCheck.integer(), FastCheck.boolean(), FastCheck.object()))
    .map(([r, entity]) => ({ input: { ...r, entity_id: entity }, field: "entity_id", what: "entity_id not a string" })),
  FastCheck.tuple(
    validArb,
    FastCheck.oneof(
      FastCheck.constant(""),
      FastCheck.string({ minLength: 256, maxLength: 300 }),
      FastCheck.tuple(
        FastCheck.string({ maxLength: 20 }),
        FastCheck.constantFrom(" ", "/", "+", "é", "\n", "=", "@"),
        FastCheck.string({ maxLength: 20 })
      )
        .map(([a, bad, b]) => `${a}${bad}${b}`)
    )
  ).map(([r, key]) => ({ input: r, key, field: "idempotencyKey", what: "bad idempotency key" }))
)

describe("the exported input schemas on their own", () => {
  // The pipeline passes `onExcessProperty: "error"` itself, so only a schema's own annotation protects a user who
  // decodes with the exported schema directly: without it, an extra key would be stripped silently.
  const inputs = [
    ["CreateWebhookEndpointRequest", Request, ["url", "events", "entity_id"]],
    ["UpdateWebhookEndpointRequest", WebhookEndpoint.UpdateWebhookEndpointRequest, ["url", "events"]],
    ["ListWebhookEndpointsParams", WebhookEndpoint.ListWebhookEndpointsParams, ["limit", "token"]],
    ["ListWebhookEventsParams", WebhookEvent.ListWebhookEventsParams, ["event_type", "entity_id", "limit", "token"]]
  ] as const
  for (const [name, schema, known] of inputs) {
    const input = schema as unknown as Schema.Schema<object, object>
    it.prop(
      `decoding with ${name} and default options refuses any unknown key, naming it`,
      [
        Arbitrary.make(input),
        FastCheck.string({ minLength: 1 }).filter((k) =>
          !(known as ReadonlyArray<string>).includes(k) && k !== "__proto__"
        ),
        FastCheck.jsonValue()
      ],
      ([value, key, extra]) => {
        const result = Schema.decodeUnknownEither(input)({ ...Schema.encodeSync(input)(value), [key]: extra })
        expect(Either.isLeft(result), `${JSON.stringify(key)} was accepted`).toBe(true)
        const paths = Either.isLeft(result)
          ? ParseResult.ArrayFormatter.formatErrorSync(result.left).map((i) => i.path)
          : []
        expect(paths).toContainEqual([key])
      },
      { fastCheck: { numRuns: 50 } }
    )
  }
})

describe("createWebhookEndpoint validates before any I/O", () => {
  it.effect.prop(
    "every invalid request fails with a ValidationError naming the field and sends nothing",
    [invalidArb],
    ([invalid]) =>
      Effect.gen(function*() {
        const fake = makeFake([respond(200, endpointBody())])
        const exit = yield* runToEnd(
          WebhookEndpoints.create(invalid.input as WebhookEndpoint.CreateWebhookEndpointRequest, {
            idempotencyKey: invalid.key
          })
            .pipe(Effect.provide(clientLayer(fake)))
        )
        expect(fake.requests).toHaveLength(0)
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        expect(Option.map(error, (e) => ({ tag: e._tag, field: "field" in e ? e.field : undefined }))).toEqual(
          Option.some({ tag: "ValidationError", field: invalid.field })
        )
      }),
    { fastCheck: { numRuns: 300 } }
  )
})

// ---------------------------------------------------------------------------------------------------------------
// Every 200 body the spec allows decodes. Bodies are generated from the spec's rules, independently of our
// schema, and each is first checked against the spec itself with a JSON Schema validator.

const ajv = new Ajv({ strict: false })
const specAllows = ajv.compile(resolved("WebhookEndpointResponse") as object)

const extraArb = FastCheck.dictionary(
  FastCheck.string().filter((k) =>
    !["endpoint_id", "url", "events", "status", "created_at", "secret", "__proto__"].includes(k)
  ),
  FastCheck.jsonValue(),
  { maxKeys: 3 }
)
const maybe = <A>(arb: FastCheck.Arbitrary<A>) => FastCheck.option(arb, { nil: undefined as undefined })
const endpointArb = FastCheck.record({
  endpoint_id: FastCheck.string(),
  url: FastCheck.string(),
  status: FastCheck.string(),
  created_at: FastCheck.string(),
  events: maybe(FastCheck.option(FastCheck.array(FastCheck.string()), { nil: null })),
  secret: maybe(FastCheck.option(FastCheck.string(), { nil: null })),
  extra: extraArb
}).map(({ events, extra, secret, ...rest }) => ({
  ...extra,
  ...rest,
  ...(events === undefined ? {} : { events }),
  ...(secret === undefined ? {} : { secret })
}))

describe("WebhookEndpoint decoding", () => {
  it.effect.prop(
    "every response body the spec allows decodes, field for field",
    [endpointArb],
    ([data]) =>
      Effect.gen(function*() {
        expect(specAllows(data)).toBe(true)
        const fake = makeFake([respond(200, { data })])
        const result = yield* Effect.flatten(
          runToEnd(WebhookEndpoints.create({ url: "https://example.com" }).pipe(Effect.provide(clientLayer(fake))))
        )
        const { endpoint } = result
        expect(endpoint.endpoint_id).toBe(data.endpoint_id)
        expect(endpoint.url).toBe(data.url)
        expect(endpoint.status).toBe(data.status)
        expect(endpoint.created_at).toBe(data.created_at)
        expect(endpoint.events).toEqual(data.events ?? null)
        expect(endpoint.secret === null ? null : Redacted.value(endpoint.secret)).toBe(data.secret ?? null)
      }),
    { fastCheck: { numRuns: 200 } }
  )
})
