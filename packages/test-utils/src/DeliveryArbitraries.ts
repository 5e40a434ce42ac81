/**
 * fast-check arbitraries for webhook deliveries: authentic ones in every form HeyGen is known to send, and each
 * way a delivery can be forged or tampered with, labelled with the check that must catch it. For property tests
 * of a receiver (or of a verifier).
 *
 * An authentic delivery (`signedDelivery`) varies in everything a receiver must not depend on:
 *
 * - the header style (`FakeDelivery.HeaderStyle`): `documented` (`Heygen-Signature`, and optionally
 *   `Heygen-Timestamp` and `Heygen-Event-Id`) or `legacy` (a `signature` header only);
 * - the header names' case (`Heygen-Signature`, `heygen-signature`, `HEYGEN-SIGNATURE`; `signature`,
 *   `Signature`, ...) and the signature's form (hex in either case, or prefixed `sha256=`);
 * - the body: any `event_type` string (documented types among them), any JSON object as `event_data` (for a
 *   documented type, its documented fields or anything else), `event_id` and `created_at` present or not,
 *   formatted compactly or indented;
 * - the timestamp, within the tolerance of `now` either way, when there is one.
 *
 * Each carries the key a correct receiver de-duplicates it on (`eventId`, from `eventIdSource`): the
 * `Heygen-Event-Id` header, else the body's `event_id`, else `sha256:` and the hex SHA-256 of the raw body.
 *
 * @example
 * ```ts
 * import { DeliveryArbitraries } from "@effect-heygen/test-utils"
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Either, FastCheck, Redacted } from "effect"
 *
 * const now = 1_700_000_000
 * FastCheck.assert(FastCheck.property(DeliveryArbitraries.tamperedDelivery({ now }), (d) => {
 *   const result = WebhookSignature.verifyAt(d.body, d.headers, Redacted.make(d.secret), now * 1000)
 *   return Either.isLeft(result) && result.left.reason === d.expected
 * }))
 * ```
 *
 * @since 0.2.0
 */
import type { WebhookSignature } from "@effect-heygen/core"
import * as FastCheck from "effect/FastCheck"
import * as NodeCrypto from "node:crypto"
import type { HeaderStyle } from "./FakeDelivery.js"

/**
 * Where a delivery's de-duplication key comes from: the `Heygen-Event-Id` header, the body's `event_id`, or (with
 * neither) a digest of the raw body.
 *
 * @since 0.4.0
 * @category models
 */
export type EventIdSource = "header" | "body" | "digest"

/**
 * A delivery as it reaches a receiver: body, headers, and the secret the receiver holds.
 *
 * @since 0.2.0
 * @category models
 */
export interface SignedDelivery {
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  /** The endpoint's secret, as the receiver is configured with it. */
  readonly secret: string
  /**
   * The key a correct receiver de-duplicates on: `Heygen-Event-Id`, else the body's `event_id`, else
   * `sha256:` and the hex SHA-256 of the body's bytes.
   */
  readonly eventId: string
  /** Where `eventId` comes from. */
  readonly eventIdSource: EventIdSource
  /** The form of its headers. */
  readonly headerStyle: HeaderStyle
  /** `Heygen-Timestamp` in Unix seconds; `null` when the delivery has none (a legacy one never has). */
  readonly timestamp: number | null
  /** The body's `event_type`. */
  readonly eventType: string
  /** The body's `event_data`: any JSON object. */
  readonly eventData: Readonly<Record<string, unknown>>
}

/**
 * The ways a delivery is forged or tampered with.
 *
 * - `BodyByte`: one byte of the body changed after signing.
 * - `WrongSecret`: signed with another secret.
 * - `ReserializedJson`: signed over a re-serialisation of the JSON, not the bytes sent.
 * - `OldTimestamp` / `FutureTimestamp`: a `Heygen-Timestamp` beyond the tolerance, either way (documented style).
 * - `MissingHeader`: no signature header at all.
 * - `MalformedSignature`: a signature that is not 64 hex digits (optionally after `sha256=`).
 * - `RepeatedHeader`: the signature, timestamp or event-id header given twice, as Node and Fetch join a repeated
 *   header (`a, b`): one delivery has one of each, so which one counts cannot be told.
 *
 * @since 0.2.0
 * @category models
 */
export type Tampering =
  | "BodyByte"
  | "WrongSecret"
  | "OldTimestamp"
  | "FutureTimestamp"
  | "MissingHeader"
  | "MalformedSignature"
  | "RepeatedHeader"
  | "ReserializedJson"

/**
 * A tampered delivery and the reason a correct verifier gives for refusing it.
 *
 * @since 0.2.0
 * @category models
 */
