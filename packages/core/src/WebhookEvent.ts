/**
 * Schemas of the event log (`GET /v3/webhooks/events`) and the event type catalogue
 * (`GET /v3/webhooks/event-types`).
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import * as Page from "./Page.js"
import { WebhookEventType } from "./WebhookEventType.js"

/**
 * An event HeyGen sent. `event_type` is a plain string (a new type must not break a client) and `event_data` an
 * open record: every key the server sent is kept.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WebhookEvent = Schema.Struct({
  event_id: Schema.String,
  event_type: Schema.String,
  event_data: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  created_at: Schema.String
}).annotations({ identifier: "WebhookEvent", title: "WebhookEventResponse" })

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookEvent extends Schema.Schema.Type<typeof WebhookEvent> {}

/**
 * An event type with HeyGen's description of when it fires.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WebhookEventTypeItem = Schema.Struct({
  event_type: Schema.String,
  description: Schema.String
}).annotations({ identifier: "WebhookEventTypeItem", title: "WebhookEventTypeItem" })

/**
 * @since 0.2.0
 * @category models
 */
export interface WebhookEventTypeItem extends Schema.Schema.Type<typeof WebhookEventTypeItem> {}

/**
 * The query of List Webhook Events: filters by `event_type` and `entity_id`, plus `limit` and `token`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListWebhookEventsParams = Schema.Struct({
  event_type: Schema.optional(WebhookEventType),
  entity_id: Schema.optional(Schema.NonEmptyString),
  limit: Schema.optional(Page.Limit),
  token: Schema.optional(Page.Token)
}).annotations({ identifier: "ListWebhookEventsParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.2.0
 * @category models
 */
export interface ListWebhookEventsParams extends Schema.Schema.Type<typeof ListWebhookEventsParams> {}

/**
 * The 200 body of List Webhook Events.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListWebhookEventsResponse = Page.response(WebhookEvent).annotations({
  identifier: "ListWebhookEventsResponse"
})

/**
 * The 200 body of List Webhook Event Types: the whole catalogue in one page.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListWebhookEventTypesResponse = Page.response(WebhookEventTypeItem).annotations({
  identifier: "ListWebhookEventTypesResponse"
})
