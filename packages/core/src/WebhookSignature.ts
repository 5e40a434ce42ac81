/**
 * Verifying (and, for tests and tools, signing) HeyGen's webhook deliveries.
 *
 * HeyGen's scheme as documented: `Heygen-Signature` is the hex HMAC-SHA256 of the raw request body, keyed with
 * the endpoint's secret string exactly as Create or Rotate returned it (the whole `whsec_...` string);
 * `Heygen-Timestamp` is the Unix time in seconds of dispatch (not covered by the signature: a freshness check);
 * `Heygen-Event-Id` identifies the event across redeliveries.
 *
 * What production integrations report, and is accepted too: the same signature in a header named plain
 * `Signature`, with no timestamp and no event-id header (the body then carries `event_id`). So the signature is
 * read from `Heygen-Signature`, else `Signature` (64 hex digits, either case, optionally `sha256=`-prefixed); the
 * timestamp is checked whenever it is present and may be absent unless `requireTimestamp` says otherwise; the
 * event id is `Heygen-Event-Id`, else the body's `event_id`, else a digest of the raw body (see
 * `WebhookDelivery.eventIdSource`). A header given twice is refused: two values cannot both be the delivery's.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * // rawBody: the bytes as received, never re-serialised JSON.
 * const check = (rawBody: Uint8Array, headers: Record<string, string>) =>
 *   WebhookSignature.verify(rawBody, headers, Redacted.make("whsec_..."), { tolerance: "5 minutes" }).pipe(
 *     Effect.catchTag("WebhookVerificationError", (e) => Effect.logWarning(`refused: ${e.reason}`))
 *   )
 * ```
 *
 * @since 0.2.0
 */
import type * as Headers from "@effect/platform/Headers"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { timingSafeEqual } from "node:crypto"
import { hmacSha256, hmacSha256Into } from "./internal/hmac.js"
import { withClock } from "./internal/now.js"
import * as WebhookDelivery from "./WebhookDelivery.js"

/**
 * `Heygen-Signature`: the hex HMAC-SHA256 of the raw body.
 *
 * @since 0.2.0
 * @category constants
 */
export const signatureHeader = "heygen-signature"

/**
 * `Signature`: where production deliveries have been seen to carry the same digest, with no `Heygen-` header at
 * all. Read when `Heygen-Signature` is absent.
 *
 * @since 0.4.0
 * @category constants
 */
export const plainSignatureHeader = "signature"

/**
 * `Heygen-Timestamp`: Unix seconds at dispatch.
 *
 * @since 0.2.0
 * @category constants
 */
export const timestampHeader = "heygen-timestamp"

/**
 * `Heygen-Event-Id`: the same on every redelivery of one event.
 *
 * @since 0.2.0
 * @category constants
 */
export const eventIdHeader = "heygen-event-id"

/**
 * The default freshness window for `Heygen-Timestamp`: 5 minutes either side of the `Clock`.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTolerance: Duration.Duration = Duration.minutes(5)

const defaultToleranceMillis = Duration.toMillis(defaultTolerance)

/**
 * Which check a delivery failed.
 *
 * @since 0.2.0
 * @category models
 */
export const Reason = Schema.Literal(
  "MissingHeader",
  "RepeatedHeader",
  "MalformedSignature",
  "SignatureMismatch",
  "TimestampOutOfTolerance",
  "InvalidPayload"
)

/**
 * @since 0.2.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * A delivery failed verification. `reason` says which check; `header` names the header involved, when one is.
 * It never holds a secret, the expected signature or the body: only what the sender already knows.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 *
 * const status = (e: WebhookSignature.WebhookVerificationError) => e.reason === "InvalidPayload" ? 400 : 401
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class WebhookVerificationError extends Schema.TaggedError<WebhookVerificationError>()(
  "WebhookVerificationError",
  {
    reason: Reason,
    header: Schema.NullOr(Schema.String),
    message: Schema.String
  }
) {}

/**
 * Headers in any of the shapes a server hands over: `@effect/platform`'s `Headers`, a plain record (Node's
 * `IncomingHttpHeaders`, any casing), or a Fetch `Headers`. Names are matched case-insensitively.
 *
 * @since 0.2.0
 * @category models
 */
