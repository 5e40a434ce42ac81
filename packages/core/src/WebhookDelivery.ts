/**
 * What HeyGen POSTs to an endpoint, decoded so that no authentic delivery is refused for its shape: the body
 * (`{ event_type, event_data }`, and in v3 also `event_id` and `created_at`), the typed payloads of the seven event
 * types HeyGen documents, and `DeliveryEvent`, a tagged union with a case for each of them and `Other` for every
 * other type, and for a documented type whose `event_data` does not have the documented shape.
 *
 * HeyGen publishes payloads for 7 of its 30 event types, and integrations see field names vary (`url` or
 * `video_url`, `msg` or `message`): the typed cases read both, and require only the resource's id. Treat the other
 * types as a signal and fetch the resource.
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
 *     orElse: (event) => Effect.log(`not handled: ${event.eventType}`)
 *   })
 * ```
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import type * as WebhookEvent from "./WebhookEvent.js"
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
 * `event_data` when it is what HeyGen documents: a JSON object (not an array, not null). Its keys are not walked
 * here (the typed payloads check the fields they read), which keeps decoding a large payload cheap.
 *
 * @since 0.2.0
 * @category schemas
 */
export const EventData = Schema.declare(
  (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u),
  { identifier: "EventData", description: "The event payload: a JSON object whose shape depends on event_type." }
)

/**
 * The documented body of a delivery. A receiver accepts more than this (see `fromJson`): only `event_type` is
 * needed.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Envelope = Schema.Struct({
  event_type: DeliveryEventType,
  event_data: EventData,
  event_id: Schema.optional(Schema.String),
  created_at: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "WebhookDeliveryEnvelope" })

/**
 * @since 0.2.0
 * @category models
 */
export interface Envelope extends Schema.Schema.Type<typeof Envelope> {}

// A documented optional field: absent, null or a string on the wire; null or a string once decoded.
const Optional = Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
const Wire = Schema.optional(Schema.NullOr(Schema.String))

const first = (...values: ReadonlyArray<string | null | undefined>): string | null => {
  for (const value of values) if (value !== undefined && value !== null) return value
  return null
}

const avatarVideoSuccessWire = Schema.Struct({
  video_id: Schema.String,
  url: Wire,
  video_url: Wire,
  callback_id: Wire,
  gif_download_url: Wire,
  video_page_url: Wire,
  video_share_page_url: Wire,
  folder_id: Wire
})

const avatarVideoSuccessRead = (wire: typeof avatarVideoSuccessWire.Type) => ({
  video_id: wire.video_id,
  url: first(wire.url, wire.video_url),
  callback_id: first(wire.callback_id),
  gif_download_url: first(wire.gif_download_url),
  video_page_url: first(wire.video_page_url),
  video_share_page_url: first(wire.video_share_page_url),
  folder_id: first(wire.folder_id)
})

/**
 * `event_data` of `avatar_video.success` and `avatar_video_gif.success` (HeyGen documents the GIF payload as "the
 * same as avatar_video"). Only `video_id` is required; `url` is read from `url`, else `video_url` (integrations see
 * both). Every other key stays in the delivery's `eventData`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AvatarVideoSuccessData = Schema.transform(
  avatarVideoSuccessWire,
  Schema.Struct({
    video_id: Schema.String,
    url: Schema.NullOr(Schema.String),
    callback_id: Schema.NullOr(Schema.String),
    gif_download_url: Schema.NullOr(Schema.String),
    video_page_url: Schema.NullOr(Schema.String),
    video_share_page_url: Schema.NullOr(Schema.String),
    folder_id: Schema.NullOr(Schema.String)
  }),
  {
    strict: true,
    decode: avatarVideoSuccessRead,
    encode: (data) => data
  }
).annotations({ identifier: "AvatarVideoSuccessData" })

/**
 * @since 0.2.0
 * @category models
 */
export interface AvatarVideoSuccessData extends Schema.Schema.Type<typeof AvatarVideoSuccessData> {}

const avatarVideoFailWire = Schema.Struct({ video_id: Schema.String, msg: Wire, message: Wire, callback_id: Wire })