export interface TamperedDelivery extends SignedDelivery {
  readonly kind: Tampering
  readonly expected: WebhookSignature.Reason
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The receiver's current time, Unix seconds. */
  readonly now: number
  /** The receiver's tolerance in seconds. Default 300. */
  readonly tolerance?: number | undefined
  /** Use this secret for every delivery (a receiver under test holds one); any secret by default. */
  readonly secret?: string | undefined
  /** Only this header style; either by default. */
  readonly headerStyle?: HeaderStyle | undefined
  /**
   * `true`: every delivery has a `Heygen-Timestamp` (so every one is in the documented style; what a receiver
   * with `requireTimestamp` accepts); `false`: none has; either by default.
   *
   * @since 0.4.0
   */
  readonly withTimestamp?: boolean | undefined
}

/**
 * Signing secrets shaped like HeyGen's (`whsec_` and base64), and other opaque strings: only those a receiver
 * accepts (`WebhookSignature.validateSecrets`: not blank, no whitespace before or after).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const secret: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.base64String({ minLength: 16, maxLength: 64 }).map((s) => `whsec_${s}`),
  FastCheck.string({ minLength: 12, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0)
)

const jsonObject = FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })

/**
 * Delivery envelopes (`event_type` and `event_data`): the documented payloads of the avatar video types, any
 * JSON object under a documented type (HeyGen's fields vary), and any event type with any JSON object.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const envelope: FastCheck.Arbitrary<
  { readonly event_type: string; readonly event_data: Record<string, unknown> }
> = FastCheck.oneof(
  FastCheck.record({ video_id: FastCheck.string(), url: FastCheck.webUrl() }).map((event_data) => ({
    event_type: "avatar_video.success",
    event_data
  })),
  FastCheck.record({ video_id: FastCheck.string(), msg: FastCheck.string() }).map((event_data) => ({
    event_type: "avatar_video.fail",
    event_data
  })),
  FastCheck.record({
    event_type: FastCheck.constantFrom(
      "avatar_video.success",
      "avatar_video.fail",
      "avatar_video_gif.success",
      "video_translate.success",
      "video_translate.fail",
      "personalized_video"
    ),
    event_data: jsonObject
  }),
  FastCheck.record({ event_type: FastCheck.string(), event_data: jsonObject })
)

const eventIdText = FastCheck.hexaString({ minLength: 8, maxLength: 24 }).map((hex) => `evt_${hex}`)

/** A header name in one of the casings a server may hand it over in. */
const casing = (name: string) =>
  FastCheck.constantFrom(
    name,
    name.toLowerCase(),
    name.toUpperCase()
  )

/** The signature header's value: the hex HMAC in lower or upper case, or prefixed `sha256=`. */
type SignatureForm = "lower" | "upper" | "prefixed"
const signatureForm: FastCheck.Arbitrary<SignatureForm> = FastCheck.constantFrom("lower", "upper", "prefixed")

const hmac = (key: string, body: string) => NodeCrypto.createHmac("sha256", key).update(body, "utf8").digest("hex")
const render = (hex: string, form: SignatureForm) =>
  form === "upper" ? hex.toUpperCase() : form === "prefixed" ? `sha256=${hex}` : hex

/** The parts of a delivery before it is put on the wire. */
interface Shape {
  readonly headerStyle: HeaderStyle
  readonly event: { readonly event_type: string; readonly event_data: Record<string, unknown> }
  readonly bodyEventId: string | null
  readonly createdAt: string | null
  readonly indent: 2 | undefined
  readonly secret: string
  readonly signatureName: string
  readonly form: SignatureForm
  readonly timestamp: number | null
  readonly timestampName: string
  readonly headerEventId: string | null
  readonly eventIdName: string
}

const bodyOf = (shape: Shape): string =>
  JSON.stringify(
    {
      ...(shape.bodyEventId === null ? {} : { event_id: shape.bodyEventId }),
      event_type: shape.event.event_type,
      ...(shape.createdAt === null ? {} : { created_at: shape.createdAt }),
      event_data: shape.event.event_data
    },
    null,
    shape.indent
  )

/** The headers of `shape` for `body`, signed with `key` over `signed` (the body itself unless a test says not). */
const headersOf = (shape: Shape, key: string, signed: string): Record<string, string> => ({
  [shape.signatureName]: render(hmac(key, signed), shape.form),
  ...(shape.timestamp === null ? {} : { [shape.timestampName]: String(shape.timestamp) }),
  ...(shape.headerEventId === null ? {} : { [shape.eventIdName]: shape.headerEventId })
})