export type HeadersInput =
  | Headers.Headers
  | globalThis.Headers
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * One signing secret, or several: during a rotation pass the old and the new one (any match passes), since
 * deliveries already in flight still carry the old signature.
 *
 * @since 0.2.0
 * @category models
 */
export type Secrets = Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>

/**
 * A configured signing secret was refused: it would let forgeries through (an empty or blank secret is a key
 * anyone can sign with) or turn away every genuine delivery (a secret read from a file with its newline).
 * `index` is the secret's place in the list (0-based; 0 for a single secret), null when no secret was given at
 * all. The message names which secret and why; it never holds the secret.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Either, Redacted } from "effect"
 *
 * const checked = WebhookSignature.validateSecrets([Redacted.make("whsec_new"), Redacted.make("whsec_old\n")])
 * // Left(InvalidSecret): "secret 2 of 2 ends with a newline; HeyGen's secrets have none"
 * export const ok = Either.isRight(checked)
 * ```
 *
 * @since 0.5.0
 * @category errors
 */
export class InvalidSecret extends Schema.TaggedError<InvalidSecret>()("InvalidSecret", {
  index: Schema.NullOr(Schema.Number),
  reason: Schema.Literal("NoSecret", "NotRedacted", "Empty", "Blank", "SurroundingWhitespace"),
  message: Schema.String
}) {}

const whitespaceName = (char: string): string => {
  switch (char) {
    case "\n":
      return "a newline"
    case "\r":
      return "a carriage return"
    case "\t":
      return "a tab"
    case " ":
      return "a space"
    default:
      return `whitespace (U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`
  }
}

/**
 * Checks the configured secrets: at least one, each a `Redacted` string that is not empty, not blank and has no
 * whitespace before or after it (HeyGen's secrets have none). Nothing is trimmed: a loud refusal at start-up costs
 * one deploy, where a silent guess could hide a wrong secret. The receivers run it when they are built, and
 * `verify` / `verifySignature` on every call.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Either, Redacted } from "effect"
 *
 * export const refused = Either.isLeft(WebhookSignature.validateSecrets(Redacted.make(""))) // true
 * ```
 *
 * @since 0.5.0
 * @category verification
 */
export const validateSecrets = (
  secrets: Secrets
): Either.Either<readonly [Redacted.Redacted<string>, ...Array<Redacted.Redacted<string>>], InvalidSecret> => {
  const list: ReadonlyArray<unknown> = Redacted.isRedacted(secrets) ? [secrets] : Array.isArray(secrets) ? secrets : []
  if (list.length === 0) {
    return Either.left(
      new InvalidSecret({ index: null, reason: "NoSecret", message: "no signing secret was given" })
    )
  }
  for (let index = 0; index < list.length; index++) {
    const secret = list[index]
    const name = list.length === 1 ? "the signing secret" : `secret ${index + 1} of ${list.length}`
    const invalid = (reason: InvalidSecret["reason"], why: string) =>
      Either.left(new InvalidSecret({ index, reason, message: `${name} ${why}` }))
    if (!Redacted.isRedacted(secret)) return invalid("NotRedacted", "is not a Redacted string")
    const value: unknown = Redacted.value(secret)
    if (typeof value !== "string") return invalid("NotRedacted", "is not a string")
    if (value.length === 0) return invalid("Empty", "is empty: anyone could sign with it")
    const trimmed = value.trim()
    if (trimmed.length === 0) return invalid("Blank", "is only whitespace: anyone could sign with it")
    if (trimmed.length !== value.length) {
      const last = value[value.length - 1]!
      return invalid(
        "SurroundingWhitespace",
        /\s/.test(last)
          ? `ends with ${whitespaceName(last)}; HeyGen's secrets have none`
          : `starts with ${whitespaceName(value[0]!)}; HeyGen's secrets have none`
      )
    }
  }
  return Either.right(list as readonly [Redacted.Redacted<string>, ...Array<Redacted.Redacted<string>>])
}

