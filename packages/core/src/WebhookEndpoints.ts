/**
 * Operations on webhook endpoints: an endpoint's whole life (create, list, update, rotate its secret, delete).
 * Each is a thin description run by the shared request pipeline (`internal/pipeline.ts`: validate, send, classify,
 * decode, retry).
 *
 * Retries are safe on every one of them: create and rotate-secret carry one Idempotency-Key on every attempt (the
 * server replays the first outcome), list is a read, update sets absolute values, and delete's goal holds however
 * often it runs (a `NotFound` on a retry after a lost attempt means that attempt deleted it).
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect, Stream } from "effect"
 *
 * // Every endpoint of the account, page after page, then the ones that receive everything.
 * export const catchAll = WebhookEndpoints.stream({ limit: 100 }).pipe(
 *   Stream.filter((endpoint) => endpoint.events === null),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as HeyGenClient from "./HeyGenClient.js"
import type * as HeyGenError from "./HeyGenError.js"
import type * as IdempotencyKey from "./IdempotencyKey.js"
import * as Paginate from "./internal/paginate.js"
import * as Pipeline from "./internal/pipeline.js"
import type * as Page from "./Page.js"
import * as WebhookEndpoint from "./WebhookEndpoint.js"

/**
 * Per-call options of the routes without an Idempotency-Key (list, update, delete): overrides of the client's
 * retry policy and time limits.
 *
 * @since 0.2.0
 * @category models
 */
export interface RequestOptions extends Pipeline.CallOptions {}

/**
 * Per-call options of the routes that take an Idempotency-Key (create, rotate-secret): a key to reuse, to replay
 * an earlier call instead of acting twice, and overrides of the client's retry policy and time limits.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions extends Pipeline.KeyedCallOptions {}

/**
 * A created endpoint, with the key the call used (keep it to repeat the call safely) and the request id.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateWebhookEndpointResult {
  readonly endpoint: WebhookEndpoint.WebhookEndpoint
  readonly idempotencyKey: IdempotencyKey.IdempotencyKey
  readonly requestId: string | null
  /** How many attempts the call took (1 when the first succeeded). */
  readonly attempts: number
}

/**
 * One page of endpoints. Their `secret` is always `null`: HeyGen shows a secret only on create and rotate.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListWebhookEndpointsResult extends Page.Page<WebhookEndpoint.WebhookEndpoint> {}

/**
 * An updated endpoint (its `secret` is `null`).
 *
 * @since 0.2.0
 * @category models
 */
export interface UpdateWebhookEndpointResult {
  readonly endpoint: WebhookEndpoint.WebhookEndpoint
  readonly requestId: string | null
  readonly attempts: number
}

/**
 * A deleted endpoint. `alreadyGone` is true when an attempt's response was lost and the retry found the endpoint
 * already deleted: the lost attempt did it.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeleteWebhookEndpointResult {
  readonly endpointId: string
  readonly alreadyGone: boolean
  readonly requestId: string | null
  readonly attempts: number
}

/**
 * A rotated secret. The old one stopped working at once; the new one is shown only now, so store it.
 *
 * @since 0.2.0
 * @category models
 */
export interface RotateWebhookEndpointSecretResult {
  readonly endpointId: string
  readonly secret: Redacted.Redacted<string>
  readonly idempotencyKey: IdempotencyKey.IdempotencyKey
  readonly requestId: string | null
  readonly attempts: number
}

const collection = "/v3/webhooks/endpoints"
const item = "/v3/webhooks/endpoints/{endpoint_id}"
// A struct, so a bad id is reported as `endpoint_id` (the spec's name for it).
const ByEndpointId = Schema.Struct({ endpoint_id: WebhookEndpoint.EndpointId })

const createOperation: Pipeline.Operation<
  typeof WebhookEndpoint.CreateWebhookEndpointResponse.Type,
  typeof WebhookEndpoint.CreateWebhookEndpointResponse.Encoded,
  "Conflict" | "RequestInProgress"
> = {
  name: "createWebhookEndpoint",
  method: "POST",
  path: collection,
  body: WebhookEndpoint.CreateWebhookEndpointRequest,
  response: WebhookEndpoint.CreateWebhookEndpointResponse,
  keyed: true,
  documented: ["Conflict", "RequestInProgress"]
}

