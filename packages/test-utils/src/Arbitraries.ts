/**
 * fast-check arbitraries for HeyGen's v3 webhooks API (every route's requests and responses), derived from core's
 * schemas with `Arbitrary.make` where a schema says enough, and hand-written where realism matters more (ids,
 * secrets, tokens, Retry-After forms). The `spec...` ones are every body core's schema allows, odd values included.
 *
 * @since 0.1.0
 */
import { HeyGenError, IdempotencyKey, WebhookEndpoint, WebhookEvent, WebhookEventType } from "@effect-heygen/core"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Fault from "./Fault.js"
import { validateBody, validateUpdateBody } from "./internal/validation.js"

/**
 * Valid Create Webhook Endpoint requests: what the schema accepts and the API takes (the API also insists on a
 * publicly reachable host, which the schema cannot know).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const createRequest: FastCheck.Arbitrary<WebhookEndpoint.CreateWebhookEndpointRequest> = Arbitrary.make(
  WebhookEndpoint.CreateWebhookEndpointRequest
).filter((request) => validateBody(request)._tag === "Right")

/**
 * A webhook event type from the spec's enum.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const eventType: FastCheck.Arbitrary<WebhookEventType.WebhookEventType> = Arbitrary.make(
  WebhookEventType.WebhookEventType
)

/**
 * Valid `Idempotency-Key` values (1 to 255 characters from `[A-Za-z0-9_:.-]`).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const idempotencyKey: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.uuid(),
  FastCheck.stringMatching(IdempotencyKey.pattern)
)

/**
 * `Idempotency-Key` values the API refuses: empty, too long, or with a character outside the alphabet.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const invalidIdempotencyKey: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.constant(""),
  FastCheck.stringMatching(/^[A-Za-z0-9]{256,300}$/),
  FastCheck.tuple(
    FastCheck.stringMatching(/^[A-Za-z0-9]{0,10}$/),
    FastCheck.constantFrom(" ", "/", "+", "=", "é", "!", "*", "\t"),
    FastCheck.stringMatching(/^[A-Za-z0-9]{0,10}$/)
  ).map(([a, bad, b]) => `${a}${bad}${b}`)
)

/**
 * What makes an invalid request invalid.
 *
 * @since 0.1.0
 * @category models
 */
export type InvalidReason =
  | "not-an-object"
  | "url-missing"
  | "url-not-a-string"
  | "url-unparseable"
  | "url-not-https"
  | "url-not-public"
  | "events-not-an-array"
  | "unknown-event"
  | "entity-id-not-a-string"
  | "extra-key"

/**
 * An invalid request body, labelled with what is wrong and the `param` the API names in its 400.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidRequest {
  readonly reason: InvalidReason
  /** The `param` of the expected 400 `invalid_parameter` (`null`: the body as a whole). */
  readonly param: string | null
  readonly body: unknown
}

const unknownEvent = FastCheck.stringMatching(/^[a-z_]{1,20}\.[a-z]{1,10}$/).filter(
  (s) => !(WebhookEventType.values as ReadonlyArray<string>).includes(s)
)