/**
 * @since 0.2.0
 * @category models
 */
export interface VerifyOptions {
  /** How far `Heygen-Timestamp` may be from the `Clock`, either way, whenever it is present. Default 5 minutes. */
  readonly tolerance?: Duration.DurationInput | undefined
  /**
   * Refuse a delivery without `Heygen-Timestamp`. Default `false`: production deliveries have been seen without
   * one, the signature does not cover it anyway, and the de-duplication on the event id is then the replay
   * defence.
   */
  readonly requireTimestamp?: boolean | undefined
}

const isFetchHeaders = (headers: HeadersInput): headers is globalThis.Headers =>
  typeof globalThis.Headers === "function" && headers instanceof globalThis.Headers

type HeaderRecord = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * What a header read gives: its value, `undefined` when absent (or empty), or `repeated` when it was given more
 * than once: as several values (a record of arrays), or as Node's and Fetch's join of them (`a, b`). No value of
 * the three headers has a comma of its own (hex digits, decimal digits, an id), so a comma means two values.
 */
const repeated: unique symbol = Symbol("repeated")
type HeaderValue = string | undefined | typeof repeated

const single = (value: string | ReadonlyArray<string> | undefined): HeaderValue => {
  if (value === undefined) return undefined
  if (typeof value !== "string") {
    if (value.length === 0) return undefined
    if (value.length > 1) return repeated
    value = value[0]!
  }
  if (value === "") return undefined
  return value.indexOf(",") === -1 ? value : repeated
}

/** Reads a header by its lower-case name (or, next, the casing HeyGen and `sign` use) from a record. */
const recordHeader = (record: HeaderRecord, name: string, canonical: string): HeaderValue => {
  // Platform `Headers` and Node's records are already lower-case: one lookup. A record built from `sign`'s
  // output uses HeyGen's casing: a second lookup. Only other casings need a scan, which costs more than the rest
  // of the header checks together.
  const direct = record[name]
  if (direct !== undefined) return single(direct)
  const cased = record[canonical]
  if (cased !== undefined) return single(cased)
  for (const key of Object.keys(record)) {
    if (key.length === name.length && key.toLowerCase() === name) return single(record[key])
  }
  return undefined
}

/** Reads a header, case-insensitively, from any accepted shape; `fetch` says whether it is a Fetch `Headers`. */
const header = (headers: HeadersInput, fetch: boolean, name: string, canonical: string): HeaderValue =>
  fetch
    ? single((headers as globalThis.Headers).get(name) ?? undefined)
    : recordHeader(headers as HeaderRecord, name, canonical)

const ZERO_DIGEST = Buffer.alloc(32)
// The digest under each secret in turn, compared and then overwritten: one buffer for every call.
const DIGEST = Buffer.alloc(32)
const CANDIDATE = Buffer.alloc(32)
const utf8 = new TextDecoder("utf-8", { fatal: true })

const refuse = (reason: Reason, header: string | null, message: string) =>
  new WebhookVerificationError({ reason, header, message })

/**
 * `Heygen-Timestamp` as Unix seconds: 1 to 15 decimal digits (no sign, point or exponent, which `Number` would
 * also take), or `undefined`. Fifteen digits stay exact as a double.
 */
const unixSeconds = (text: string): number | undefined => {
  if (text.length > 15) return undefined
  let seconds = 0
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return undefined
    seconds = seconds * 10 + digit
  }
  return seconds
}

/**
 * Whether `provided` (a header value) is the signature of `rawBody` under any of `secrets`.
 *
 * Every secret is tried and every comparison is `timingSafeEqual` over two 32-byte digests, whatever the
 * header holds: a header that is not 64 hex characters (after an optional `sha256=`, as GitHub-style senders
 * write it) is compared as a zero digest (and then reported
 * malformed), so neither the length nor the content of the header changes what is compared, and no early exit
 * tells a forger how many bytes matched.
 */
