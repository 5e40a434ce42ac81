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
 * Cursor pagination: `limit`, `token` and one page of results.
 *
 * @since 0.2.0
 */
export * as Page from "./Page.js"

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
 * What HeyGen POSTs to an endpoint: the delivery envelope, typed payloads and the `DeliveryEvent` union.
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
 * Schemas of the event log and the event type catalogue.
 *
 * @since 0.2.0
 */
export * as WebhookEvent from "./WebhookEvent.js"

/**
 * The event type catalogue and the event log.
 *
 * @since 0.2.0
 */
export * as WebhookEvents from "./WebhookEvents.js"

/**
 * The event types an endpoint may subscribe to.
 *
 * @since 0.1.0
 */
export * as WebhookEventType from "./WebhookEventType.js"

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
 * Registers an HTTPS URL to receive webhook events (`POST /v3/webhooks/endpoints`); `WebhookEndpoints.create`.
 *
 * @since 0.1.0
 * @category operations
 */
export const createWebhookEndpoint = WebhookEndpoints.create

/**
 * One page of the account's endpoints (`GET /v3/webhooks/endpoints`); `WebhookEndpoints.list`.
 *
 * @since 0.2.0
 * @category operations
 */
export const listWebhookEndpoints = WebhookEndpoints.list

/**
 * Changes an endpoint's URL or events (`PATCH /v3/webhooks/endpoints/{endpoint_id}`); `WebhookEndpoints.update`.
 *
 * @since 0.2.0
 * @category operations
 */
export const updateWebhookEndpoint = WebhookEndpoints.update

/**
 * Deletes an endpoint (`DELETE /v3/webhooks/endpoints/{endpoint_id}`); `WebhookEndpoints.delete`.
 *
 * @since 0.2.0
 * @category operations
 */
export const deleteWebhookEndpoint = WebhookEndpoints.del

/**
 * Replaces an endpoint's signing secret (`POST /v3/webhooks/endpoints/{endpoint_id}/rotate-secret`);
 * `WebhookEndpoints.rotateSecret`.
 *
 * @since 0.2.0
 * @category operations
 */
export const rotateWebhookEndpointSecret = WebhookEndpoints.rotateSecret

/**
 * Every event type with its description (`GET /v3/webhooks/event-types`); `WebhookEvents.listEventTypes`.
 *
 * @since 0.2.0
 * @category operations
 */
export const listWebhookEventTypes = WebhookEvents.listEventTypes

/**
 * One page of the event log (`GET /v3/webhooks/events`); `WebhookEvents.list`.
 *
 * @since 0.2.0
 * @category operations
 */
export const listWebhookEvents = WebhookEvents.list

// The result and error types of every operation, also at the root so that `import type { ... } from
// "@effect-heygen/core"` finds the names the README uses. (docgen reads each name's JSDoc on its specifier.)
export type {
  /**
   * What `WebhookEndpoints.create` returns.
   *
   * @since 0.2.0
   * @category models
   */
  CreateWebhookEndpointResult,
  /**
   * What `WebhookEndpoints.delete` returns.
   *
   * @since 0.2.0
   * @category models
   */
  DeleteWebhookEndpointResult,
  /**
   * What `WebhookEndpoints.list` returns: one page.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEndpointsResult,
  /**
   * What `WebhookEndpoints.rotateSecret` returns.
   *
   * @since 0.2.0
   * @category models
   */
  RotateWebhookEndpointSecretResult,
  /**
   * What `WebhookEndpoints.update` returns.
   *
   * @since 0.2.0
   * @category models
   */
  UpdateWebhookEndpointResult
} from "./WebhookEndpoints.js"

export type {
  /**
   * What `WebhookEvents.list` returns: one page.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEventsResult,
  /**
   * What `WebhookEvents.listEventTypes` returns.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEventTypesResult
} from "./WebhookEvents.js"

export type {
  /**
   * The errors of `WebhookEndpoints.create`.
   *
   * @since 0.2.0
   * @category models
   */
  CreateWebhookEndpointError,
  /**
   * The errors of `WebhookEndpoints.delete`.
   *
   * @since 0.2.0
   * @category models
   */
  DeleteWebhookEndpointError,
  /**
   * The errors of `WebhookEndpoints.list`.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEndpointsError,
  /**
   * The errors of `WebhookEvents.list`.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEventsError,
  /**
   * The errors of `WebhookEvents.listEventTypes`.
   *
   * @since 0.2.0
   * @category models
   */
  ListWebhookEventTypesError,
  /**
   * The errors of `WebhookEndpoints.rotateSecret`.
   *
   * @since 0.2.0
   * @category models
   */
  RotateWebhookEndpointSecretError,
  /**
   * The errors of `WebhookEndpoints.stream`.
   *
   * @since 0.2.0
   * @category models
   */
  StreamWebhookEndpointsError,
  /**
   * The errors of `WebhookEvents.stream`.
   *
   * @since 0.2.0
   * @category models
   */
  StreamWebhookEventsError,
  /**
   * The errors of `WebhookEndpoints.update`.
   *
   * @since 0.2.0
   * @category models
   */
  UpdateWebhookEndpointError
} from "./HeyGenError.js"

import * as WebhookEndpoints from "./WebhookEndpoints.js"
import * as WebhookEvents from "./WebhookEvents.js"