const avatarVideoFailRead = (wire: typeof avatarVideoFailWire.Type) => ({
  video_id: wire.video_id,
  msg: first(wire.msg, wire.message),
  callback_id: first(wire.callback_id)
})

/**
 * `event_data` of `avatar_video.fail` and `avatar_video_gif.fail`: the video and HeyGen's reason, read from `msg`
 * (documented), else `message`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AvatarVideoFailData = Schema.transform(
  avatarVideoFailWire,
  Schema.Struct({
    video_id: Schema.String,
    msg: Schema.NullOr(Schema.String),
    callback_id: Schema.NullOr(Schema.String)
  }),
  {
    strict: true,
    decode: avatarVideoFailRead,
    encode: (data) => data
  }
).annotations({ identifier: "AvatarVideoFailData" })

/**
 * @since 0.2.0
 * @category models
 */
export interface AvatarVideoFailData extends Schema.Schema.Type<typeof AvatarVideoFailData> {}

const videoTranslateSuccessWire = Schema.Struct({
  video_translate_id: Schema.String,
  url: Wire,
  video_url: Wire,
  callback_id: Wire,
  output_language: Wire
})

const videoTranslateSuccessRead = (wire: typeof videoTranslateSuccessWire.Type) => ({
  video_translate_id: wire.video_translate_id,
  url: first(wire.url, wire.video_url),
  callback_id: first(wire.callback_id),
  output_language: first(wire.output_language)
})

/**
 * `event_data` of `video_translate.success`: the translation, its output's `url` (else `video_url`) and language.
 *
 * @since 0.4.0
 * @category schemas
 */
export const VideoTranslateSuccessData = Schema.transform(
  videoTranslateSuccessWire,
  Schema.Struct({
    video_translate_id: Schema.String,
    url: Schema.NullOr(Schema.String),
    callback_id: Schema.NullOr(Schema.String),
    output_language: Schema.NullOr(Schema.String)
  }),
  {
    strict: true,
    decode: videoTranslateSuccessRead,
    encode: (data) => data
  }
).annotations({ identifier: "VideoTranslateSuccessData" })

/**
 * @since 0.4.0
 * @category models
 */
export interface VideoTranslateSuccessData extends Schema.Schema.Type<typeof VideoTranslateSuccessData> {}

const videoTranslateFailWire = Schema.Struct({
  video_translate_id: Schema.String,
  message: Wire,
  msg: Wire,
  callback_id: Wire,
  output_language: Wire
})

const videoTranslateFailRead = (wire: typeof videoTranslateFailWire.Type) => ({
  video_translate_id: wire.video_translate_id,
  message: first(wire.message, wire.msg),
  callback_id: first(wire.callback_id),
  output_language: first(wire.output_language)
})

/**
 * `event_data` of `video_translate.fail`: the translation and HeyGen's reason, read from `message` (documented),
 * else `msg`.
 *
 * @since 0.4.0
 * @category schemas
 */
export const VideoTranslateFailData = Schema.transform(
  videoTranslateFailWire,
  Schema.Struct({
    video_translate_id: Schema.String,
    message: Schema.NullOr(Schema.String),
    callback_id: Schema.NullOr(Schema.String),
    output_language: Schema.NullOr(Schema.String)
  }),
  {
    strict: true,
    decode: videoTranslateFailRead,
    encode: (data) => data
  }
).annotations({ identifier: "VideoTranslateFailData" })

/**
 * @since 0.4.0
 * @category models
 */
export interface VideoTranslateFailData extends Schema.Schema.Type<typeof VideoTranslateFailData> {}

/**
 * `event_data` of `personalized_video`: the project (the resource an endpoint's `entity_id` scopes to) and what
 * HeyGen documents of the video made for one contact. `contact_info` is kept as sent.
 *
 * @since 0.4.0
 * @category schemas
 */
export const PersonalizedVideoData = Schema.Struct({
  project_id: Schema.String,
  video_id: Optional,
  video_url: Optional,
  landing_page_url: Optional,
  gif_url: Optional,
  gif_html: Optional,
  contact_info: Schema.optionalWith(Schema.Unknown, { default: () => null })
}).annotations({ identifier: "PersonalizedVideoData" })

/**
 * @since 0.4.0
 * @category models
 */