/**
 * Invalid request bodies, each broken in exactly one way (the rest is a valid request).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const invalidRequest: FastCheck.Arbitrary<InvalidRequest> = createRequest.chain((valid) => {
  const label = (reason: InvalidReason, param: string | null) => (body: unknown): InvalidRequest => ({
    reason,
    param,
    body
  })
  const { url: _url, ...withoutUrl } = valid
  return FastCheck.oneof(
    FastCheck.constantFrom<unknown>(null, [], "https://example.com", 42).map(label("not-an-object", null)),
    FastCheck.constant(withoutUrl).map(label("url-missing", "url")),
    FastCheck.constantFrom<unknown>(42, null, true, ["https://example.com"]).map((url) =>
      label("url-not-a-string", "url")({ ...valid, url })
    ),
    FastCheck.constantFrom("example.com/hook", "https//example.com", "://", "", "https://").map((url) =>
      label("url-unparseable", "url")({ ...valid, url })
    ),
    FastCheck.webUrl({ validSchemes: ["http", "ftp", "wss"] }).map((url) =>
      label("url-not-https", "url")({ ...valid, url })
    ),
    FastCheck.constantFrom(
      "https://localhost/hook",
      "https://127.0.0.1:8443/hook",
      "https://10.1.2.3/h",
      "https://192.168.0.1/",
      "https://[::1]/h"
    ).map((url) => label("url-not-public", "url")({ ...valid, url })),
    FastCheck.constantFrom<unknown>("avatar_video.success", 1, {}).map((events) =>
      label("events-not-an-array", "events")({ ...valid, events })
    ),
    FastCheck.tuple(FastCheck.array(eventType, { maxLength: 3 }), unknownEvent).map(([events, bad]) =>
      label("unknown-event", "events")({ ...valid, events: [...events, bad] })
    ),
    FastCheck.constantFrom<unknown>(1, true, {}, ["x"]).map((entity_id) =>
      label("entity-id-not-a-string", "entity_id")({ ...valid, entity_id })
    ),
    FastCheck.tuple(
      FastCheck.stringMatching(/^[a-z_]{1,12}$/).filter((k) => !["url", "events", "entity_id"].includes(k)),
      FastCheck.jsonValue()
    ).map(([key, value]) => label("extra-key", key)({ ...valid, [key]: value }))
  )
})

/**
 * A webhook endpoint as HeyGen sends it (the JSON form): `ep_` ids, `whsec_` secrets, ISO timestamps, events from
 * the enum or (as the spec's plain-string type allows) types added later.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const endpoint: FastCheck.Arbitrary<typeof WebhookEndpoint.WebhookEndpoint.Encoded> = FastCheck.record({
  endpoint_id: FastCheck.stringMatching(/^ep_[a-f0-9]{12,24}$/),
  url: Arbitrary.make(WebhookEndpoint.HttpsUrl),
  events: FastCheck.option(FastCheck.array(FastCheck.oneof(eventType, unknownEvent), { maxLength: 5 }), {
    nil: null
  }),
  status: FastCheck.constantFrom("enabled", "disabled"),
  created_at: FastCheck.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T23:59:59Z") })
    .map((d) => d.toISOString()),
  secret: FastCheck.option(FastCheck.stringMatching(/^whsec_[A-Za-z0-9]{24,40}$/), { nil: null })
})

/**
 * A 200 body of Create Webhook Endpoint, realistic (`{ data: endpoint }`).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const endpointResponseBody: FastCheck.Arbitrary<typeof WebhookEndpoint.CreateWebhookEndpointResponse.Encoded> =
  endpoint.map((data) => ({ data }))

/**
 * Any 200 body the spec's schema allows, derived from core's tolerant response schema: odd but legal values
 * included (absent optional fields, empty strings), for testing decoders.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const specEndpointResponseBody: FastCheck.Arbitrary<
  typeof WebhookEndpoint.CreateWebhookEndpointResponse.Encoded
> = Arbitrary.make(Schema.encodedSchema(WebhookEndpoint.CreateWebhookEndpointResponse))

/**
 * The error codes HeyGen documents for this operation, with their statuses.
 *
 * @since 0.1.0
 * @category constants
 */
export const errorCodes = [
  { status: 400, code: "invalid_parameter" },
  { status: 401, code: "authentication_failed" },
  { status: 409, code: "conflict" },
  { status: 409, code: "request_in_progress" },
  { status: 429, code: "rate_limit_exceeded" }
] as const

/**
 * HeyGen error bodies (`{ error: StandardAPIError }`), from core's schema, with documented codes most of the time.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const apiErrorBody: FastCheck.Arbitrary<typeof HeyGenError.StandardApiErrorBody.Encoded> = FastCheck.tuple(
  Arbitrary.make(Schema.encodedSchema(HeyGenError.StandardApiErrorBody)),
  FastCheck.option(FastCheck.constantFrom(...errorCodes.map((e) => e.code)), { freq: 3 })
).map(([body, code]) => (code === null ? body : { error: { ...body.error, code } }))

/**
 * `Retry-After` values in every form: delta-seconds, HTTP-dates (past and future), junk, and none.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const retryAfter: FastCheck.Arbitrary<Fault.RetryAfter> = FastCheck.oneof(
  {
    arbitrary: FastCheck.integer({ min: 0, max: 120 }).map((seconds) => Fault.RetryAfter.Seconds({ seconds })),
    weight: 4
  },
  {
    arbitrary: FastCheck.integer({ min: -60_000, max: 120_000 }).map((offsetMillis) =>
      Fault.RetryAfter.HttpDate({ offsetMillis })
    ),
    weight: 2
  },
  {
    arbitrary: FastCheck.oneof(
      FastCheck.constantFrom("", " ", "soon", "-5", "1.5", "1e3", "NaN", "Infinity", "0x10", "Tomorrow"),
      FastCheck.string({ maxLength: 12 })
    ).map((value) => Fault.RetryAfter.Raw({ value })),
    weight: 1
  },
  { arbitrary: FastCheck.constant(Fault.RetryAfter.Absent()), weight: 1 }
)

/**
 * What `fault` and `faultPlan` may generate.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** Include faults that corrupt the response (5xx pages, truncated or malformed bodies). Default true. */
  readonly corrupting?: boolean | undefined
  /** Longest `Slow` delay in milliseconds (default 45 000, beyond the default 30 s attempt timeout). */
  readonly maxSlowMillis?: number | undefined
}

