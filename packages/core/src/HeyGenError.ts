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
  /**
   * The key the call used: repeat the call with it to replay rather than act twice. `null` for operations that
   * send no key (GET, PATCH and DELETE are safe to repeat without one).
   */
  idempotencyKey: Schema.NullOr(Schema.String)
}

/**
 * The request failed local validation; nothing was sent. `field` names the offending input
 * (`url`, `events.2`, `idempotencyKey`, ...). For a value that is not one of a fixed set (`kind`
 * `"UnknownEventType"`), the error also carries, as data, the refused value as it may be shown (`actual`: quoted,
 * secrets scrubbed, cut short; for a non-string, its kind), the `allowed` values and the closest of them
 * (`suggestion`), so a caller can word its own message without parsing this one.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>()("ValidationError", {
  field: Schema.String,
  message: Schema.String,
  /** @since 0.5.0 */
  kind: Schema.optional(Schema.Literal("UnknownEventType")),
  /** @since 0.5.0 */
  actual: Schema.optional(Schema.String),
  /** @since 0.5.0 */
  allowed: Schema.optional(Schema.Array(Schema.String)),
  /** @since 0.5.0 */
  suggestion: Schema.optional(Schema.NullOr(Schema.String))
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
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Duration, Effect, Option } from "effect"
 *
 * // A 429 whose Retry-After was above the policy's ceiling: the call gives the wait back instead of sleeping.
 * export const program = WebhookEndpoints.list().pipe(
 *   Effect.catchTag("RateLimited", (error) =>
 *     Effect.logWarning(
 *       `rate limited; retry in ${Option.match(error.retryAfter, { onNone: () => "a while", onSome: Duration.format })}`
 *     ))
 * )
 * ```
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
 * Any other API error: a status or code this client has no dedicated error for (403, 422, 5xx, a 404 or 409 on a
 * route that does not document it, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", apiFields) {}

/**
 * What went wrong below HTTP, in a few words a user can act on: derived from the `code` of the underlying error
 * (`ECONNREFUSED` is "connection refused", `ENOTFOUND` is "DNS lookup failed", `ERR_TLS_*` is "TLS", ...).
 * "connection failed" and "response cut off" are the fallbacks when the cause names nothing more precise.
 *
 * @since 0.2.0
 * @category models
 */
export const TransportReason = Schema.Literal(
  "connection refused",
  "connection reset",
  "DNS lookup failed",
  "host unreachable",
  "TLS",
  "invalid header",
  "invalid URL",
  "timeout",
  "response cut off",
  "connection failed"
)

/**
 * @since 0.2.0
 * @category models
 */
export type TransportReason = typeof TransportReason.Type

/**
 * The response never arrived: the connection failed or was dropped. The server may or may not have acted, so
 * repeat with the same idempotency key.
 *
 * `reason` says what happened; `cause` keeps the underlying error chain (name, code and message of each link,
 * scrubbed of the credential: the consumer's `HttpClient` may quote request headers in its messages); `method` and
 * `url` name the request (the URL without its query).
 *
 * @example
 * ```ts
 * import { HeyGenError } from "@effect-heygen/core"
 *
 * export const advice = (error: HeyGenError.TransportError) =>
 *   error.reason === "DNS lookup failed" || error.reason === "connection refused"
 *     ? `check the base URL: ${error.url}`
 *     : "repeat the call with the same idempotency key"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  message: Schema.String,
  idempotencyKey: Schema.NullOr(Schema.String),
  /** @since 0.2.0 */
  reason: Schema.optionalWith(TransportReason, { default: () => "connection failed" }),
  /** @since 0.2.0 */
  method: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** @since 0.2.0 */
  url: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** @since 0.2.0 */
  cause: Schema.optional(Schema.Defect)
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
  idempotencyKey: Schema.NullOr(Schema.String)
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
  idempotencyKey: Schema.NullOr(Schema.String)
}) {}