export interface PersonalizedVideoData extends Schema.Schema.Type<typeof PersonalizedVideoData> {}

/**
 * A delivered event, by type: a case per documented payload, and `Other` for every other event type (known to
 * the spec but without a documented payload, or new), carrying the `event_data` object. A documented type whose
 * `event_data` lacks its resource id, or has a field of the wrong kind, is `Other` too, with `decodeIssue` saying
 * which paths did not decode (never their values): the handler still runs, and decides.
 *
 * @since 0.2.0
 * @category models
 */
export type DeliveryEvent = Data.TaggedEnum<{
  AvatarVideoSuccess: { readonly eventType: "avatar_video.success"; readonly data: AvatarVideoSuccessData }
  AvatarVideoFail: { readonly eventType: "avatar_video.fail"; readonly data: AvatarVideoFailData }
  AvatarVideoGifSuccess: { readonly eventType: "avatar_video_gif.success"; readonly data: AvatarVideoSuccessData }
  AvatarVideoGifFail: { readonly eventType: "avatar_video_gif.fail"; readonly data: AvatarVideoFailData }
  VideoTranslateSuccess: { readonly eventType: "video_translate.success"; readonly data: VideoTranslateSuccessData }
  VideoTranslateFail: { readonly eventType: "video_translate.fail"; readonly data: VideoTranslateFailData }
  PersonalizedVideo: { readonly eventType: "personalized_video"; readonly data: PersonalizedVideoData }
  Other: {
    readonly eventType: string
    readonly data: Readonly<Record<string, unknown>>
    /** Why a documented type's payload did not decode (paths only); null for a type without a typed payload. */
    readonly decodeIssue: string | null
  }
}>

/**
 * Constructors and guards (`DeliveryEvent.$is("AvatarVideoFail")`) of `DeliveryEvent`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const DeliveryEvent = Data.taggedEnum<DeliveryEvent>()

type Tag = DeliveryEvent["_tag"]
type Case<K extends Tag> = (event: Extract<DeliveryEvent, { readonly _tag: K }>) => unknown
type Every = { readonly [K in Tag]: Case<K> }
type Some = { readonly [K in Tag]?: Case<K> } & { readonly orElse: (event: DeliveryEvent) => unknown }
// A key that is neither a case nor `orElse` (a misspelt tag) is a type error rather than a case never taken.
type Exact<C> = C & { readonly [K in Exclude<keyof C, Tag | "orElse">]: never }
type Result<C> = {
  readonly [K in keyof C]: C[K] extends (...args: ReadonlyArray<never>) => infer R ? R : never
}[keyof C]

/**
 * Handles a `DeliveryEvent`: either one function per case (the compiler then insists on every documented type and
 * `Other`, so a case added later shows up as a type error, not a silent drop), or the cases you handle plus
 * `orElse` for the rest. The result is the union of what the cases return.
 *
 * @example
 * ```ts
 * import { WebhookDelivery } from "@effect-heygen/core"
 *
 * const describe = (event: WebhookDelivery.DeliveryEvent) =>
 *   WebhookDelivery.match(event, {
 *     AvatarVideoSuccess: ({ data }) => `ready: ${data.url}`,
 *     AvatarVideoFail: ({ data }) => `failed: ${data.msg}`,
 *     orElse: (other) => `other: ${other.eventType}`
 *   })
 * ```
 *
 * @since 0.2.0
 * @category pattern matching
 */
export const match: {
  <C extends Every>(event: DeliveryEvent, cases: Exact<C>): Result<C>
  <C extends Some>(event: DeliveryEvent, cases: Exact<C>): Result<C>
} = (event: DeliveryEvent, cases: Partial<Every> & { readonly orElse?: (event: DeliveryEvent) => unknown }) => {
  const f = cases[event._tag] as ((event: DeliveryEvent) => unknown) | undefined
  return f !== undefined ? f(event) : cases.orElse!(event)
}

/**
 * Where a delivery's `eventId` came from: the `Heygen-Event-Id` header (as documented), the body's `event_id`
 * (deliveries seen without the header), a digest of the raw body (`sha256:` and its hex SHA-256: an exact replay
 * of a captured body is then a duplicate while the log remembers it), or HeyGen's event log (a catch-up).
 *
 * @since 0.4.0
 * @category models
 */
