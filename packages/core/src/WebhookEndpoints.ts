/**
 * Operations on webhook endpoints. Each is a thin description run by the shared request pipeline
 * (`internal/pipeline.ts`: validate, send, classify, decode, retry).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as HeyGenClient from "./HeyGenClient.js"
import type * as HeyGenError from "./HeyGenError.js"
import type * as IdempotencyKey from "./IdempotencyKey.js"
import * as Pipeline from "./internal/pipeline.js"
import * as WebhookEndpoint from "./WebhookEndpoint.js"

/**
 * Per-call options: an idempotency key to reuse, and overrides of the client's retry policy and time limits.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions extends Pipeline.CallOptions {}

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

const createOperation: Pipeline.Operation<
  WebhookEndpoint.CreateWebhookEndpointRequest,
  typeof WebhookEndpoint.CreateWebhookEndpointRequest.Encoded,
  typeof WebhookEndpoint.CreateWebhookEndpointResponse.Type,
  typeof WebhookEndpoint.CreateWebhookEndpointResponse.Encoded
> = {
  name: "createWebhookEndpoint",
  method: "POST",
  path: "/v3/webhooks/endpoints",
  request: WebhookEndpoint.CreateWebhookEndpointRequest,
  response: WebhookEndpoint.CreateWebhookEndpointResponse
}

/**
 * Registers an HTTPS URL to receive webhook events (`POST /v3/webhooks/endpoints`).
 *
 * The request is validated before anything is sent. Every attempt carries the same Idempotency-Key, so a retry
 * after a lost response replays the original instead of creating a second endpoint. The signing secret in the
 * result is `Redacted`: it is shown only at creation, so store it.
 *
 * @since 0.1.0
 * @category operations
 */
export const create = (
  request: WebhookEndpoint.CreateWebhookEndpointRequest,
  options?: CallOptions
): Effect.Effect<CreateWebhookEndpointResult, HeyGenError.CreateWebhookEndpointError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(createOperation, request, options), (success) => ({
    endpoint: success.body.data,
    idempotencyKey: success.idempotencyKey,
    requestId: success.requestId,
    attempts: success.attempts
  }))