/**
 * One fault.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const fault = (options: FaultOptions = {}): FastCheck.Arbitrary<Fault.Fault> => {
  const safe: Array<FastCheck.Arbitrary<Fault.Fault>> = [
    retryAfter.map((retryAfter) => Fault.Fault.RateLimit({ retryAfter })),
    FastCheck.integer({ min: 1, max: options.maxSlowMillis ?? 45_000 }).map((millis) =>
      Fault.Fault.Slow({ delay: millis })
    ),
    FastCheck.constant(Fault.Fault.DropBeforeCommit()),
    FastCheck.constant(Fault.Fault.DropAfterCommit())
  ]
  const corrupting: Array<FastCheck.Arbitrary<Fault.Fault>> = [
    FastCheck.record({
      status: FastCheck.constantFrom(500, 502, 503, 504),
      body: FastCheck.constantFrom("json" as const, "html" as const, "empty" as const)
    }).map(Fault.Fault.ServerError),
    FastCheck.constant(Fault.Fault.TruncatedBody()),
    FastCheck.constant(Fault.Fault.MalformedBody())
  ]
  return FastCheck.oneof(...(options.corrupting === false ? safe : [...safe, ...corrupting]))
}

/**
 * A fault plan: one entry per request in arrival order, most of them `null` (no fault) so calls also succeed.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const faultPlan = (
  options: FaultOptions & { readonly maxLength?: number | undefined } = {}
): FastCheck.Arbitrary<Fault.FaultPlan> =>
  FastCheck.array(FastCheck.option(fault(options), { nil: null, freq: 2 }), { maxLength: options.maxLength ?? 12 })

// ---------------------------------------------------------------------------------------------------------------
// The rest of the resource: list, update, delete, rotate-secret, event types, events.

/**
 * Endpoint ids as the fake mints them (`ep_` and 16 hex digits).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const endpointId: FastCheck.Arbitrary<string> = FastCheck.stringMatching(/^ep_[a-f0-9]{16}$/)

/**
 * Opaque pagination tokens, as a server might shape them (clients must not look inside).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const pageToken: FastCheck.Arbitrary<string> = FastCheck.stringMatching(/^[A-Za-z0-9_-]{4,40}$/)

/**
 * Query parameters of List Webhook Endpoints: `limit` 1-100 and `token`, each optional.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const listParams: FastCheck.Arbitrary<WebhookEndpoint.ListWebhookEndpointsParams> = Arbitrary.make(
  WebhookEndpoint.ListWebhookEndpointsParams
)

/**
 * `limit` query values the API refuses with 400 `invalid_parameter` (`param: "limit"`).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const invalidLimit: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.integer({ min: -1000, max: 0 }).map(String),
  FastCheck.integer({ min: 101, max: 100_000 }).map(String),
  FastCheck.constantFrom("", "abc", "1.5", "1e2", " 5", "ten", "0x10", "NaN")
)

/**
 * Valid Update Webhook Endpoint bodies: `url` and/or `events` (replacing the list; null = all events).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const updateRequest: FastCheck.Arbitrary<WebhookEndpoint.UpdateWebhookEndpointRequest> = Arbitrary.make(
  WebhookEndpoint.UpdateWebhookEndpointRequest
).filter((r) => validateUpdateBody(r)._tag === "Right")

/**
 * What makes an invalid update body invalid.
 *
 * @since 0.2.0
 * @category models
 */