export type EventIdSource = "header" | "body" | "digest" | "log"

/**
 * A verified delivery: the id to de-duplicate on and where it came from, the `Heygen-Timestamp` (Unix seconds,
 * null when absent), the event type and data, the typed event, and the body's own `event_id` and `created_at`
 * (null when absent). `body` is the whole JSON object as sent.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookDelivery {
  readonly eventId: string
  readonly eventIdSource: EventIdSource
  readonly timestamp: number | null
  readonly eventType: string
  /** `event_data` when it is an object (as documented); `{}` otherwise, the value being in `body`. */
  readonly eventData: Readonly<Record<string, unknown>>
  readonly event: DeliveryEvent
  /** The body's `event_id`, when it has a non-empty string one. */
  readonly bodyEventId: string | null
  /** The body's `created_at` as sent (HeyGen's docs show a string; kept whatever it is), or null. */
  readonly createdAt: unknown
  readonly body: Readonly<Record<string, unknown>>
}

/**
 * Why a body is not a delivery; the message names the path that failed, never a value.
 *
 * @since 0.2.0
 * @category errors
 */
export class PayloadError extends Schema.TaggedError<PayloadError>()("PayloadError", {
  message: Schema.String
}) {}

// The formatters' messages quote actual values; the paths are enough and keep payload contents out of errors.
const issuePaths = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 5).map((issue) =>
    `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${
      issue._tag === "Missing" ? "missing" : "invalid"
    }`
  ).join(", ")

type Typed = Exclude<DeliveryEvent, { readonly _tag: "Other" }>

// Decodes the wire form and reads it with the function the exported schema's transform uses (see the payloads).
const typed = <W, I, D>(
  wire: Schema.Schema<W, I>,
  read: (wire: W) => D,
  make: (data: D) => Typed
) => {
  const decode = Schema.decodeUnknownEither(wire)
  return (eventType: string, data: Readonly<Record<string, unknown>>): DeliveryEvent => {
    const decoded = decode(data)
    return Either.isRight(decoded)
      ? make(read(decoded.right))
      : DeliveryEvent.Other({ eventType, data, decodeIssue: `event_data ${issuePaths(decoded.left)}` })
  }
}

const typedCases: Readonly<
  Record<string, (eventType: string, data: Readonly<Record<string, unknown>>) => DeliveryEvent>