const deliveryOf = (shape: Shape): SignedDelivery => {
  const body = bodyOf(shape)
  const [eventId, eventIdSource]: [string, EventIdSource] = shape.headerEventId !== null
    ? [shape.headerEventId, "header"]
    : shape.bodyEventId !== null
    ? [shape.bodyEventId, "body"]
    : [`sha256:${NodeCrypto.createHash("sha256").update(body, "utf8").digest("hex")}`, "digest"]
  return {
    body,
    headers: headersOf(shape, shape.secret, body),
    secret: shape.secret,
    eventId,
    eventIdSource,
    headerStyle: shape.headerStyle,
    timestamp: shape.timestamp,
    eventType: shape.event.event_type,
    eventData: shape.event.event_data
  }
}

const shapes = (options: Options): FastCheck.Arbitrary<Shape> => {
  const tolerance = options.tolerance ?? 300
  if (options.withTimestamp === true && options.headerStyle === "legacy") {
    throw new Error("DeliveryArbitraries: a legacy delivery has no timestamp (withTimestamp: true needs documented)")
  }
  const style: FastCheck.Arbitrary<HeaderStyle> = options.headerStyle !== undefined
    ? FastCheck.constant(options.headerStyle)
    : options.withTimestamp === true
    ? FastCheck.constant("documented")
    : FastCheck.constantFrom("documented", "legacy")
  const timestamp = FastCheck.integer({ min: -tolerance, max: tolerance }).map((skew) => options.now + skew)
  return style.chain((headerStyle) =>
    FastCheck.record({
      headerStyle: FastCheck.constant(headerStyle),
      event: envelope,
      // HeyGen's v3 bodies carry event_id and created_at; a receiver must cope without them too.
      bodyEventId: FastCheck.option(eventIdText, { nil: null, freq: 2 }),
      createdAt: FastCheck.option(
        FastCheck.integer({ min: 1_600_000_000, max: 2_000_000_000 }).map((s) => new Date(s * 1000).toISOString()),
        { nil: null, freq: 2 }
      ),
      indent: FastCheck.constantFrom(undefined, 2 as const),
      secret: options.secret === undefined ? secret : FastCheck.constant(options.secret),
      signatureName: casing(headerStyle === "legacy" ? "Signature" : "Heygen-Signature"),
      form: signatureForm,
      timestamp: headerStyle === "legacy" || options.withTimestamp === false
        ? FastCheck.constant(null)
        : options.withTimestamp === true
        ? timestamp
        : FastCheck.option(timestamp, { nil: null, freq: 2 }),
      timestampName: casing("Heygen-Timestamp"),
      headerEventId: headerStyle === "legacy"
        ? FastCheck.constant(null)
        : FastCheck.option(eventIdText, { nil: null, freq: 2 }),
      eventIdName: casing("Heygen-Event-Id")
    }).map((shape): Shape =>
      // The header and the body name one event: when both carry an id, it is the same.
      shape.headerEventId !== null && shape.bodyEventId !== null
        ? { ...shape, bodyEventId: shape.headerEventId }
        : shape
    )
  )
}

/**
 * Deliveries a correct receiver accepts: authentic, in any of the forms listed in the module's description,
 * signed with the secret, stamped (when stamped) within the tolerance of `now`.
 *
 * @example
 * ```ts
 * import { DeliveryArbitraries } from "@effect-heygen/test-utils"
 * import { FastCheck } from "effect"
 *
 * // Deliveries in the form production receivers report: a `signature` header only.
 * const legacy = DeliveryArbitraries.signedDelivery({ now: 1_700_000_000, headerStyle: "legacy" })
 * // What a receiver that requires Heygen-Timestamp must refuse: authentic, but unstamped.
 * const unstamped = DeliveryArbitraries.signedDelivery({ now: 1_700_000_000, withTimestamp: false })
 * export const samples = FastCheck.sample(FastCheck.oneof(legacy, unstamped), 5)
 * ```
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const signedDelivery = (options: Options): FastCheck.Arbitrary<SignedDelivery> => shapes(options).map(deliveryOf)

const changeOneByte = (body: string, at: number, replacement: number): string => {
  // One ASCII character for another: exactly one byte of the UTF-8 body changes.
  const ascii = [...body].flatMap((c, i) => (c.charCodeAt(0) < 128 && c.length === 1 ? [i] : []))
  const chars = [...body]
  const i = ascii[at % ascii.length]!
  const current = chars[i]!.charCodeAt(0)
  chars[i] = String.fromCharCode(32 + ((current - 32 + 1 + (replacement % 94)) % 95))
  return chars.join("")
}

const tamperedOf = (
  d: SignedDelivery,
  kind: Tampering,
  expected: WebhookSignature.Reason,
  change: Partial<SignedDelivery>
): TamperedDelivery => ({ ...d, ...change, kind, expected })

/** The signature header's name in a delivery (whichever casing it was given in). */
const signatureNameOf = (d: SignedDelivery): string =>
  Object.keys(d.headers).find((k) => /^(heygen-)?signature$/i.test(k))!

