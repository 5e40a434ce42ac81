/**
 * fast-check arbitraries for HeyGen's Create Webhook Endpoint, derived from core's schemas with `Arbitrary.make`
 * where a schema says enough, and hand-written where realism matters more (ids, secrets, Retry-After forms).
 *
 * @since 0.1.0
 */
import { HeyGenError, IdempotencyKey, WebhookEndpoint, WebhookEventType } from "@effect-heygen/core"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Fault from "./Fault.js"
import { validateBody } from "./internal/validation.js"

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
