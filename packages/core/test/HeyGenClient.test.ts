import { HeyGenClient, Version, WebhookEndpoints } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
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

describe("Version", () => {
  it("matches package.json, so the User-Agent never lies", () => {
    const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(Version.version).toBe(pkg.version)
    expect(Version.userAgent).toBe(`effect-heygen/${pkg.version}`)
  })
})
