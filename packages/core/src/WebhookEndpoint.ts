/**
 * Schemas of the webhook endpoint resource: what `POST /v3/webhooks/endpoints` takes and returns.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { WebhookEventType } from "./WebhookEventType.js"

const isAbsoluteHttpsUrl = (s: string): boolean => {
  // `new URL` trims surrounding spaces, but the server would get them: refuse them here instead.
  if (s.trim() !== s) return false
  try {
    return new URL(s).protocol === "https:"
  } catch {
    return false
  }
}

/**
 * An absolute `https:` URL, kept as the string the caller gave (the server compares URLs as strings when it
 * looks for a conflict, so we must not normalise it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const HttpsUrl = Schema.String.pipe(
  Schema.filter(isAbsoluteHttpsUrl, {
    message: (issue) => `must be an absolute https URL, got ${JSON.stringify(issue.actual)}`,
    // The spec types `url` as a plain string; the https rule is ours (and the server's), not the spec's.
    jsonSchema: {}
  })
).annotations({
  identifier: "HttpsUrl",
  title: "Url",
  // Random strings are almost never URLs: generate web URLs instead so `Arbitrary.make` works on requests.
  arbitrary: () => (fc) => fc.webUrl({ validSchemes: ["https"], withQueryParameters: true, withFragments: true })
})

/**
 * The request body of Create Webhook Endpoint. Unknown keys are refused, as the spec's
 * `additionalProperties: false` says.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateWebhookEndpointRequest = Schema.Struct({
  url: HttpsUrl,
  events: Schema.optional(Schema.NullOr(Schema.Array(WebhookEventType))).annotations({
    description: "Event types to subscribe to. Omit or set to null to receive all events."
  }),
  entity_id: Schema.optional(Schema.NullOr(Schema.String)).annotations({
    description: "Optional entity ID to scope this endpoint to a specific resource."
  })
}).annotations({
  identifier: "CreateWebhookEndpointRequest",
  title: "CreateWebhookEndpointRequest",
  parseOptions: { onExcessProperty: "error" }
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateWebhookEndpointRequest extends Schema.Schema.Type<typeof CreateWebhookEndpointRequest> {}

/**
 * A registered webhook endpoint, decoded tolerantly: `events` items and `status` are plain strings (as the spec's
 * response schema says, so a new event type or status never breaks a client), unknown fields are ignored, and the
 * signing `secret` is `Redacted` so that logging an endpoint never prints it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookEndpoint = Schema.Struct({
  endpoint_id: Schema.String,
  url: Schema.String,
  events: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.String)), { default: () => null }),
  status: Schema.String,
  created_at: Schema.String,
  secret: Schema.optionalWith(Schema.NullOr(Schema.Redacted(Schema.String)), { default: () => null })
}).annotations({ identifier: "WebhookEndpoint", title: "WebhookEndpointResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface WebhookEndpoint extends Schema.Schema.Type<typeof WebhookEndpoint> {}

/**
 * The 200 body of Create Webhook Endpoint: `{ "data": WebhookEndpoint }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateWebhookEndpointResponse = Schema.Struct({ data: WebhookEndpoint }).annotations({
  identifier: "CreateWebhookEndpointResponse"
})
