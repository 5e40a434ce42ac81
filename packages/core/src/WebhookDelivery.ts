/**
 * What HeyGen POSTs to an endpoint: the envelope `{ event_type, event_data }`, the typed payloads of the event
 * types HeyGen documents, and `DeliveryEvent`, a tagged union with an explicit case for every other type, so a
 * receiver handles the known ones exhaustively and a new HeyGen event never breaks it.
 *
 * @example
 * ```ts
 * import { WebhookDelivery } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
 *   WebhookDelivery.match(delivery.event, {
 *     AvatarVideoSuccess: ({ data }) => Effect.log(`video ${data.video_id} at ${data.url}`),
 *     AvatarVideoFail: ({ data }) => Effect.logWarning(`video ${data.video_id} failed: ${data.msg}`),
 *     Other: ({ eventType }) => Effect.log(`not handled: ${eventType}`)
 *   })
 * ```
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { WebhookEventType } from "./WebhookEventType.js"

/**
 * The `event_type` of a delivery: one of the documented types or any other string, so that an event type
 * HeyGen adds tomorrow still decodes.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DeliveryEventType = Schema.Union(WebhookEventType, Schema.String).annotations({
  identifier: "DeliveryEventType"
})

/**
 * `event_data`: any JSON object (not an array, not null). Its shape depends on `event_type`; its keys are not
 * walked here (the typed payloads check the fields they need), which keeps decoding a large payload cheap.
 *
 * @since 0.2.0
 * @category schemas
 */
export const EventData = Schema.declare(
  (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u),
  { identifier: "EventData", description: "The event payload: a JSON object whose shape depends on event_type." }
)

/**
 * The JSON body of a delivery. `event_data` is an open record: its shape depends on `event_type`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Envelope = Schema.Struct({
  event_type: DeliveryEventType,
  event_data: EventData
}).annotations({ identifier: "WebhookDeliveryEnvelope" })

/**
 * @since 0.2.0
 * @category models
 */
export interface Envelope extends Schema.Schema.Type<typeof Envelope> {}

/**
 * `event_data` of `avatar_video.success` (HeyGen's "Webhook Events" page). Only `video_id` and `url` are
 * required; the optional fields are the ones HeyGen documents, and any other key is kept in `eventData`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AvatarVideoSuccessData = Schema.Struct({
  video_id: Schema.String,
  url: Schema.String,
  callback_id: Schema.optional(Schema.NullOr(Schema.String)),
  gif_download_url: Schema.optional(Schema.NullOr(Schema.String)),
  video_share_page_url: Schema.optional(Schema.NullOr(Schema.String)),
  folder_id: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "AvatarVideoSuccessData" })

/**
 * @since 0.2.0
 * @category models
 */
export interface AvatarVideoSuccessData extends Schema.Schema.Type<typeof AvatarVideoSuccessData> {}

/**
 * `event_data` of `avatar_video.fail`: the video and HeyGen's reason (`msg`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const AvatarVideoFailData = Schema.Struct({
  video_id: Schema.String,
  msg: Schema.String,
  callback_id: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "AvatarVideoFailData" })

/**
 * @since 0.2.0
 * @category models
 */
export interface AvatarVideoFailData extends Schema.Schema.Type<typeof AvatarVideoFailData> {}

/**
 * A delivered event, by type: a case per documented payload, and `Other` for every other event type (known
 * to the spec but without a typed payload here, or new), carrying the raw `event_data`.
 *
 * @since 0.2.0
 * @category models
 */
export type DeliveryEvent = Data.TaggedEnum<{
  AvatarVideoSuccess: { readonly eventType: "avatar_video.success"; readonly data: AvatarVideoSuccessData }
  AvatarVideoFail: { readonly eventType: "avatar_video.fail"; readonly data: AvatarVideoFailData }
  Other: { readonly eventType: string; readonly data: Readonly<Record<string, unknown>> }
}>