const listOperation: Pipeline.Operation<
  typeof WebhookEndpoint.ListWebhookEndpointsResponse.Type,
  typeof WebhookEndpoint.ListWebhookEndpointsResponse.Encoded,
  never
> = {
  name: "listWebhookEndpoints",
  method: "GET",
  path: collection,
  query: WebhookEndpoint.ListWebhookEndpointsParams,
  response: WebhookEndpoint.ListWebhookEndpointsResponse,
  keyed: false,
  documented: []
}

const updateOperation: Pipeline.Operation<
  typeof WebhookEndpoint.UpdateWebhookEndpointResponse.Type,
  typeof WebhookEndpoint.UpdateWebhookEndpointResponse.Encoded,
  "Conflict" | "NotFound"
> = {
  name: "updateWebhookEndpoint",
  method: "PATCH",
  path: item,
  pathParams: ByEndpointId,
  body: WebhookEndpoint.UpdateWebhookEndpointRequest,
  response: WebhookEndpoint.UpdateWebhookEndpointResponse,
  keyed: false,
  documented: ["Conflict", "NotFound"]
}

const deleteOperation: Pipeline.Operation<
  typeof WebhookEndpoint.DeleteWebhookEndpointResponse.Type,
  typeof WebhookEndpoint.DeleteWebhookEndpointResponse.Encoded,
  "NotFound"
> = {
  name: "deleteWebhookEndpoint",
  method: "DELETE",
  path: item,
  pathParams: ByEndpointId,
  response: WebhookEndpoint.DeleteWebhookEndpointResponse,
  keyed: false,
  documented: ["NotFound"],
  whenGoneAfterLostAttempt: { alreadyGone: true }
}

const rotateOperation: Pipeline.Operation<
  typeof WebhookEndpoint.RotateSecretResponse.Type,
  typeof WebhookEndpoint.RotateSecretResponse.Encoded,
  "RequestInProgress" | "NotFound"
> = {
  name: "rotateWebhookEndpointSecret",
  method: "POST",
  path: `${item}/rotate-secret`,
  pathParams: ByEndpointId,
  response: WebhookEndpoint.RotateSecretResponse,
  keyed: true,
  documented: ["RequestInProgress", "NotFound"]
}

// Keyed routes always carry a key: the pipeline generates one when the caller gives none.
const keyOf = (success: Pipeline.Success<unknown>) => success.idempotencyKey as IdempotencyKey.IdempotencyKey

