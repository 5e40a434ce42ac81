/**
 * @effect-heygen/core: an Effect SDK for HeyGen's webhook endpoints API.
 *
 * @since 0.1.0
 */

/**
 * The `HeyGenClient` service and its layers.
 *
 * @since 0.1.0
 */
export * as HeyGenClient from "./HeyGenClient.js"

/**
 * The typed errors of every call.
 *
 * @since 0.1.0
 */
export * as HeyGenError from "./HeyGenError.js"

/**
 * The Idempotency-Key schema and generator.
 *
 * @since 0.1.0
 */
export * as IdempotencyKey from "./IdempotencyKey.js"

/**
 * The retry policy (a `Schedule`) and Retry-After parsing.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * The package version and default User-Agent.
 *
 * @since 0.1.0
 */
export * as Version from "./Version.js"

/**
 * Request and response schemas of the webhook endpoint resource.
 *
 * @since 0.1.0
 */
export * as WebhookEndpoint from "./WebhookEndpoint.js"

/**
 * Operations on webhook endpoints.
 *
 * @since 0.1.0
 */
export * as WebhookEndpoints from "./WebhookEndpoints.js"

/**
 * The event types an endpoint may subscribe to.
 *
 * @since 0.1.0
 */
export * as WebhookEventType from "./WebhookEventType.js"

/**
 * Registers an HTTPS URL to receive webhook events (`POST /v3/webhooks/endpoints`); `WebhookEndpoints.create`.
 *
 * @since 0.1.0
 */
export const createWebhookEndpoint = WebhookEndpoints.create

import * as WebhookEndpoints from "./WebhookEndpoints.js"