const checkSignature = (
  rawBody: Uint8Array | string,
  provided: string,
  secrets: Secrets
): "ok" | "malformed" | "mismatch" => {
  // Hex decoding stops at the first pair that is not hex: 64 characters decoding to 32 bytes are exactly the
  // well-formed signatures. Decoded into one reused buffer (this runs synchronously, so no two calls share it),
  // which spares a regular expression and an allocation per delivery.
  const hex = provided.length === 71 && provided.startsWith("sha256=") ? provided.slice(7) : provided
  const wellFormed = hex.length === 64 && CANDIDATE.write(hex, "hex") === 32
  const candidate = wellFormed ? CANDIDATE : ZERO_DIGEST
  let matched = false
  if (Redacted.isRedacted(secrets)) {
    matched = timingSafeEqual(hmacSha256Into(rawBody, secrets, DIGEST), candidate)
  } else {
    for (const secret of secrets as ReadonlyArray<Redacted.Redacted<string>>) {
      // The comparison comes first, so a match on an earlier secret never skips a later one.
      matched = timingSafeEqual(hmacSha256Into(rawBody, secret, DIGEST), candidate) || matched
    }
  }
  return !wellFormed ? "malformed" : matched ? "ok" : "mismatch"
}

/**
 * What the headers of an authentic delivery say: its `Heygen-Event-Id` (null when absent: `verify` then takes
 * the body's `event_id`, else a digest of the body), its `Heygen-Timestamp` in Unix seconds (null when absent and
 * allowed), and which header carried the signature.
 *
 * @since 0.2.0
 * @category models
 */
export interface VerifiedHeaders {
  readonly eventId: string | null
  readonly timestamp: number | null
  /** `Heygen-Signature` (as documented) or `Signature` (as some production deliveries carry it). */
  readonly signatureHeader: "Heygen-Signature" | "Signature"
}

// Runs a check at the `Clock`'s time, its result (a value, or the error it refused with) returned as
// `succeed`/`fail`: two steps of the fiber where `Effect.clockWith` and an `Either` take four, and one closure per
// call (its arguments passed, not captured by a second one): in a loop of verifications every allocation is paid
// again at the next scavenge, which the HMAC objects' native handles make dear.
const atNow = <A>(
  check: (
    rawBody: Uint8Array | string,
    headers: HeadersInput,
    secrets: Secrets,
    nowMillis: number,
    options: VerifyOptions | undefined
  ) => A | Refusal,
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  options: VerifyOptions | undefined
): Effect.Effect<A, Refusal> =>
  withClock((clock) => {
    const result = check(rawBody, headers, secrets, clock.unsafeCurrentTimeMillis(), options)
    return isRefusal(result) ? Effect.fail(result) : Effect.succeed(result)
  })

/** What a verification fails with: the delivery was refused, or the secrets it was checked against are unusable. */
type Refusal = WebhookVerificationError | InvalidSecret

const isRefusal = (value: unknown): value is Refusal =>
  value instanceof WebhookVerificationError || value instanceof InvalidSecret

const repeatedHeader = (name: string) => refuse("RepeatedHeader", name, `the ${name} header was given more than once`)

