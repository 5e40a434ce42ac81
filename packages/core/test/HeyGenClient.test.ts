import { HeyGenClient, RetryPolicy, Version, WebhookEndpoints } from "@effect-heygen/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import { apiError, endpointBody, makeFake, respond, runToEnd, validRequest } from "./fixtures.js"

const withEnv = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const fromEnv = (env: Record<string, string>, fake = makeFake([respond(200, endpointBody())])) =>
  HeyGenClient.HeyGenClient.pipe(
    Effect.provide(HeyGenClient.layerConfig().pipe(Layer.provide(fake.layer), Layer.provide(withEnv(env)))),
    Effect.either
  )

describe("parseBaseUrl", () => {
  it("accepts https anywhere and http only on loopback", () => {
    for (
      const ok of [
        "https://api.heygen.com",
        "https://example.com:8443/base",
        "http://127.0.0.1:4010",
        "http://localhost:1",
        "http://[::1]:80",
        "http://127.9.9.9"
      ]
    ) {
      expect(Either.isRight(HeyGenClient.parseBaseUrl(ok)), ok).toBe(true)
    }
    for (
      const bad of [
        "http://api.heygen.com",
        "http://10.0.0.1",
        "http://127.0.0.1.example.com",
        "ftp://127.0.0.1",
        "api.heygen.com",
        "",
        "http://localhost.evil.com"
      ]
    ) {
      expect(Either.isLeft(HeyGenClient.parseBaseUrl(bad)), bad).toBe(true)
    }
  })
})

describe("HeyGenClient.layerConfig", () => {
  it.effect("reads HEYGEN_API_KEY as Redacted, HEYGEN_API_BASE and HEYGEN_MAX_RETRIES", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(503, "unavailable")])
      const env = {
        HEYGEN_API_KEY: "hg_env_key_123456",
        HEYGEN_API_BASE: "http://127.0.0.1:9",
        HEYGEN_MAX_RETRIES: "0"
      }
      const client = yield* Effect.flatten(fromEnv(env, fake))
      expect(client.credentials._tag).toBe("ApiKey")
      expect(String(client.credentials._tag === "ApiKey" && client.credentials.apiKey)).not.toContain("hg_env_key")
      expect(client.baseUrl.href).toBe("http://127.0.0.1:9/")
      const exit = yield* runToEnd(
        WebhookEndpoints.create(validRequest).pipe(
          Effect.provide(HeyGenClient.layerConfig().pipe(Layer.provide(fake.layer), Layer.provide(withEnv(env))))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(fake.requests).toHaveLength(1) // HEYGEN_MAX_RETRIES=0: no retry
      expect(fake.requests[0]?.headers["x-api-key"]).toBe("hg_env_key_123456")
      expect(fake.requests[0]?.url).toBe("http://127.0.0.1:9/v3/webhooks/endpoints")
    }))

  it.effect("defaults the base URL to https://api.heygen.com", () =>
    Effect.gen(function*() {
      const client = yield* Effect.flatten(fromEnv({ HEYGEN_API_KEY: "k" }))
      expect(client.baseUrl.href).toBe("https://api.heygen.com/")
    }))

  it.effect("a missing HEYGEN_API_KEY fails with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const result = yield* fromEnv({})
      expect(Either.isLeft(result) && String(result.left)).toContain("HEYGEN_API_KEY")
    }))

  it.effect("a plain-http HEYGEN_API_BASE off loopback is refused", () =>
    Effect.gen(function*() {
      const result = yield* fromEnv({ HEYGEN_API_KEY: "k", HEYGEN_API_BASE: "http://api.heygen.com" })
      expect(Either.isLeft(result) && String(result.left)).toContain("loopback")
    }))

  it.effect("a HEYGEN_MAX_RETRIES that is not a whole number is refused, naming it", () =>
    Effect.gen(function*() {
      const result = yield* fromEnv({ HEYGEN_API_KEY: "k", HEYGEN_MAX_RETRIES: "two" })
      expect(Either.isLeft(result) && String(result.left)).toContain("HEYGEN_MAX_RETRIES")
    }))
})

