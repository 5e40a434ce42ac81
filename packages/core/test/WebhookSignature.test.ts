import { WebhookSignature } from "@effect-heygen/core"
import * as Headers from "@effect/platform/Headers"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { createHash, createHmac } from "node:crypto"
import { inspect } from "node:util"

// Every expected digest in this file is computed here, with node:crypto, independently of the module.
const hmacHex = (body: string | Uint8Array, key: string | Buffer) =>
  createHmac("sha256", key).update(body).digest("hex")

const NOW = 1_700_000_000 // Unix seconds
const NOW_MS = NOW * 1000
const envelope = {
  event_type: "avatar_video.success",
  event_data: { video_id: "v_1", url: "https://cdn.example/v_1.mp4" }
}
const secret = Redacted.make("whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=")

const headersFor = (signature: string, extra: Record<string, string> = {}) => ({
  "Heygen-Signature": signature,
  "Heygen-Timestamp": String(NOW),
  "Heygen-Event-Id": "evt_1",
  ...extra
})

/** verify at a fixed instant, as an Either: the pure core, no Clock. */
const verifyNow = (
  body: string | Uint8Array,
  headers: WebhookSignature.HeadersInput,
  secrets: WebhookSignature.Secrets = secret,
  options?: WebhookSignature.VerifyOptions
) => WebhookSignature.verifyAt(body, headers, secrets, NOW_MS, options)

const reasonOf = (
  result: Either.Either<unknown, WebhookSignature.WebhookVerificationError | WebhookSignature.InvalidSecret>
) => Either.isLeft(result) ? result.left.reason : "ok"

describe("known answers (digests computed with node:crypto in this test)", () => {
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ["ASCII", JSON.stringify(envelope)],
    [
      "UTF-8",
      JSON.stringify({ event_type: "avatar_video.fail", event_data: { video_id: "v_é", msg: "échec: 失败 🎬" } })
    ],
    ["empty", ""],
    ["CRLF", `{\r\n  "event_type": "x",\r\n  "event_data": {}\r\n}\r\n`]
  ]
  const secrets = ["whsec_abc123", "whsec_" + Buffer.from("raw key bytes").toString("base64"), "plain-secret-ü"]

  for (const [name, body] of bodies) {
    for (const key of secrets) {
      it(`${name} body, secret ${JSON.stringify(key)}: computeSignature is the hex HMAC of the raw bytes`, () => {
        const expected = hmacHex(Buffer.from(body, "utf8"), Buffer.from(key, "utf8"))
        expect(WebhookSignature.computeSignature(body, Redacted.make(key))).toBe(expected)
        expect(WebhookSignature.computeSignature(new TextEncoder().encode(body), Redacted.make(key))).toBe(expected)
        const result = verifyNow(body, headersFor(expected), Redacted.make(key))
        // The empty body is correctly signed but not a delivery: only the payload check may fail.
        expect(reasonOf(result)).toBe(name === "empty" ? "InvalidPayload" : "ok")
      })
    }
  }

  it("matches a digest computed outside node too (openssl dgst -sha256 -hmac whsec_abc123 of 'hello')", () => {
    expect(WebhookSignature.computeSignature("hello", Redacted.make("whsec_abc123"))).toBe(
      "7748e27b02c3b711871e6929821fdcfbf4180d21bd455523cc2f432c3409708e"
    )
  })

  it("uses the secret as-is: digests keyed with the whsec_-stripped or base64-decoded secret are refused", () => {
    const raw = "secret-key-for-tests"
    const key = "whsec_" + Buffer.from(raw).toString("base64")
    const body = JSON.stringify(envelope)
    const stripped = hmacHex(body, key.slice("whsec_".length))
    const decoded = hmacHex(body, Buffer.from(key.slice("whsec_".length), "base64"))
    expect(reasonOf(verifyNow(body, headersFor(stripped), Redacted.make(key)))).toBe("SignatureMismatch")
    expect(reasonOf(verifyNow(body, headersFor(decoded), Redacted.make(key)))).toBe("SignatureMismatch")
    expect(reasonOf(verifyNow(body, headersFor(hmacHex(body, key)), Redacted.make(key)))).toBe("ok")
  })

  it("sign gives the two headers HeyGen sends", () => {
    const body = JSON.stringify(envelope)
    expect(WebhookSignature.sign(body, secret, NOW)).toEqual({
      "Heygen-Signature": hmacHex(body, Redacted.value(secret)),
      "Heygen-Timestamp": String(NOW)
    })
  })
})