/** Values in the signature header that are not a signature: too short, too long, not hex, base64, empty. */
const malformed: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.hexaString({ minLength: 1, maxLength: 63 }),
  FastCheck.hexaString({ minLength: 65, maxLength: 128 }),
  FastCheck.tuple(FastCheck.hexaString({ minLength: 63, maxLength: 63 }), FastCheck.constantFrom("g", "z", " ", "-"))
    .map(([hex, bad]) => `${hex}${bad}`),
  FastCheck.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  FastCheck.hexaString({ minLength: 64, maxLength: 64 }).map((hex) => `sha1=${hex}`)
)

/**
 * Deliveries tampered with in one given way, in every form `signedDelivery` makes (restricted by `options` as
 * there; a timestamp kind is always a documented delivery with a timestamp).
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const tampered = (kind: Tampering, options: Options): FastCheck.Arbitrary<TamperedDelivery> => {
  const tolerance = options.tolerance ?? 300
  const stamped = (): FastCheck.Arbitrary<Shape> =>
    shapes({ ...options, headerStyle: "documented", withTimestamp: true })
  switch (kind) {
    case "BodyByte":
      return FastCheck.tuple(signedDelivery(options), FastCheck.nat(), FastCheck.nat()).map(([d, at, by]) =>
        tamperedOf(d, kind, "SignatureMismatch", { body: changeOneByte(d.body, at, by) })
      )
    case "WrongSecret":
      return FastCheck.tuple(shapes(options), secret).filter(([s, other]) => other !== s.secret).map(
        ([s, other]) => {
          const d = deliveryOf(s)
          return tamperedOf(d, kind, "SignatureMismatch", { headers: headersOf(s, other, d.body) })
        }
      )
    case "OldTimestamp":
    case "FutureTimestamp":
      return FastCheck.tuple(stamped(), FastCheck.integer({ min: 1, max: 30 * 86_400 })).map(([s, by]) => {
        const timestamp = kind === "OldTimestamp" ? options.now - tolerance - by : options.now + tolerance + by
        const d = deliveryOf({ ...s, timestamp })
        return tamperedOf(d, kind, "TimestampOutOfTolerance", {})
      })
    case "MissingHeader":
      return signedDelivery(options).map((d) => {
        const name = signatureNameOf(d)
        return tamperedOf(d, kind, "MissingHeader", {
          headers: Object.fromEntries(Object.entries(d.headers).filter(([k]) => k !== name))
        })
      })
    case "MalformedSignature":
      return FastCheck.tuple(signedDelivery(options), malformed).map(([d, value]) =>
        tamperedOf(d, kind, "MalformedSignature", { headers: { ...d.headers, [signatureNameOf(d)]: value } })
      )
    case "RepeatedHeader":
      return FastCheck.tuple(signedDelivery(options), FastCheck.nat(), FastCheck.boolean()).map(([d, pick, same]) => {
        // Any of the headers the delivery has (a legacy one has only its signature), repeated with the same value
        // or with another one of the same form.
        const names = Object.keys(d.headers)
        const name = names[pick % names.length]!
        const value = d.headers[name]!
        const other = same ? value : /^\d+$/.test(value) ? String(Number(value) + 1) : `${value.slice(0, -1)}0`
        return tamperedOf(d, kind, "RepeatedHeader", { headers: { ...d.headers, [name]: `${value}, ${other}` } })
      })
    case "ReserializedJson":
      // The body as sent is indented; the signature is over the compact re-serialisation of the same JSON.
      return shapes(options).map((s) => {
        const indented = deliveryOf({ ...s, indent: 2 })
        const compact = JSON.stringify(JSON.parse(indented.body))
        return tamperedOf(indented, kind, "SignatureMismatch", { headers: headersOf(s, s.secret, compact) })
      })
  }
}

/**
 * Every tampering kind.
 *
 * @since 0.2.0
 * @category constants
 */
export const tamperings: ReadonlyArray<Tampering> = [
  "BodyByte",
  "WrongSecret",
  "OldTimestamp",
  "FutureTimestamp",
  "MissingHeader",
  "MalformedSignature",
  "RepeatedHeader",
  "ReserializedJson"
]

/**
 * Deliveries tampered with in any one of the ways.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const tamperedDelivery = (options: Options): FastCheck.Arbitrary<TamperedDelivery> =>
  FastCheck.oneof(...tamperings.map((kind) => tampered(kind, options)))
