/**
 * Schemas of the webhook endpoint resource: what `POST /v3/webhooks/endpoints` takes and returns.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Page from "./Page.js"
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

/**
 * An endpoint id as a path parameter: not empty, no `/`, and not `.` or `..` (which a URL would resolve to
 * another route). Anything else is percent-encoded into the path.
 *
 * @since 0.2.0
 * @category schemas
 */
export const EndpointId = Schema.String.pipe(
  Schema.filter((s) => s.length > 0 && !s.includes("/") && s !== "." && s !== "..", {
    message: (issue) => `must be an endpoint id (not empty, no "/"), got ${JSON.stringify(issue.actual)}`
  })
).annotations({ identifier: "EndpointId", title: "Endpoint Id" })

/**
 * The query of List Webhook Endpoints: `limit` (1-100) and `token`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListWebhookEndpointsParams = Page.PageParams.annotations({ identifier: "ListWebhookEndpointsParams" })

/**
 * @since 0.2.0
 * @category models
 */
export interface ListWebhookEndpointsParams extends Schema.Schema.Type<typeof ListWebhookEndpointsParams> {}

/**
 * The 200 body of List Webhook Endpoints. List items carry `secret: null`: HeyGen shows a secret only on create
 * and rotate.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListWebhookEndpointsResponse = Page.response(WebhookEndpoint).annotations({
  identifier: "ListWebhookEndpointsResponse"
})

/**
 * The body of Update Webhook Endpoint: a new `url`, a new `events` list (it *replaces* the old one; `null` means
 * all events), or both; at least one, and no other keys. The spec also allows `url: null`; we refuse it, since an
 * endpoint without a URL means nothing (leave `url` out to keep it).
 *
 * @since 0.2.0
 * @category schemas
 */
export const UpdateWebhookEndpointRequest = Schema.Struct({
  url: Schema.optional(HttpsUrl),
  events: Schema.optional(Schema.NullOr(Schema.Array(WebhookEventType))).annotations({
    description: "New list of event types to subscribe to. Replaces the existing list; null means all events."
  })
}).pipe(
  Schema.filter((body) => body.url !== undefined || body.events !== undefined, {
    message: () => "must set at least one of url and events",
    jsonSchema: {}
  })
).annotations({
  identifier: "UpdateWebhookEndpointRequest",
  title: "UpdateWebhookEndpointRequest",
  parseOptions: { onExcessProperty: "error" }
})

/**
 * @since 0.2.0
 * @category models
 */
export interface UpdateWebhookEndpointRequest extends Schema.Schema.Type<typeof UpdateWebhookEndpointRequest> {}

/**
 * The 200 body of Update Webhook Endpoint: `{ "data": WebhookEndpoint }`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const UpdateWebhookEndpointResponse = Schema.Struct({ data: WebhookEndpoint }).annotations({
  identifier: "UpdateWebhookEndpointResponse"
})

/**
 * The 200 body of Delete Webhook Endpoint (`{ "error": null, "data": {} }`), decoded to what the caller needs:
 * whether the endpoint was already gone (always `false` here; see `WebhookEndpoints.delete`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const DeleteWebhookEndpointResponse = Schema.transform(
  Schema.Struct({
    error: Schema.optional(Schema.NullOr(Schema.Unknown)),
    data: Schema.optional(Schema.Unknown)
  }),
  Schema.Struct({ alreadyGone: Schema.Boolean }),
  { strict: true, decode: () => ({ alreadyGone: false }), encode: () => ({ error: null, data: {} }) }
).annotations({ identifier: "DeleteWebhookEndpointResponse" })

/**
 * The 200 body of Rotate Webhook Endpoint Secret. The new `secret` is `Redacted`: HeyGen shows it once, and the
 * old one stops working at once.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RotateSecretResponse = Schema.Struct({
  data: Schema.Struct({
    endpoint_id: Schema.String,
    secret: Schema.Redacted(Schema.String)
  }).annotations({ identifier: "RotateSecretResponseData" })
}).annotations({ identifier: "RotateSecretResponse" })