/**
 * Registers an HTTPS URL to receive webhook events (`POST /v3/webhooks/endpoints`).
 *
 * The request is validated before anything is sent. Every attempt carries the same Idempotency-Key, so a retry
 * after a lost response replays the original instead of creating a second endpoint. The signing secret in the
 * result is `Redacted`: it is shown only at creation, so store it.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * export const program = WebhookEndpoints.create({
 *   url: "https://example.com/hooks/heygen",
 *   events: ["avatar_video.success", "avatar_video.fail"]
 * }).pipe(Effect.map(({ endpoint }) => endpoint.endpoint_id))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  request: WebhookEndpoint.CreateWebhookEndpointRequest,
  options?: CallOptions
): Effect.Effect<CreateWebhookEndpointResult, HeyGenError.CreateWebhookEndpointError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(createOperation, { body: request }, options), (success) => ({
    endpoint: success.body.data,
    idempotencyKey: keyOf(success),
    requestId: success.requestId,
    attempts: success.attempts
  }))

/**
 * One page of the account's endpoints (`GET /v3/webhooks/endpoints`): pass `limit` (1-100, default 10) and the
 * previous page's `nextToken` as `token`. See `stream` to read them all.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * export const firstPage = WebhookEndpoints.list({ limit: 20 }).pipe(
 *   Effect.map((page) => ({ urls: page.data.map((e) => e.url), next: page.nextToken }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const list = (
  params: WebhookEndpoint.ListWebhookEndpointsParams = {},
  options?: RequestOptions
): Effect.Effect<ListWebhookEndpointsResult, HeyGenError.ListWebhookEndpointsError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(listOperation, { query: params }, options), Paginate.toPage)

/**
 * Every endpoint of the account, as a lazy `Stream` that follows `next_token` page by page: no page is fetched
 * before it is pulled, each page is retried on its own, and a token that repeats (or `has_more` without one) ends
 * the stream with a `PaginationError` after the items already received, never a loop.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Chunk, Effect, Stream } from "effect"
 *
 * export const allUrls = Stream.runCollect(WebhookEndpoints.stream({ limit: 100 })).pipe(
 *   Effect.map(Chunk.map((endpoint) => endpoint.url))
 * )
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const stream = (
  params: WebhookEndpoint.ListWebhookEndpointsParams = {},
  options?: RequestOptions
): Stream.Stream<WebhookEndpoint.WebhookEndpoint, HeyGenError.StreamWebhookEndpointsError, HeyGenClient.HeyGenClient> =>
  Paginate.stream(params.token, (token) => list({ ...params, ...(token === undefined ? {} : { token }) }, options))

/**
 * Changes an endpoint's URL, its events, or both (`PATCH /v3/webhooks/endpoints/{endpoint_id}`). `events`
 * *replaces* the list (`null` subscribes to all events). At least one field is required; both are validated
 * before anything is sent.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 *
 * // Only failures from now on: the list is replaced, not merged.
 * export const program = WebhookEndpoints.update("ep_abc123def456", { events: ["avatar_video.fail"] })
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const update = (
  endpointId: string,
  request: WebhookEndpoint.UpdateWebhookEndpointRequest,
  options?: RequestOptions
): Effect.Effect<UpdateWebhookEndpointResult, HeyGenError.UpdateWebhookEndpointError, HeyGenClient.HeyGenClient> =>
  Effect.map(
    Pipeline.execute(updateOperation, { path: { endpoint_id: endpointId }, body: request }, options),
    (success) => ({ endpoint: success.body.data, requestId: success.requestId, attempts: success.attempts })
  )

/**
 * Deletes an endpoint (`DELETE /v3/webhooks/endpoints/{endpoint_id}`); events stop being delivered to it.
 *
 * A `NotFound` on the first attempt fails the call (the id is wrong or was deleted before). A `NotFound` on a
 * retry after an attempt whose response was lost succeeds with `alreadyGone: true`: that attempt deleted it.
 * Exported as `delete` too (`WebhookEndpoints.delete`); `del` is the same function for places where `delete`
 * cannot be a binding name.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * export const program = WebhookEndpoints.del("ep_abc123def456").pipe(
 *   Effect.catchTag("NotFound", () => Effect.succeed("nothing to delete"))
 * )
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const del = (
  endpointId: string,
  options?: RequestOptions
): Effect.Effect<DeleteWebhookEndpointResult, HeyGenError.DeleteWebhookEndpointError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(deleteOperation, { path: { endpoint_id: endpointId } }, options), (success) => ({
    endpointId,
    alreadyGone: success.body.alreadyGone,
    requestId: success.requestId,
    attempts: success.attempts
  }))

export {
  /**
   * Deletes an endpoint: the same function as `del`, under the operation's own name.
   *
   * @since 0.2.0
   * @category operations
   */
  del as delete
}

/**
 * Replaces an endpoint's signing secret (`POST /v3/webhooks/endpoints/{endpoint_id}/rotate-secret`). The old
 * secret stops working at once; the new one is in the result, `Redacted`, and is shown only now. Every attempt
 * carries one Idempotency-Key (scoped by HeyGen to this endpoint), so a retry after a lost response returns the
 * same new secret instead of rotating twice and losing the first.
 *
 * @example
 * ```ts
 * import { WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * export const program = WebhookEndpoints.rotateSecret("ep_abc123def456").pipe(
 *   Effect.map(({ secret }) => Redacted.value(secret)) // store it now
 * )
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const rotateSecret = (
  endpointId: string,
  options?: CallOptions
): Effect.Effect<
  RotateWebhookEndpointSecretResult,
  HeyGenError.RotateWebhookEndpointSecretError,
  HeyGenClient.HeyGenClient
> =>
  Effect.map(Pipeline.execute(rotateOperation, { path: { endpoint_id: endpointId } }, options), (success) => ({
    endpointId: success.body.data.endpoint_id,
    secret: success.body.data.secret,
    idempotencyKey: keyOf(success),
    requestId: success.requestId,
    attempts: success.attempts
  }))