describe("what verify returns", () => {
  const body = JSON.stringify(envelope)
  const good = hmacHex(body, Redacted.value(secret))

  it("the delivery: event id, timestamp, envelope and typed event", () => {
    const result = verifyNow(body, headersFor(good))
    expect(Either.isRight(result)).toBe(true)
    if (Either.isRight(result)) {
      expect(result.right.eventId).toBe("evt_1")
      expect(result.right.timestamp).toBe(NOW)
      expect(result.right.eventType).toBe("avatar_video.success")
      expect(result.right.eventData).toEqual(envelope.event_data)
      expect(result.right.event._tag).toBe("AvatarVideoSuccess")
    }
  })

  it("reads headers from a platform Headers, a record in any casing, a Node record with arrays, and Fetch Headers", () => {
    const canonical = headersFor(good)
    const shapes: ReadonlyArray<WebhookSignature.HeadersInput> = [
      Headers.fromInput(canonical),
      Object.fromEntries(Object.entries(canonical).map(([k, v]) => [k.toUpperCase(), v])),
      Object.fromEntries(Object.entries(canonical).map(([k, v]) => [k.toLowerCase(), [v]])),
      new globalThis.Headers(canonical)
    ]
    for (const shape of shapes) expect(reasonOf(verifyNow(body, shape))).toBe("ok")
  })

  it("accepts the digest in upper-case hex", () => {
    expect(reasonOf(verifyNow(body, headersFor(good.toUpperCase())))).toBe("ok")
  })

  it("during a rotation either secret passes, and a third does not", () => {
    const old = Redacted.make("whsec_old_one")
    const secrets = [secret, old]
    expect(reasonOf(verifyNow(body, headersFor(hmacHex(body, "whsec_old_one")), secrets))).toBe("ok")
    expect(reasonOf(verifyNow(body, headersFor(good), secrets))).toBe("ok")
    expect(reasonOf(verifyNow(body, headersFor(hmacHex(body, "whsec_other")), secrets))).toBe("SignatureMismatch")
    expect(reasonOf(verifyNow(body, headersFor(good), []))).toBe("NoSecret")
  })

  it("no signature header at all is MissingHeader naming Heygen-Signature", () => {
    const { "Heygen-Signature": _, ...headers } = headersFor(good)
    const result = verifyNow(body, headers)
    expect(Either.isLeft(result) && result.left).toMatchObject({ reason: "MissingHeader", header: "Heygen-Signature" })
    expect(reasonOf(verifyNow(body, { ...headers, "Heygen-Signature": "" }))).toBe("MissingHeader")
  })

  it("without Heygen-Timestamp or Heygen-Event-Id it passes: timestamp null, the id from the body or a digest", () => {
    const { "Heygen-Timestamp": _t, "Heygen-Event-Id": _e, ...headers } = headersFor(good)
    const result = verifyNow(body, headers)
    expect(Either.isRight(result) && result.right).toMatchObject({
      timestamp: null,
      eventId: `sha256:${createHash("sha256").update(body).digest("hex")}`,
      eventIdSource: "digest"
    })
    const withId = JSON.stringify({ ...envelope, event_id: "evt_in_body" })
    const fromBody = verifyNow(withId, { "Heygen-Signature": hmacHex(withId, Redacted.value(secret)) })
    expect(Either.isRight(fromBody) && [fromBody.right.eventId, fromBody.right.eventIdSource]).toEqual([
      "evt_in_body",
      "body"
    ])
  })

  it("requireTimestamp refuses a delivery without Heygen-Timestamp, and still checks one that has it", () => {
    const { "Heygen-Timestamp": _, ...headers } = headersFor(good)
    const result = verifyNow(body, headers, secret, { requireTimestamp: true })
    expect(Either.isLeft(result) && result.left).toMatchObject({ reason: "MissingHeader", header: "Heygen-Timestamp" })
    expect(reasonOf(verifyNow(body, headersFor(good), secret, { requireTimestamp: true }))).toBe("ok")
    const stale = headersFor(good, { "Heygen-Timestamp": String(NOW - 301) })
    expect(reasonOf(verifyNow(body, stale, secret, { requireTimestamp: true }))).toBe("TimestampOutOfTolerance")
  })

  it("reads the signature from Signature (any casing) when Heygen-Signature is absent, as production deliveries carry it", () => {
    for (const name of ["signature", "Signature", "SIGNATURE"]) {
      const result = verifyNow(body, { [name]: good })
      expect(Either.isRight(result) && result.right.eventIdSource, name).toBe("digest")
      const wrong = verifyNow(body, { [name]: hmacHex(body, "whsec_other") })
      expect(Either.isLeft(wrong) && wrong.left).toMatchObject({ reason: "SignatureMismatch", header: "Signature" })
      expect(reasonOf(verifyNow(body, { [name]: "zz" }))).toBe("MalformedSignature")
    }
    // Heygen-Signature, when present, is the one checked.
    expect(reasonOf(verifyNow(body, { "Heygen-Signature": good, Signature: "garbage" }))).toBe("ok")
    expect(reasonOf(verifyNow(body, { "Heygen-Signature": "0".repeat(64), Signature: good }))).toBe("SignatureMismatch")
  })

  it("accepts the digest prefixed sha256=, in either case of hex", () => {
    for (const value of [`sha256=${good}`, `sha256=${good.toUpperCase()}`]) {
      expect(reasonOf(verifyNow(body, headersFor(value)))).toBe("ok")
      expect(reasonOf(verifyNow(body, { Signature: value }))).toBe("ok")
    }
  })

  it("a signature, timestamp or event-id header given twice is RepeatedHeader, in every shape headers come in", () => {
    for (const name of ["Heygen-Signature", "Signature", "Heygen-Timestamp", "Heygen-Event-Id"]) {
      const value = name.endsWith("Signature") ? good : name === "Heygen-Timestamp" ? String(NOW) : "evt_1"
      const base: Record<string, string> = name === "Signature" ? { Signature: good } : headersFor(good)
      const lower = Object.fromEntries(Object.entries(base).map(([k, v]) => [k.toLowerCase(), v]))
      const fetchHeaders = new globalThis.Headers(base)
      fetchHeaders.append(name, value)
      const shapes: ReadonlyArray<WebhookSignature.HeadersInput> = [
        { ...base, [name]: `${value}, ${value}` }, // Node joins repeated headers so
        { ...lower, [name.toLowerCase()]: [value, value] },
        Headers.fromInput({ ...base, [name]: `${value}, ${value}` }),
        fetchHeaders
      ]
      for (const shape of shapes) {
        const result = verifyNow(body, shape)
        expect(Either.isLeft(result) && result.left, name).toMatchObject({ reason: "RepeatedHeader", header: name })
      }
    }
  })

  it("a signature that is not 64 hex characters is MalformedSignature", () => {
    for (
      const bad of [
        "abc",
        good.slice(0, 63),
        good + "0",
        `sha1=${good}`,
        `sha256=${good.slice(1)}`,
        `sha256=${good}0`,
        `SHA256=${good}`,
        `sha256:${good}`,
        `v1=${good}`,
        good.replace(/./, "g"),
        "x".repeat(64)
      ]
    ) {
      expect(reasonOf(verifyNow(body, headersFor(bad)))).toBe("MalformedSignature")
    }
  })

  it("a timestamp that is not Unix seconds (1 to 15 ASCII digits) is out of tolerance", () => {
    // `Number` reads all of these as numbers but "soon" and the fullwidth digits; 16 digits are too many.
    const forms = ["soon", "-1", "1.5e9", `${NOW}.5`, ` ${NOW}`, `${NOW} `, "0x6553f100", "\uff11\uff17\uff10\uff10"]
    for (const bad of [...forms, "1".repeat(16)]) {
      expect(reasonOf(verifyNow(body, headersFor(good, { "Heygen-Timestamp": bad })))).toBe("TimestampOutOfTolerance")
    }
  })

  it("a signed body that is not a delivery is InvalidPayload: not JSON, not UTF-8, not an object with a string event_type", () => {
    for (const bad of ["not json", "[]", "null", `{"event_type":1,"event_data":{}}`, `{"event_data":{}}`]) {
      expect(reasonOf(verifyNow(bad, headersFor(hmacHex(bad, Redacted.value(secret)))))).toBe("InvalidPayload")
    }
    const notUtf8 = new Uint8Array([0x7b, 0xff, 0x7d])
    expect(reasonOf(verifyNow(notUtf8, headersFor(hmacHex(notUtf8, Redacted.value(secret)))))).toBe("InvalidPayload")
  })

  it.effect("verifySignature checks headers, signature and timestamp but leaves the body undecoded", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW_MS)
      const raw = "not json at all"
      const verified = yield* WebhookSignature.verifySignature(
        raw,
        headersFor(hmacHex(raw, Redacted.value(secret))),
        secret
      )
      expect(verified).toEqual({ eventId: "evt_1", timestamp: NOW, signatureHeader: "Heygen-Signature" })
      const plain = yield* WebhookSignature.verifySignature(
        raw,
        { signature: hmacHex(raw, Redacted.value(secret)) },
        secret
      )
      expect(plain).toEqual({ eventId: null, timestamp: null, signatureHeader: "Signature" })
      const error = yield* Effect.flip(
        WebhookSignature.verifySignature(raw + "!", headersFor(hmacHex(raw, Redacted.value(secret))), secret)
      )
      expect(error.reason).toBe("SignatureMismatch")
    }))

  it.effect("measures the tolerance on the Effect Clock (TestClock)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW_MS)
      const headers = headersFor(good)
      expect((yield* WebhookSignature.verify(body, headers, secret)).eventId).toBe("evt_1")
      yield* TestClock.adjust("300 seconds")
      expect((yield* WebhookSignature.verify(body, headers, secret)).eventId).toBe("evt_1")
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(WebhookSignature.verify(body, headers, secret))
      expect(error.reason).toBe("TimestampOutOfTolerance")
      // A longer tolerance admits it again.
      expect((yield* WebhookSignature.verify(body, headers, secret, { tolerance: "10 minutes" })).eventId).toBe("evt_1")
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// Properties

const secretArb = FastCheck.oneof(
  FastCheck.base64String({ minLength: 16, maxLength: 64 }).map((s) => `whsec_${s}`),
  FastCheck.string({ unit: "grapheme", minLength: 12, maxLength: 40 })
).filter((s) => s.length >= 12 && s.trim() === s)

const envelopeArb = FastCheck.record({
  event_type: FastCheck.oneof(FastCheck.constantFrom("avatar_video.fail", "video_agent.success"), FastCheck.string()),
  event_data: FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 5 })
}).map((e) =>
  e.event_type === "avatar_video.fail" ? { ...e, event_data: { ...e.event_data, video_id: "v", msg: "m" } } : e
)