export type InvalidUpdateReason =
  | "not-an-object"
  | "no-field"
  | "url-only-null"
  | "url-not-https"
  | "url-not-public"
  | "events-not-an-array"
  | "unknown-event"
  | "extra-key"

/**
 * An invalid update body, labelled with what is wrong and the `param` the API names in its 400.
 *
 * @since 0.2.0
 * @category models
 */
export interface InvalidUpdateRequest {
  readonly reason: InvalidUpdateReason
  readonly param: string | null
  readonly body: unknown
}

/**
 * Invalid update bodies, each broken in exactly one way.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const invalidUpdateRequest: FastCheck.Arbitrary<InvalidUpdateRequest> = updateRequest.chain((valid) => {
  const label = (reason: InvalidUpdateReason, param: string | null) => (body: unknown): InvalidUpdateRequest => ({
    reason,
    param,
    body
  })
  return FastCheck.oneof(
    FastCheck.constantFrom<unknown>(null, [], "https://example.com", 42).map(label("not-an-object", null)),
    FastCheck.constant({}).map(label("no-field", null)),
    FastCheck.constant({ url: null }).map(label("url-only-null", null)),
    FastCheck.webUrl({ validSchemes: ["http", "ftp"] }).map((url) => label("url-not-https", "url")({ ...valid, url })),
    FastCheck.constantFrom("https://localhost/hook", "https://10.1.2.3/h", "https://[::1]/h").map((url) =>
      label("url-not-public", "url")({ ...valid, url })
    ),
    FastCheck.constantFrom<unknown>("avatar_video.success", 1, {}).map((events) =>
      label("events-not-an-array", "events")({ ...valid, events })
    ),
    FastCheck.tuple(FastCheck.array(eventType, { maxLength: 3 }), unknownEvent).map(([events, bad]) =>
      label("unknown-event", "events")({ ...valid, events: [...events, bad] })
    ),
    FastCheck.tuple(
      FastCheck.stringMatching(/^[a-z_]{1,12}$/).filter((k) => !["url", "events"].includes(k)),
      FastCheck.jsonValue()
    ).map(([key, value]) => label("extra-key", key)({ ...valid, [key]: value }))
  )
})

/**
 * A 200 body of List Webhook Endpoints: secrets null (as HeyGen's docs say of list items), and `next_token` set
 * exactly when `has_more` is.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const listEndpointsResponseBody: FastCheck.Arbitrary<{
  readonly data: ReadonlyArray<typeof WebhookEndpoint.WebhookEndpoint.Encoded>
  readonly has_more: boolean
  readonly next_token: string | null
}> = FastCheck.tuple(
  FastCheck.array(endpoint.map((e) => ({ ...e, secret: null })), { maxLength: 5 }),
  FastCheck.option(pageToken, { nil: null })
).map(([data, next_token]) => ({ data, has_more: next_token !== null, next_token }))

/**
 * A 200 body of Update Webhook Endpoint (`{ data: endpoint }`, secret null).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const updateResponseBody: FastCheck.Arbitrary<
  { readonly data: typeof WebhookEndpoint.WebhookEndpoint.Encoded }
> = endpoint.map((e) => ({ data: { ...e, secret: null } }))

/**
 * The 200 body of Delete Webhook Endpoint, as the spec shapes it.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const deleteResponseBody: FastCheck.Arbitrary<{ readonly error: null; readonly data: {} }> = FastCheck.constant({
  error: null,
  data: {}
})

/**
 * A 200 body of Rotate Webhook Secret (`{ data: { endpoint_id, secret } }`).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const rotateResponseBody: FastCheck.Arbitrary<{
  readonly data: { readonly endpoint_id: string; readonly secret: string }
}> = FastCheck.record({
  endpoint_id: endpointId,
  secret: FastCheck.stringMatching(/^whsec_[A-Za-z0-9]{24,40}$/)
}).map((data) => ({ data }))

/**
 * An item of List Webhook Event Types: a type (from the enum, or one added later) and its description.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const eventTypeItem: FastCheck.Arbitrary<typeof WebhookEvent.WebhookEventTypeItem.Encoded> = FastCheck.record({
  event_type: FastCheck.oneof(eventType, unknownEvent),
  description: FastCheck.string({ minLength: 1, maxLength: 80 })
})

/**
 * A 200 body of List Webhook Event Types: the complete set, so `has_more` is false.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const eventTypesResponseBody: FastCheck.Arbitrary<{
  readonly data: ReadonlyArray<{ readonly event_type: string; readonly description: string }>
  readonly has_more: false
  readonly next_token: null
}> = FastCheck.array(eventTypeItem, { maxLength: 35 }).map((data) => ({ data, has_more: false, next_token: null }))

/**
 * An event's payload: an open JSON object (unknown keys must survive decoding).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const eventData: FastCheck.Arbitrary<{ readonly [key: string]: unknown }> = FastCheck.dictionary(
  FastCheck.stringMatching(/^[a-z_]{1,12}$/),
  FastCheck.jsonValue({ maxDepth: 2 })
)

/**
 * An event of the log, in its JSON form.
 *
 * @since 0.2.0
 * @category models
 */