/**
 * Constructors and guards (`DeliveryEvent.$is("AvatarVideoFail")`) of `DeliveryEvent`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const DeliveryEvent = Data.taggedEnum<DeliveryEvent>()

/**
 * Handles every case of a `DeliveryEvent`: the compiler insists on one function per known type and one for
 * `Other`, so an event type added to this union later shows up as a type error, not a silent drop.
 *
 * @example
 * ```ts
 * import { WebhookDelivery } from "@effect-heygen/core"
 *
 * const describe = (event: WebhookDelivery.DeliveryEvent) =>
 *   WebhookDelivery.match(event, {
 *     AvatarVideoSuccess: ({ data }) => `ready: ${data.url}`,
 *     AvatarVideoFail: ({ data }) => `failed: ${data.msg}`,
 *     Other: ({ eventType }) => `other: ${eventType}`
 *   })
 * ```
 *
 * @since 0.2.0
 * @category pattern matching
 */
export const match = DeliveryEvent.$match

/**
 * A verified delivery: the `Heygen-Event-Id` to de-duplicate on, the `Heygen-Timestamp` (Unix seconds, null
 * when it was absent and allowed), the envelope as sent, and the typed event.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookDelivery {
  readonly eventId: string
  readonly timestamp: number | null
  readonly eventType: string
  readonly eventData: Readonly<Record<string, unknown>>
  readonly event: DeliveryEvent
}

const decodeEnvelope = Schema.decodeUnknownEither(Envelope)
const decodeSuccess = Schema.decodeUnknownEither(AvatarVideoSuccessData)
const decodeFail = Schema.decodeUnknownEither(AvatarVideoFailData)

/**
 * Why a body is not a delivery; the message names the path that failed, never a value.
 *
 * @since 0.2.0
 * @category errors
 */
export class PayloadError extends Schema.TaggedError<PayloadError>()("PayloadError", {
  message: Schema.String
}) {}

const payloadError = (error: ParseResult.ParseError) => {
  // The formatters' messages quote actual values; the paths are enough and keep payload contents out of errors.
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 5).map((issue) =>
    `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${
      issue._tag === "Missing" ? "missing" : "invalid"
    }`
  )
  return new PayloadError({ message: `the body is not a delivery envelope: ${paths.join(", ")}` })
}

/**
 * Builds the typed event from an envelope. A documented type whose `event_data` lacks a required field is a
 * `PayloadError`: the handler was promised that shape.
 *
 * @since 0.2.0
 * @category decoding
 */
export const eventOf = (envelope: Envelope): Either.Either<DeliveryEvent, PayloadError> => {
  switch (envelope.event_type) {
    case "avatar_video.success":
      return Either.match(decodeSuccess(envelope.event_data), {
        onLeft: (e) => Either.left(payloadError(e)),
        onRight: (data) => Either.right(DeliveryEvent.AvatarVideoSuccess({ eventType: "avatar_video.success", data }))
      })
    case "avatar_video.fail":
      return Either.match(decodeFail(envelope.event_data), {
        onLeft: (e) => Either.left(payloadError(e)),
        onRight: (data) => Either.right(DeliveryEvent.AvatarVideoFail({ eventType: "avatar_video.fail", data }))
      })
    default:
      return Either.right(DeliveryEvent.Other({ eventType: envelope.event_type, data: envelope.event_data }))
  }
}

/**
 * Decodes a JSON body (already authenticated) into a delivery. Any JSON that is not an object with a string
 * `event_type` and an object `event_data` is a `PayloadError`.
 *
 * @example
 * ```ts
 * import { WebhookDelivery } from "@effect-heygen/core"
 *
 * const result = WebhookDelivery.fromJson(
 *   `{"event_type":"avatar_video.fail","event_data":{"video_id":"v1","msg":"quota"}}`,
 *   { eventId: "evt_1", timestamp: 1_700_000_000 }
 * )
 * ```
 *
 * @since 0.2.0
 * @category decoding
 */
export const fromJson = (
  text: string,
  meta: { readonly eventId: string; readonly timestamp: number | null }
): Either.Either<WebhookDelivery, PayloadError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(new PayloadError({ message: "the body is not JSON" }))
  }
  const envelope = decodeEnvelope(json)
  if (Either.isLeft(envelope)) return Either.left(payloadError(envelope.left))
  const event = eventOf(envelope.right)
  if (Either.isLeft(event)) return Either.left(event.left)
  return Either.right({
    eventId: meta.eventId,
    timestamp: meta.timestamp,
    eventType: envelope.right.event_type,
    eventData: envelope.right.event_data,
    event: event.right
  })
}
