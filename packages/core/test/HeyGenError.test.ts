import { HeyGenClient, HeyGenError, WebhookEndpoints } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { type Fake, makeFake, type Reply, respond, runToEnd, validRequest } from "./fixtures.js"

/** Runs a call with `apiKey`, capturing every log line at every level. */
const callCapturingLogs = (fake: Fake, apiKey: string, bearer: boolean) => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
  const client = HeyGenClient.layer({
    ...(bearer ? { bearerToken: Redacted.make(apiKey) } : { apiKey: Redacted.make(apiKey) }),
    baseUrl: "https://api.heygen.test"
  }).pipe(Layer.provide(fake.layer), Layer.orDie)
  return runToEnd(
    WebhookEndpoints.create(validRequest).pipe(
      Effect.tap((result) => Effect.logInfo("created", result)),
      Effect.tapErrorCause((cause) => Effect.logError("failed", cause)),
      Effect.provide(client),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
  ).pipe(Effect.map((exit) => ({ exit, lines })))
}

const credentialArb = FastCheck.stringMatching(/^[A-Za-z0-9_-]{16,48}$/)
const secretArb = FastCheck.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `whsec_${s}`)
const plainSecretArb = FastCheck.stringMatching(/^[A-Za-z0-9]{16,40}$/)

/**
 * The places HeyGen could echo a credential or a secret, each as a reply. A secret in free text is only
 * recognisable by HeyGen's `whsec_` prefix; anywhere else it travels in a JSON `secret` member.
 */
const leakyReply = (key: string, secret: string): FastCheck.Arbitrary<Reply> => {
  const inText = secret.startsWith("whsec_") ? secret : `whsec_${secret}`
  return FastCheck.oneof(
    FastCheck.constant(
      respond(401, { error: { code: "authentication_failed", message: `Invalid key ${key}`, param: key } })
    ),
    FastCheck.constant(
      respond(400, { error: { code: "invalid_parameter", message: `bad x-api-key: ${key}`, param: "url" } })
    ),
    FastCheck.constant(
      respond(500, { error: { code: "internal_error", message: `trace: key=${key} secret=${inText}` } })
    ),
    FastCheck.constant(
      respond(502, `<html><pre>x-api-key: ${key}</pre><p>${inText}</p></html>`, { "content-type": "text/html" })
    ),
    FastCheck.constant(respond(200, { data: { url: "https://example.com", status: "enabled", secret, echo: key } })),
    FastCheck.constant(
      respond(200, { data: { endpoint_id: 5, url: "https://example.com", status: "enabled", created_at: "x", secret } })
    ),
    FastCheck.integer({ min: 1, max: 400 }).map((cut) => {
      const full = JSON.stringify({
        data: { endpoint_id: "ep_1", url: "https://example.com", status: "enabled", created_at: "x", secret }
      })
      return respond(200, full.slice(0, Math.min(cut, full.length - 1)))
    }),
    FastCheck.constant(
      respond(200, {
        data: { endpoint_id: "ep_1", url: "https://example.com", status: "enabled", created_at: "x", secret }
      })
    ),
    FastCheck.constant(
      respond(429, `{"error":{"code":"rate_limit_exceeded","message":"${key}"}}`, { "retry-after": "1" })
    ),
    FastCheck.constant<Reply>({ _tag: "ConnectionError" })
  )
}

/** Every way a value can be shown: message, JSON, String, util.inspect. */
const renderings = (u: unknown): Array<string> => {
  const out = [String(u), JSON.stringify(u) ?? "", inspect(u, { depth: 10 })]
  if (u instanceof Error) out.push(u.message, u.stack ?? "")
  return out
}

describe("no credential or secret escapes", () => {
  it.effect.prop(
    "for any API key (or bearer token) and secret, neither appears in any error, result or log line",
    [credentialArb, FastCheck.oneof(secretArb, plainSecretArb), FastCheck.boolean(), FastCheck.nat()],
    ([key, secret, bearer, pick]) =>
      Effect.gen(function*() {
        const replies = FastCheck.sample(leakyReply(key, secret), { numRuns: 3, seed: pick })
        const fake = makeFake(replies)
        const { exit, lines } = yield* callCapturingLogs(fake, key, bearer)
        const shown = [
          ...lines,
          ...(Exit.isFailure(exit)
            ? [Cause.pretty(exit.cause), ...renderings(Cause.squash(exit.cause))]
            : renderings(exit.value))
        ].join("\n")
        // The signing secret only leaves through its field, where it is Redacted. Check the whole value and a
        // prefix, so that an excerpt cut through a secret cannot leak its head either.
        for (const needle of [key, key.slice(0, 12), secret, secret.replace(/^whsec_/, "").slice(0, 12)]) {
          expect(shown).not.toContain(needle)
        }
        // The request did carry the credential: the law is about what comes back out, not what goes in.
        expect(JSON.stringify(fake.requests[0]?.headers)).toContain(key)
        if (Exit.isFailure(exit)) expect(HeyGenError.isHeyGenError(Cause.squash(exit.cause))).toBe(true)
      }),
    // 300 runs of a whole call each: CPU-bound, so a loaded machine needs more than the default 30 s.
    { fastCheck: { numRuns: 300 }, timeout: 120_000 }
  )
})
