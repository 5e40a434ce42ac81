/**
 * @effect-heygen/core: an Effect SDK for HeyGen's webhook endpoints API.
 *
 * @since 0.1.0
 */

/**
 * Which webhook events a receiver has handled: the `DeliveryLog` service and its in-memory layer (the durable
 * SQL layer is `@effect-heygen/core/DeliveryLogSql`).
 *
 * @since 0.2.0
 */
export * as DeliveryLog from "./DeliveryLog.js"

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
 * What HeyGen POSTs to an endpoint: the delivery envelope, typed payloads and the `WebhookEvent` union.
 *
 * @since 0.2.0
 */
export * as WebhookDelivery from "./WebhookDelivery.js"

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
 * An `HttpApp` that receives deliveries: bounded body, verification, de-duplication, your handler.
 *
 * @since 0.2.0
 */
export * as WebhookReceiver from "./WebhookReceiver.js"

/**
 * Verifying and signing deliveries (`Heygen-Signature`, `Heygen-Timestamp`, `Heygen-Event-Id`).
 *
 * @since 0.2.0
 */
export * as WebhookSignature from "./WebhookSignature.js"

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