describe("HeyGenClient.make", () => {
  const make = (options: HeyGenClient.Options) =>
    HeyGenClient.make(options).pipe(Effect.provide(makeFake([respond(200, "")]).layer), Effect.either)

  it.effect("refuses both credentials, empty credentials, and negative retries; never echoes a key", () =>
    Effect.gen(function*() {
      const both = yield* make({ apiKey: "secret_key_AAAA", bearerToken: "secret_tok_BBBB" })
      expect(Either.isLeft(both) && String(both.left)).toContain("not both")
      expect(Either.isLeft(both) && String(both.left)).not.toMatch(/secret_(key|tok)/)
      const empty = yield* make({ apiKey: "  " })
      expect(Either.isLeft(empty) && String(empty.left)).toContain("empty")
      const negative = yield* make({ apiKey: "k", maxRetries: -1 })
      expect(Either.isLeft(negative) && String(negative.left)).toContain("maxRetries")
      const none = yield* make({})
      expect(Either.isLeft(none) && String(none.left)).toContain("HEYGEN_API_KEY")
    }))

  it.effect("keeps a given Redacted key as is and wraps a plain string at once", () =>
    Effect.gen(function*() {
      const client = yield* Effect.flatten(make({ apiKey: "plain_key_123" }))
      expect(client.credentials._tag === "ApiKey" && Redacted.isRedacted(client.credentials.apiKey)).toBe(true)
      expect(JSON.stringify(client.credentials)).not.toContain("plain_key_123")
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// Credentials and HTTP header values (RFC 9110 field-value: visible ASCII and obs-text 0x80-0xFF, with spaces or
// tabs only between them).

const charIn = (min: number, max: number) => FastCheck.integer({ min, max }).map((c) => String.fromCharCode(c))
/** Visible ASCII only, long enough that finding it in an error would mean the key was echoed. */
const visible = FastCheck.string({ unit: charIn(0x21, 0x7e), minLength: 12, maxLength: 40 })
/** A character no header value may hold anywhere: a control character, DEL, or anything above U+00FF. */
const forbidden = FastCheck.oneof(
  charIn(0x00, 0x08),
  charIn(0x0a, 0x1f),
  FastCheck.constantFrom("\x7f", "\r\n", "\0"),
  charIn(0x100, 0xffff),
  FastCheck.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c))
)
/** A key with a visible part (`shown`) and something no header can carry. */
const invalidKey = FastCheck.oneof(
  FastCheck.tuple(visible, forbidden, FastCheck.nat()).map(([shown, bad, at]) => {
    const i = at % (shown.length + 1)
    return { shown, key: shown.slice(0, i) + bad + shown.slice(i) }
  }),
  // Spaces and tabs are allowed only between other characters.
  FastCheck.tuple(visible, FastCheck.constantFrom(" ", "\t", "  "), FastCheck.boolean()).map((
    [shown, blank, start]
  ) => ({
    shown,
    key: start ? blank + shown : shown + blank
  }))
)
/** A key any header can carry: visible ASCII at both ends, obs-text, spaces and tabs inside. */
const validKey = FastCheck.tuple(
  charIn(0x21, 0x7e),
  FastCheck.string({
    unit: FastCheck.oneof(charIn(0x21, 0x7e), charIn(0x80, 0xff), FastCheck.constantFrom(" ", "\t")),
    maxLength: 30
  }),
  charIn(0x21, 0x7e),
  FastCheck.string({ unit: charIn(0x21, 0x7e), minLength: 6, maxLength: 6 })
).map(([first, middle, last, tail]) => `${first}${middle}${tail}${last}`)

type Setting = "apiKey" | "bearerToken" | "HEYGEN_API_KEY"

/** The client layer with `key` given through `setting`, over `fake`. */
const layerWith = (setting: Setting, key: string, fake: ReturnType<typeof makeFake>) =>
  (setting === "HEYGEN_API_KEY"
    ? HeyGenClient.layerConfig().pipe(Layer.provide(withEnv({ HEYGEN_API_KEY: key })))
    : HeyGenClient.layer({ [setting]: key, retryPolicy: RetryPolicy.never })).pipe(Layer.provide(fake.layer))

describe("credentials are checked before any I/O", () => {
  it.effect.prop(
    "a key or token no HTTP header can carry fails as a ConfigError naming the setting; nothing is sent; never echoed",
    [invalidKey, FastCheck.constantFrom<Setting>("apiKey", "bearerToken", "HEYGEN_API_KEY")],
    ([{ key, shown }, setting]) =>
      Effect.gen(function*() {
        const fake = makeFake([respond(200, endpointBody())])
        const exit = yield* WebhookEndpoints.create(validRequest).pipe(
          Effect.provide(layerWith(setting, key, fake)),
          Effect.exit
        )
        expect(fake.requests).toHaveLength(0)
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        expect(Option.map(error, ConfigError.isConfigError)).toEqual(Option.some(true))
        const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        expect(text).toContain(setting)
        expect(text).not.toContain(key)
        expect(text).not.toContain(shown)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "a key any header can carry (obs-text, inner spaces and tabs) is accepted and sent unchanged",
    [validKey, FastCheck.constantFrom<Setting>("apiKey", "bearerToken", "HEYGEN_API_KEY")],
    ([key, setting]) =>
      Effect.gen(function*() {
        const fake = makeFake([respond(200, endpointBody())])
        const exit = yield* WebhookEndpoints.create(validRequest).pipe(
          Effect.provide(layerWith(setting, key, fake)),
          Effect.exit
        )
        expect(Exit.isSuccess(exit)).toBe(true)
        const headers = fake.requests[0]?.headers ?? {}
        expect(setting === "bearerToken" ? headers["authorization"] : headers["x-api-key"]).toBe(
          setting === "bearerToken" ? `Bearer ${key}` : key
        )
      }),
    { fastCheck: { numRuns: 50 } }
  )

  // The HttpClient is the consumer's: a proxying or logging wrapper may quote the request's headers in its own
  // error messages. The key must not ride out on the TransportError built from one.
  it.effect.prop(
    "a transport error whose message quotes the request headers reaches the caller with the key scrubbed",
    [validKey, FastCheck.constantFrom<Setting>("apiKey", "bearerToken")],
    ([key, setting]) =>
      Effect.gen(function*() {
        let sent = 0
        const quoting = HttpClient.make((request) =>
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              description: `proxy refused ${Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`).join("; ")}`,
              cause: new Error(`upstream closed while sending credentials ${key}`)
            })
          ).pipe(Effect.ensuring(Effect.sync(() => void sent++)))
        )
        const exit = yield* WebhookEndpoints.create(validRequest).pipe(
          Effect.provide(
            HeyGenClient.layer({ [setting]: key, retryPolicy: RetryPolicy.never }).pipe(
              Layer.provide(Layer.succeed(HttpClient.HttpClient, quoting))
            )
          ),
          Effect.exit
        )
        expect(sent).toBe(1)
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
        expect(error?._tag).toBe("TransportError")
        const message = error?._tag === "TransportError" ? error.message : ""
        expect(message).not.toContain(key)
        // The quoted headers did reach the message, so the scrub had something to remove.
        expect(message).toContain("proxy refused")
        expect(message).toContain("<redacted>")
        expect(JSON.stringify(error)).not.toContain(key)
        expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").not.toContain(key)
      }),
    { fastCheck: { numRuns: 50 } }
  )
})

describe("Version", () => {
  it("matches package.json, so the User-Agent never lies", () => {
    const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(Version.version).toBe(pkg.version)
    expect(Version.userAgent).toBe(`effect-heygen/${pkg.version}`)
  })
})
