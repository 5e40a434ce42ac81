/**
 * Every way a call can fail, as one tagged error per outcome. None of them ever holds a credential: API keys
 * are not fields of any error, and body excerpts are scrubbed of secrets before they are stored.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * HeyGen's error body, `{ "error": StandardAPIError }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StandardApiError = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  param: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  doc_url: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
}).annotations({ identifier: "StandardAPIError" })

/**
 * @since 0.1.0
 * @category models
 */
export interface StandardApiError extends Schema.Schema.Type<typeof StandardApiError> {}

/**
 * The envelope HeyGen wraps its errors in.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StandardApiErrorBody = Schema.Struct({ error: StandardApiError })

/** What every error that came back from the API carries. */
const apiFields = {
  /** The HTTP status. */
  status: Schema.Number,
  /** HeyGen's machine-readable code, e.g. `conflict`. */
  code: Schema.String,
  message: Schema.String,
  /** The request field the server blamed, when it named one. */
  param: Schema.NullOr(Schema.String),
  docUrl: Schema.NullOr(Schema.String),
  /** The `x-request-id` response header: quote it to HeyGen support. */
  requestId: Schema.NullOr(Schema.String),
  /** The key the call used: repeat the call with it to replay rather than act twice. */
  idempotencyKey: Schema.String
}

/**
 * The request failed local validation; nothing was sent. `field` names the offending input
 * (`url`, `events.2`, `idempotencyKey`, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  field: Schema.String,
  message: Schema.String
}) {}

/**
 * 400 `invalid_parameter`: the server refused a parameter.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidParameter extends Schema.TaggedError<InvalidParameter>()("InvalidParameter", apiFields) {}

/**
 * 401: the API key or token is missing, invalid or expired.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()(
  "AuthenticationFailed",
  apiFields
) {}

/**
 * 409 `conflict`: an endpoint with this URL already exists for the account.
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", apiFields) {}

/**
 * 409 `request_in_progress`: an earlier request with the same idempotency key is still running.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestInProgress extends Schema.TaggedError<RequestInProgress>()("RequestInProgress", apiFields) {}

/**
 * 429: too many requests. `retryAfter` is the parsed `Retry-After` header, when it was usable.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  ...apiFields,
  retryAfter: Schema.OptionFromSelf(Schema.DurationFromSelf)
}) {
  /** The wait in milliseconds, or null when the server gave none (handy for JSON output). */
  get retryAfterMillis(): number | null {
    return Option.match(this.retryAfter, { onNone: () => null, onSome: Duration.toMillis })
  }
}

/**
 * Any other API error: a status or code this client has no dedicated error for (403, 404, 422, 5xx, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", apiFields) {}

/**
 * The response never arrived: the connection failed or was dropped. The server may or may not have acted, so
 * repeat with the same idempotency key.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  message: Schema.String,
  idempotencyKey: Schema.String
}) {}

/**
 * A time limit ran out: one attempt (`scope: "attempt"`) or the whole call with its retries (`scope: "call"`).
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  scope: Schema.Literal("attempt", "call"),
  timeout: Schema.DurationFromSelf,
  idempotencyKey: Schema.String
}) {
  override get message(): string {
    return `the ${this.scope} timed out after ${Duration.format(this.timeout)}`
  }
}

/**
 * The server answered with something the spec does not allow: a 2xx body that does not decode, or an error body
 * that is not HeyGen's error envelope (an HTML 502 page from a proxy, truncated JSON, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  status: Schema.Number,
  message: Schema.String,
  /** The first bytes of the body, with secrets scrubbed. */
  bodyExcerpt: Schema.String,
  requestId: Schema.NullOr(Schema.String),
  idempotencyKey: Schema.String
}) {}

/**
 * Every error that came back from the API with a status and a HeyGen error code.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiFailure = InvalidParameter | AuthenticationFailed | Conflict | RequestInProgress | RateLimited | ApiError

/**
 * Every error a request can fail with once it has passed validation (what a retry policy sees).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestFailure = ApiFailure | TransportError | TimeoutError | UnexpectedResponse

/**
 * Every error of the SDK.
 *
 * @since 0.1.0
 * @category models
 */
export type HeyGenError = ValidationError | RequestFailure

/**
 * The error channel of `createWebhookEndpoint`.
 *
 * @since 0.1.0
 * @category models
 */
export type CreateWebhookEndpointError = HeyGenError

/**
 * Every error tag, for exhaustive handling and tests.
 *
 * @since 0.1.0
 * @category constants
 */
export const tags = [
  "ValidationError",
  "InvalidParameter",
  "AuthenticationFailed",
  "Conflict",
  "RequestInProgress",
  "RateLimited",
  "ApiError",
  "TransportError",
  "TimeoutError",
  "UnexpectedResponse"
] as const satisfies ReadonlyArray<HeyGenError["_tag"]>

/**
 * Whether a value is one of this SDK's errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isHeyGenError = (u: unknown): u is HeyGenError =>
  typeof u === "object" && u !== null && "_tag" in u && (tags as ReadonlyArray<unknown>).includes(u._tag)