/** A delivery body as HeyGen might format it: any envelope, any indentation. */
const bodyArb = FastCheck.tuple(envelopeArb, FastCheck.constantFrom(undefined, 1, 2, "\t")).map(([e, indent]) =>
  JSON.stringify(e, null, indent)
)

const toleranceSeconds = 300

describe("laws", () => {
  it.prop(
    "for any body, secret and timestamp within the tolerance, verify(body, sign(body)) succeeds",
    [bodyArb, secretArb, FastCheck.integer({ min: -toleranceSeconds, max: toleranceSeconds }), FastCheck.boolean()],
    ([body, key, skew, asBytes]) => {
      const signed = WebhookSignature.sign(body, Redacted.make(key), NOW + skew)
      const raw = asBytes ? new TextEncoder().encode(body) : body
      const result = verifyNow(raw, { ...signed, "Heygen-Event-Id": "evt_p" }, Redacted.make(key))
      expect(reasonOf(result)).toBe("ok")
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "for any bytes at all, a correct signature is never refused as a signature (only the payload may be)",
    [FastCheck.uint8Array({ maxLength: 512 }), secretArb],
    ([bytes, key]) => {
      const reason = reasonOf(
        verifyNow(
          bytes,
          { ...WebhookSignature.sign(bytes, Redacted.make(key), NOW), "Heygen-Event-Id": "e" },
          Redacted.make(key)
        )
      )
      expect(["ok", "InvalidPayload"]).toContain(reason)
    }
  )

  it.prop(
    "any single byte changed in the body fails with SignatureMismatch",
    [bodyArb, secretArb, FastCheck.nat(), FastCheck.integer({ min: 1, max: 255 })],
    ([body, key, at, delta]) => {
      const bytes = new TextEncoder().encode(body)
      const signed = WebhookSignature.sign(bytes, Redacted.make(key), NOW)
      const tampered = Uint8Array.from(bytes)
      const i = at % tampered.length
      tampered[i] = (tampered[i]! + delta) % 256
      expect(reasonOf(verifyNow(tampered, { ...signed, "Heygen-Event-Id": "e" }, Redacted.make(key)))).toBe(
        "SignatureMismatch"
      )
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "any single byte changed in the signature (digest byte, or hex digit) fails with SignatureMismatch",
    [
      bodyArb,
      secretArb,
      FastCheck.integer({ min: 0, max: 63 }),
      FastCheck.integer({ min: 1, max: 255 }),
      FastCheck.boolean()
    ],
    ([body, key, at, delta, viaDigest]) => {
      const signature = WebhookSignature.computeSignature(body, Redacted.make(key))
      let forged: string
      if (viaDigest) {
        const digest = Buffer.from(signature, "hex")
        digest[at % 32] = (digest[at % 32]! + delta) % 256
        forged = digest.toString("hex")
      } else {
        const digit = (parseInt(signature[at]!, 16) + (delta % 15) + 1) % 16
        forged = signature.slice(0, at) + digit.toString(16) + signature.slice(at + 1)
      }
      expect(reasonOf(verifyNow(body, headersFor(forged), Redacted.make(key)))).toBe("SignatureMismatch")
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "the signature of the same JSON re-serialised with different whitespace fails with SignatureMismatch",
    [envelopeArb, secretArb, FastCheck.constantFrom(1, 2, 4, "\t")],
    ([e, key, indent]) => {
      const sent = JSON.stringify(e, null, indent)
      const reserialised = JSON.stringify(JSON.parse(sent))
      const signature = WebhookSignature.computeSignature(sent, Redacted.make(key))
      expect(reasonOf(verifyNow(sent, headersFor(signature), Redacted.make(key)))).toBe("ok")
      expect(reasonOf(verifyNow(reserialised, headersFor(signature), Redacted.make(key)))).toBe("SignatureMismatch")
    }
  )

  it.prop(
    "any timestamp outside the tolerance fails with TimestampOutOfTolerance, either side",
    [
      bodyArb,
      FastCheck.integer({ min: toleranceSeconds + 1, max: 10 * 365 * 86_400 }),
      FastCheck.boolean(),
      FastCheck.integer({ min: 1, max: 3_600 })
    ],
    ([body, offset, future, tolerance]) => {
      const signed = WebhookSignature.sign(body, secret, NOW + (future ? offset : -offset))
      expect(reasonOf(verifyNow(body, { ...signed, "Heygen-Event-Id": "e" }))).toBe("TimestampOutOfTolerance")
      // And the law holds for any tolerance, at its edge.
      const edge = WebhookSignature.sign(body, secret, NOW + (future ? tolerance + 1 : -tolerance - 1))
      const within = WebhookSignature.sign(body, secret, NOW + (future ? tolerance : -tolerance))
      const options = { tolerance: `${tolerance} seconds` as const }
      expect(reasonOf(verifyNow(body, { ...edge, "Heygen-Event-Id": "e" }, secret, options))).toBe(
        "TimestampOutOfTolerance"
      )
      expect(reasonOf(verifyNow(body, { ...within, "Heygen-Event-Id": "e" }, secret, options))).toBe("ok")
    }
  )

  /** Any JSON object with a string event_type, as HeyGen or a variant of it might send it. */
  const anyBodyArb = FastCheck.record({
    event_type: FastCheck.string(),
    event_data: FastCheck.option(FastCheck.jsonValue(), { nil: undefined }),
    event_id: FastCheck.option(FastCheck.string(), { nil: undefined }),
    created_at: FastCheck.option(FastCheck.oneof(FastCheck.string(), FastCheck.integer()), { nil: undefined })
  }, { requiredKeys: ["event_type"] }).map((b) => JSON.stringify(b))

  it.prop(
    "any authentic delivery, in either header style, with or without timestamp and event id, verifies; its id comes from the header, else the body, else the digest",
    [
      anyBodyArb,
      secretArb,
      FastCheck.constantFrom("documented", "plain"),
      FastCheck.boolean(),
      FastCheck.option(FastCheck.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), { nil: undefined }),
      FastCheck.boolean()
    ],
    ([body, key, style, withTimestamp, headerId, prefixed]) => {
      const hex = WebhookSignature.computeSignature(body, Redacted.make(key))
      const value = prefixed ? `sha256=${hex}` : hex
      const headers: Record<string, string> = style === "documented"
        ? { "Heygen-Signature": value }
        : { signature: value }
      if (withTimestamp) headers["Heygen-Timestamp"] = String(NOW)
      if (headerId !== undefined) headers["Heygen-Event-Id"] = headerId
      const result = verifyNow(body, headers, Redacted.make(key))
      expect(reasonOf(result)).toBe("ok")
      if (Either.isLeft(result)) return
      const bodyId: unknown = JSON.parse(body).event_id
      const expected = headerId !== undefined
        ? [headerId, "header"]
        : typeof bodyId === "string" && bodyId !== ""
        ? [bodyId, "body"]
        : [`sha256:${createHash("sha256").update(body).digest("hex")}`, "digest"]
      expect([result.right.eventId, result.right.eventIdSource]).toEqual(expected)
      expect(result.right.timestamp).toBe(withTimestamp ? NOW : null)
    },
    { fastCheck: { numRuns: 300 } }
  )

  /** Every failing check, for a given secret and body. */
  const failures = (key: string, body: string) => {
    const s = Redacted.make(key)
    const good = WebhookSignature.computeSignature(body, s)
    const wrong = WebhookSignature.computeSignature(body + " ", s)
    const cases: ReadonlyArray<readonly [string | Uint8Array, Record<string, string>]> = [
      [body, { "Heygen-Timestamp": String(NOW), "Heygen-Event-Id": "e" }],
      [body, headersFor(good.slice(1))],
      [body, headersFor(wrong)],
      [body, headersFor(good, { "Heygen-Timestamp": String(NOW - 10_000) })],
      ["{" + body, headersFor(WebhookSignature.computeSignature("{" + body, s))]
    ]
    return cases.map(([b, h]) => verifyNow(b, h, s))
  }

  it.prop(
    "no error's message, JSON, string or inspected form contains the secret or the expected digest",
    [secretArb, bodyArb],
    ([key, body]) => {
      const expected = WebhookSignature.computeSignature(body, Redacted.make(key))
      const results = failures(key, body)
      expect(results.map(reasonOf)).toEqual([
        "MissingHeader",
        "MalformedSignature",
        "SignatureMismatch",
        "TimestampOutOfTolerance",
        "InvalidPayload"
      ])
      for (const result of results) {
        if (Either.isRight(result)) continue
        const error = result.left
        const shown = [
          error.message,
          JSON.stringify(error),
          String(error),
          inspect(error, { depth: 10 }),
          error.stack ?? ""
        ].join("\n")
        for (const needle of [key, expected, expected.slice(0, 16), expected.toUpperCase()]) {
          expect(shown).not.toContain(needle)
        }
      }
    },
    { fastCheck: { numRuns: 200 } }
  )
})
