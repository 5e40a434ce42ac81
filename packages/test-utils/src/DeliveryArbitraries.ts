/**
 * fast-check arbitraries for webhook deliveries: validly signed ones, and each way a delivery can be tampered
 * with, labelled with the check that must catch it. For property tests of a receiver (or of a verifier).
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
import { WebhookSignature } from "@effect-heygen/core"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"

/**
 * A delivery as it reaches a receiver: body, the three headers, and the secret the receiver holds.
 *
 * @since 0.2.0
 * @category models
 */
export interface SignedDelivery {
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  /** The endpoint's secret, as the receiver is configured with it. */
  readonly secret: string
  readonly eventId: string
  readonly timestamp: number
}

/**
 * The ways a delivery is tampered with.
 *
 * @since 0.2.0
 * @category models
 */
export type Tampering = "BodyByte" | "WrongSecret" | "OldTimestamp" | "MissingHeader" | "ReserializedJson"

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
}

/**
 * Signing secrets shaped like HeyGen's (`whsec_` and base64), and other opaque strings.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const secret: FastCheck.Arbitrary<string> = FastCheck.oneof(
  FastCheck.base64String({ minLength: 16, maxLength: 64 }).map((s) => `whsec_${s}`),
  FastCheck.string({ minLength: 12, maxLength: 40 })
)

/**
 * Delivery envelopes: documented payloads and arbitrary event types with arbitrary JSON data.
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
    event_type: FastCheck.string({ minLength: 1 }),
    event_data: FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 4 })
  })
)

const eventId = FastCheck.hexaString({ minLength: 8, maxLength: 24 }).map((hex) => `evt_${hex}`)

const headersOf = (body: string, key: string, id: string, timestamp: number, signed = body) => ({
  "Heygen-Signature": WebhookSignature.computeSignature(signed, Redacted.make(key)),
  "Heygen-Timestamp": String(timestamp),
  "Heygen-Event-Id": id
})

/**
 * Deliveries a correct receiver accepts: any envelope, formatted compactly or indented (HeyGen's formatting is
 * not ours to assume), signed with the secret, stamped within the tolerance of `now`.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const signedDelivery = (options: Options): FastCheck.Arbitrary<SignedDelivery> => {
  const tolerance = options.tolerance ?? 300
  return FastCheck.record({
    envelope,
    indent: FastCheck.constantFrom(undefined, 2),
    secret: options.secret === undefined ? secret : FastCheck.constant(options.secret),
    eventId,
    skew: FastCheck.integer({ min: -tolerance, max: tolerance })
  }).map(({ envelope, eventId, indent, secret, skew }) => {
    const body = JSON.stringify(envelope, null, indent)
    const timestamp = options.now + skew
    return { body, headers: headersOf(body, secret, eventId, timestamp), secret, eventId, timestamp }
  })
}

const changeOneByte = (body: string, at: number, replacement: number): string => {
  // One ASCII character for another: exactly one byte of the UTF-8 body changes.
  const ascii = [...body].flatMap((c, i) => (c.charCodeAt(0) < 128 && c.length === 1 ? [i] : []))
  const chars = [...body]
  const i = ascii[at % ascii.length]!
  const current = chars[i]!.charCodeAt(0)
  chars[i] = String.fromCharCode(32 + ((current - 32 + 1 + (replacement % 94)) % 95))
  return chars.join("")
}

/**
 * Deliveries tampered with in one given way.
 *
 * @since 0.2.0
 * @category arbitraries
 */
export const tampered = (kind: Tampering, options: Options): FastCheck.Arbitrary<TamperedDelivery> => {
  const tolerance = options.tolerance ?? 300
  const base = signedDelivery(options)
  switch (kind) {
    case "BodyByte":
      return FastCheck.tuple(base, FastCheck.nat(), FastCheck.nat()).map(([d, at, by]) => ({
        ...d,
        body: changeOneByte(d.body, at, by),
        kind,
        expected: "SignatureMismatch" as const
      }))
    case "WrongSecret":
      return FastCheck.tuple(base, secret).filter(([d, other]) => other !== d.secret).map(([d, other]) => ({
        ...d,
        headers: headersOf(d.body, other, d.eventId, d.timestamp),
        kind,
        expected: "SignatureMismatch" as const
      }))
    case "OldTimestamp":
      return FastCheck.tuple(base, FastCheck.integer({ min: 1, max: 30 * 86_400 })).map(([d, by]) => {
        const timestamp = options.now - tolerance - by
        return {
          ...d,
          timestamp,
          headers: headersOf(d.body, d.secret, d.eventId, timestamp),
          kind,
          expected: "TimestampOutOfTolerance" as const
        }
      })
    case "MissingHeader":
      // Only the signature is required: a delivery without timestamp or event-id header is authentic (production
      // deliveries come so), so dropping one of those is no tampering.
      return base.map((d) => ({
        ...d,
        headers: Object.fromEntries(Object.entries(d.headers).filter(([k]) => k !== "Heygen-Signature")),
        kind,
        expected: "MissingHeader" as const
      }))
    case "ReserializedJson":
      // The body as sent is indented; the signature is over the compact re-serialisation of the same JSON.
      return base.map((d) => {
        const body = JSON.stringify(JSON.parse(d.body), null, 2)
        const compact = JSON.stringify(JSON.parse(d.body))
        return {
          ...d,
          body,
          headers: headersOf(body, d.secret, d.eventId, d.timestamp, compact),
          kind,
          expected: "SignatureMismatch" as const
        }
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
  "MissingHeader",
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