/**
 * 404 `not_found`: no endpoint with the id asked for (never created, or deleted). `resourceId` is that id.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * // Updating an endpoint that is gone: say so instead of failing the whole program.
 * export const program = WebhookEndpoints.update("ep_gone", { events: null }).pipe(
 *   Effect.catchTag("NotFound", (e) => Effect.logWarning(`no endpoint ${e.resourceId}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  ...apiFields,
  resourceId: Schema.String
}) {}

/**
 * A list's pagination went wrong on the server's side: a `next_token` came back that was already followed
 * (`RepeatedToken`: following it would loop forever), or `has_more: true` came without a token (`MissingToken`).
 * `page` is the 1-based page that carried it. Streams end with this error instead of looping or stopping silently.
 *
 * @since 0.2.0
 * @category errors
 */
export class PaginationError extends Schema.TaggedError<PaginationError>()("PaginationError", {
  reason: Schema.Literal("RepeatedToken", "MissingToken"),
  token: Schema.NullOr(Schema.String),
  page: Schema.Number
}) {
  override get message(): string {
    return this.reason === "RepeatedToken"
      ? `page ${this.page} returned a next_token that was already followed`
      : `page ${this.page} said has_more but gave no next_token`
  }
}

/**
 * Every error that came back from the API with a status and a HeyGen error code.
 *
 * @since 0.1.0
 * @category models
 */
export type ApiFailure =
  | InvalidParameter
  | AuthenticationFailed
  | Conflict
  | RequestInProgress
  | NotFound
  | RateLimited
  | ApiError

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
export type HeyGenError = ValidationError | RequestFailure | PaginationError

/**
 * What any operation can fail with: a local validation error, or a request failure that every route can produce.
 * A 409 or 404 code on a route whose spec does not document it arrives as `ApiError`.
 *
 * @since 0.2.0
 * @category models
 */
export type BaseError =
  | ValidationError
  | InvalidParameter
  | AuthenticationFailed
  | RateLimited
  | ApiError
  | TransportError
  | TimeoutError
  | UnexpectedResponse

/**
 * The error channel of `createWebhookEndpoint`.
 *
 * @since 0.1.0
 * @category models
 */
export type CreateWebhookEndpointError = BaseError | Conflict | RequestInProgress

/**
 * The error channel of `listWebhookEndpoints` (one page).
 *
 * @since 0.2.0
 * @category models
 */
export type ListWebhookEndpointsError = BaseError

/**
 * The error channel of `WebhookEndpoints.stream`: a page's error, or a broken pagination.
 *
 * @since 0.2.0
 * @category models
 */
export type StreamWebhookEndpointsError = ListWebhookEndpointsError | PaginationError

/**
 * The error channel of `updateWebhookEndpoint`: `Conflict` when the new URL is another endpoint's.
 *
 * @since 0.2.0
 * @category models
 */
export type UpdateWebhookEndpointError = BaseError | Conflict | NotFound

/**
 * The error channel of `deleteWebhookEndpoint`.
 *
 * @since 0.2.0
 * @category models
 */
export type DeleteWebhookEndpointError = BaseError | NotFound

/**
 * The error channel of `rotateWebhookEndpointSecret`.
 *
 * @since 0.2.0
 * @category models
 */
export type RotateWebhookEndpointSecretError = BaseError | RequestInProgress | NotFound

/**
 * The error channel of `listWebhookEventTypes`.
 *
 * @since 0.2.0
 * @category models
 */
export type ListWebhookEventTypesError = BaseError

/**
 * The error channel of `listWebhookEvents` (one page).
 *
 * @since 0.2.0
 * @category models
 */
export type ListWebhookEventsError = BaseError

/**
 * The error channel of `WebhookEvents.stream`.
 *
 * @since 0.2.0
 * @category models
 */
export type StreamWebhookEventsError = ListWebhookEventsError | PaginationError

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
  "NotFound",
  "RateLimited",
  "ApiError",
  "TransportError",
  "TimeoutError",
  "UnexpectedResponse",
  "PaginationError"
] as const satisfies ReadonlyArray<HeyGenError["_tag"]>

/**
 * Whether a value is one of this SDK's errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isHeyGenError = (u: unknown): u is HeyGenError =>
  typeof u === "object" && u !== null && "_tag" in u && (tags as ReadonlyArray<unknown>).includes(u._tag)