export interface EventJson extends Readonly<typeof WebhookEvent.WebhookEvent.Encoded> {}

/**
 * An event as HeyGen sends it in the event log (the JSON form).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const event: FastCheck.Arbitrary<EventJson> = FastCheck.record({
  event_id: FastCheck.stringMatching(/^evt_[a-f0-9]{12,24}$/),
  event_type: FastCheck.oneof(eventType, unknownEvent),
  event_data: eventData,
  created_at: FastCheck.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T23:59:59Z") })
    .map((d) => d.toISOString())
})

/**
 * Query parameters of List Webhook Events: the two filters, `limit` and `token`, each optional.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const listEventsParams: FastCheck.Arbitrary<WebhookEvent.ListWebhookEventsParams> = Arbitrary.make(
  WebhookEvent.ListWebhookEventsParams
)

/**
 * A 200 body of List Webhook Events, `next_token` set exactly when `has_more` is.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const listEventsResponseBody: FastCheck.Arbitrary<{
  readonly data: ReadonlyArray<EventJson>
  readonly has_more: boolean
  readonly next_token: string | null
}> = FastCheck.tuple(FastCheck.array(event, { maxLength: 5 }), FastCheck.option(pageToken, { nil: null })).map((
  [data, next_token]
) => ({ data, has_more: next_token !== null, next_token }))

/**
 * Events for `FakeHeyGen.recordEvent`, over a small pool of entity ids so the `entity_id` filter matches often.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const eventInput: FastCheck.Arbitrary<{
  readonly eventType: string
  readonly eventData: { readonly [key: string]: unknown }
  readonly entityId: string | null
}> = FastCheck.record({
  eventType: eventType,
  eventData: eventData,
  entityId: FastCheck.option(FastCheck.constantFrom("v_1", "v_2", "v_3"), { nil: null })
})

/**
 * Any 200 body of List Webhook Endpoints core's schema allows (absent optional fields, odd strings), for decoders.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const specListEndpointsResponseBody: FastCheck.Arbitrary<
  typeof WebhookEndpoint.ListWebhookEndpointsResponse.Encoded
> = Arbitrary.make(Schema.encodedSchema(WebhookEndpoint.ListWebhookEndpointsResponse))

/**
 * Any 200 body of Update Webhook Endpoint core's schema allows.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const specUpdateResponseBody: FastCheck.Arbitrary<typeof WebhookEndpoint.UpdateWebhookEndpointResponse.Encoded> =
  Arbitrary.make(Schema.encodedSchema(WebhookEndpoint.UpdateWebhookEndpointResponse))

/**
 * Any 200 body of Rotate Webhook Secret core's schema allows.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const specRotateResponseBody: FastCheck.Arbitrary<typeof WebhookEndpoint.RotateSecretResponse.Encoded> =
  Arbitrary
    .make(Schema.encodedSchema(WebhookEndpoint.RotateSecretResponse))

/**
 * Any 200 body of List Webhook Event Types core's schema allows.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const specEventTypesResponseBody: FastCheck.Arbitrary<
  typeof WebhookEvent.ListWebhookEventTypesResponse.Encoded
> = Arbitrary.make(Schema.encodedSchema(WebhookEvent.ListWebhookEventTypesResponse))

/**
 * Any 200 body of List Webhook Events core's schema allows (`event_data` any JSON object).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const specListEventsResponseBody: FastCheck.Arbitrary<typeof WebhookEvent.ListWebhookEventsResponse.Encoded> =
  Arbitrary.make(Schema.encodedSchema(WebhookEvent.ListWebhookEventsResponse))