> = {
  "avatar_video.success": typed(
    avatarVideoSuccessWire,
    avatarVideoSuccessRead,
    (data) => DeliveryEvent.AvatarVideoSuccess({ eventType: "avatar_video.success", data })
  ),
  "avatar_video.fail": typed(
    avatarVideoFailWire,
    avatarVideoFailRead,
    (data) => DeliveryEvent.AvatarVideoFail({ eventType: "avatar_video.fail", data })
  ),
  "avatar_video_gif.success": typed(
    avatarVideoSuccessWire,
    avatarVideoSuccessRead,
    (data) => DeliveryEvent.AvatarVideoGifSuccess({ eventType: "avatar_video_gif.success", data })
  ),
  "avatar_video_gif.fail": typed(
    avatarVideoFailWire,
    avatarVideoFailRead,
    (data) => DeliveryEvent.AvatarVideoGifFail({ eventType: "avatar_video_gif.fail", data })
  ),
  "video_translate.success": typed(
    videoTranslateSuccessWire,
    videoTranslateSuccessRead,
    (data) => DeliveryEvent.VideoTranslateSuccess({ eventType: "video_translate.success", data })
  ),
  "video_translate.fail": typed(
    videoTranslateFailWire,
    videoTranslateFailRead,
    (data) => DeliveryEvent.VideoTranslateFail({ eventType: "video_translate.fail", data })
  ),
  "personalized_video": typed(
    PersonalizedVideoData,
    identity,
    (data) => DeliveryEvent.PersonalizedVideo({ eventType: "personalized_video", data })
  )
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const kindOf = (u: unknown) =>
  u === null ? "null" : Array.isArray(u) ? "an array" : u === undefined ? "absent" : typeof u

/**
 * Builds the typed event from an event type and its `event_data`. Never fails: a payload that is not an object,
 * or does not have its type's documented shape, is `Other` with a `decodeIssue`.
 *
 * @since 0.2.0
 * @category decoding
 */
export const eventOf = (eventType: string, eventData: unknown): DeliveryEvent => {
  if (!isObject(eventData)) {
    return DeliveryEvent.Other({
      eventType,
      data: {},
      decodeIssue: `event_data: expected an object, got ${kindOf(eventData)}`
    })
  }
  const make = Object.prototype.hasOwnProperty.call(typedCases, eventType) ? typedCases[eventType] : undefined
  return make === undefined
    ? DeliveryEvent.Other({ eventType, data: eventData, decodeIssue: null })
    : make(eventType, eventData)
}

/**
 * The de-duplication key of a delivery that carries no id at all: `sha256:` and the hex SHA-256 of the raw body.
 *
 * @since 0.4.0
 * @category keys
 */
export const digestKey = (rawBody: Uint8Array | string): string =>
  `sha256:${createHash("sha256").update(rawBody).digest("hex")}`

/**
 * What `fromJson` needs besides the body: the verified headers' event id and timestamp, and the raw bytes (for
 * the digest key when there is no id; the text itself when absent).
 *
 * @since 0.4.0
 * @category models
 */
export interface Meta {
  readonly eventId: string | null
  readonly timestamp: number | null
  readonly rawBody?: Uint8Array | string | undefined
}

/**
 * Decodes a JSON body (already authenticated) into a delivery. Only a body that is not a JSON object with a string
 * `event_type` is a `PayloadError`; whatever its `event_data`, any other body is a delivery (see `eventOf`). The
 * event id is the header's, else the body's `event_id` (a non-empty string), else `digestKey` of the raw body.
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
export const fromJson = (text: string, meta: Meta): Either.Either<WebhookDelivery, PayloadError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(new PayloadError({ message: "the body is not JSON" }))
  }
  if (!isObject(json)) {
    return Either.left(
      new PayloadError({ message: `the body is not a delivery: expected an object, got ${kindOf(json)}` })
    )
  }
  const eventType = json["event_type"]
  if (typeof eventType !== "string") {
    return Either.left(
      new PayloadError({
        message: `the body is not a delivery: event_type: ${eventType === undefined ? "missing" : "not a string"}`
      })
    )
  }
  const eventData = json["event_data"]
  const bodyId = json["event_id"]
  const bodyEventId = typeof bodyId === "string" && bodyId !== "" ? bodyId : null
  const eventId = meta.eventId ?? bodyEventId
  return Either.right({
    eventId: eventId ?? digestKey(meta.rawBody ?? text),
    eventIdSource: meta.eventId !== null ? "header" : bodyEventId !== null ? "body" : "digest",
    timestamp: meta.timestamp,
    eventType,
    eventData: isObject(eventData) ? eventData : {},
    event: eventOf(eventType, eventData),
    bodyEventId,
    createdAt: json["created_at"] ?? null,
    body: json
  })
}

/**
 * An event read back from HeyGen's event log (`WebhookEvents.list` / `stream`) as a delivery, for a catch-up to
 * hand to the same handler a receiver runs: its id is the log's `event_id` (`eventIdSource: "log"`), it has no
 * timestamp, and its body is the log entry.
 *
 * @example
 * ```ts
 * import { WebhookDelivery } from "@effect-heygen/core"
 *
 * const delivery = WebhookDelivery.fromEvent({
 *   event_id: "evt_1",
 *   event_type: "avatar_video.success",
 *   event_data: { video_id: "v1", url: "https://cdn.example/v1.mp4" },
 *   created_at: "2026-12-01T10:00:00Z"
 * })
 * ```
 *
 * @since 0.4.0
 * @category decoding
 */
export const fromEvent = (event: WebhookEvent.WebhookEvent): WebhookDelivery => ({
  eventId: event.event_id,
  eventIdSource: "log",
  timestamp: null,
  eventType: event.event_type,
  eventData: event.event_data,
  event: eventOf(event.event_type, event.event_data),
  bodyEventId: event.event_id,
  createdAt: event.created_at,
  body: {
    event_id: event.event_id,
    event_type: event.event_type,
    event_data: event.event_data,
    created_at: event.created_at
  }
})