// The checks of `verifySignatureAt`, returning the error rather than an `Either`: the Effect forms then allocate
// one object fewer per delivery.
const checkHeaders = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  nowMillis: number,
  options: VerifyOptions | undefined
): VerifiedHeaders | Refusal => {
  // Checked on every call, not only when a receiver is built: an empty secret would verify forgeries.
  const valid = validateSecrets(secrets)
  if (Either.isLeft(valid)) return valid.left
  const fetch = isFetchHeaders(headers)
  let signatureName: "Heygen-Signature" | "Signature" = "Heygen-Signature"
  let signature = header(headers, fetch, signatureHeader, "Heygen-Signature")
  if (signature === undefined) {
    signatureName = "Signature"
    signature = header(headers, fetch, plainSignatureHeader, "Signature")
    if (signature === undefined) {
      return refuse("MissingHeader", "Heygen-Signature", "neither a Heygen-Signature nor a Signature header is present")
    }
  }
  if (signature === repeated) return repeatedHeader(signatureName)
  const eventId = header(headers, fetch, eventIdHeader, "Heygen-Event-Id")
  if (eventId === repeated) return repeatedHeader("Heygen-Event-Id")
  const timestampText = header(headers, fetch, timestampHeader, "Heygen-Timestamp")
  if (timestampText === repeated) return repeatedHeader("Heygen-Timestamp")
  if (timestampText === undefined && options?.requireTimestamp === true) {
    return refuse("MissingHeader", "Heygen-Timestamp", "the Heygen-Timestamp header is missing")
  }
  switch (checkSignature(rawBody, signature, secrets)) {
    case "malformed":
      return refuse("MalformedSignature", signatureName, `${signatureName} is not a hex HMAC-SHA256 digest`)
    case "mismatch":
      return refuse("SignatureMismatch", signatureName, `${signatureName} does not match the body`)
  }
  if (timestampText === undefined) return { eventId: eventId ?? null, timestamp: null, signatureHeader: signatureName }
  // An unparseable timestamp cannot be within any tolerance: reported as out of it.
  const timestamp = unixSeconds(timestampText)
  if (timestamp === undefined) {
    return refuse("TimestampOutOfTolerance", "Heygen-Timestamp", "Heygen-Timestamp is not a Unix time in seconds")
  }
  const toleranceMillis = options?.tolerance === undefined
    ? defaultToleranceMillis
    : Duration.toMillis(options.tolerance)
  if (Math.abs(nowMillis - timestamp * 1000) > toleranceMillis) {
    return refuse("TimestampOutOfTolerance", "Heygen-Timestamp", "Heygen-Timestamp is outside the tolerance")
  }
  return { eventId: eventId ?? null, timestamp, signatureHeader: signatureName }
}

// `checkHeaders`, then the body decoded as a delivery.
const checkDelivery = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  nowMillis: number,
  options: VerifyOptions | undefined
): WebhookDelivery.WebhookDelivery | Refusal => {
  const verified = checkHeaders(rawBody, headers, secrets, nowMillis, options)
  if (isRefusal(verified)) return verified
  let text: string
  try {
    text = typeof rawBody === "string" ? rawBody : utf8.decode(rawBody)
  } catch {
    return refuse("InvalidPayload", null, "the body is not UTF-8")
  }
  const delivery = WebhookDelivery.fromJson(text, { ...verified, rawBody })
  return Either.isRight(delivery)
    ? delivery.right
    : refuse("InvalidPayload", null, delivery.left.message)
}

const toEither = <A>(result: A | Refusal): Either.Either<A, Refusal> =>
  isRefusal(result) ? Either.left(result) : Either.right(result)

/**
 * The pure core of `verifySignature`, with the current time given: a signature header present and given once,
 * well-formed, matching; the timestamp fresh when present (or required). The body is not decoded.
 *
 * @since 0.2.0
 * @category verification
 */
export const verifySignatureAt = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  nowMillis: number,
  options?: VerifyOptions
): Either.Either<VerifiedHeaders, WebhookVerificationError | InvalidSecret> =>
  toEither(checkHeaders(rawBody, headers, secrets, nowMillis, options))

/**
 * Checks that a delivery is authentic and fresh without decoding its body: for receivers that parse the body
 * their own way. `verify` is this followed by decoding.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * const program = (rawBody: Uint8Array, headers: Record<string, string>) =>
 *   Effect.map(
 *     WebhookSignature.verifySignature(rawBody, headers, Redacted.make("whsec_...")),
 *     ({ eventId }) => eventId
 *   )
 * ```
 *
 * @since 0.2.0
 * @category verification
 */
export const verifySignature = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  options?: VerifyOptions
): Effect.Effect<VerifiedHeaders, WebhookVerificationError | InvalidSecret> =>
  atNow(checkHeaders, rawBody, headers, secrets, options)

/**
 * The pure core of `verify`, with the current time given: `verifySignatureAt`, then the body decoded as a
 * delivery (`InvalidPayload` when it is not UTF-8 JSON of the envelope's shape).
 *
 * @since 0.2.0
 * @category verification
 */
export const verifyAt = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  nowMillis: number,
  options?: VerifyOptions
): Either.Either<WebhookDelivery.WebhookDelivery, WebhookVerificationError | InvalidSecret> =>
  toEither(checkDelivery(rawBody, headers, secrets, nowMillis, options))

/**
 * Verifies a delivery and decodes it. `rawBody` must be the bytes as received (a string is taken as UTF-8).
 * Checks, in order: a signature header is present (`Heygen-Signature`, else `Signature`) and no header is
 * repeated, the signature is 64 hex characters (optionally `sha256=`-prefixed), it matches the body under one of
 * `secrets` (constant time), the timestamp, when present, is within `tolerance` of the Effect `Clock` (so
 * `TestClock` drives it), and the body is a JSON object with a string `event_type`. Secrets that
 * `validateSecrets` refuses fail it with `InvalidSecret`, whatever the delivery. Whatever its `event_data`,
 * such a body is a delivery (see `WebhookDelivery.fromJson`).
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Effect, Redacted } from "effect"
 *
 * const secrets = [Redacted.make("whsec_new"), Redacted.make("whsec_old")] // during a rotation
 * const program = (body: string, headers: Headers) =>
 *   Effect.gen(function*() {
 *     const delivery = yield* WebhookSignature.verify(body, headers, secrets)
 *     yield* Effect.log(`${delivery.eventType} ${delivery.eventId}`)
 *   })
 * ```
 *
 * @since 0.2.0
 * @category verification
 */
export const verify = (
  rawBody: Uint8Array | string,
  headers: HeadersInput,
  secrets: Secrets,
  options?: VerifyOptions
): Effect.Effect<WebhookDelivery.WebhookDelivery, WebhookVerificationError | InvalidSecret> =>
  atNow(checkDelivery, rawBody, headers, secrets, options)

/**
 * The hex HMAC-SHA256 of `rawBody` keyed with `secret` as-is: the value of `Heygen-Signature`.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Redacted } from "effect"
 *
 * const hex = WebhookSignature.computeSignature(`{"event_type":"x","event_data":{}}`, Redacted.make("whsec_abc"))
 * ```
 *
 * @since 0.2.0
 * @category signing
 */
export const computeSignature = (rawBody: Uint8Array | string, secret: Redacted.Redacted<string>): string =>
  hmacSha256(rawBody, secret).toString("hex")

/**
 * The headers HeyGen documents sending with `rawBody` (add `Heygen-Event-Id` yourself).
 *
 * @since 0.2.0
 * @category models
 */
export interface SignedHeaders {
  readonly "Heygen-Signature": string
  readonly "Heygen-Timestamp": string
}

/**
 * Signs a body as HeyGen does, for tests and tools: `timestamp` is in Unix seconds.
 *
 * @example
 * ```ts
 * import { WebhookSignature } from "@effect-heygen/core"
 * import { Redacted } from "effect"
 *
 * const body = JSON.stringify({ event_type: "avatar_video.success", event_data: { video_id: "v1", url: "https://x" } })
 * const headers = {
 *   ...WebhookSignature.sign(body, Redacted.make("whsec_test"), Math.floor(Date.now() / 1000)),
 *   "Heygen-Event-Id": "evt_1"
 * }
 * ```
 *
 * @since 0.2.0
 * @category signing
 */
export const sign = (
  rawBody: Uint8Array | string,
  secret: Redacted.Redacted<string>,
  timestamp: number
): SignedHeaders => ({
  "Heygen-Signature": computeSignature(rawBody, secret),
  "Heygen-Timestamp": String(Math.floor(timestamp))
})
