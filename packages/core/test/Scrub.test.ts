/**
 * Every string from the server is scrubbed before it reaches an error (issue 13, item 6): a server that puts the
 * key in `code`, `message`, `param`, `doc_url` and `x-request-id`, for every route and every error status.
 */
import { HeyGenClient, type HeyGenError, RetryPolicy, WebhookEndpoints, WebhookEvents } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { scrubConnection } from "../src/internal/scrub.js"
import { makeFake, respond, runToEnd, validRequest } from "./fixtures.js"

const routes: ReadonlyArray<
  readonly [string, () => Effect.Effect<unknown, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient>]
> = [
  ["create", () => WebhookEndpoints.create(validRequest)],
  ["list", () => WebhookEndpoints.list({ limit: 10 })],
  ["update", () => WebhookEndpoints.update("ep_1", { events: null })],
  ["delete", () => WebhookEndpoints.del("ep_1")],
  ["rotateSecret", () => WebhookEndpoints.rotateSecret("ep_1")],
  ["listEventTypes", () => WebhookEvents.listEventTypes()],
  ["listEvents", () => WebhookEvents.list({ limit: 10 })]
]

describe("server strings are scrubbed on every route", () => {
  it.effect.prop(
    "for any key, route and error status, the key in code, message, param, doc_url or x-request-id never reaches the error",
    [
      FastCheck.stringMatching(/^[A-Za-z0-9_-]{16,48}$/),
      FastCheck.constantFrom(...routes),
      FastCheck.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 503),
      FastCheck.constantFrom(
        "not_found",
        "conflict",
        "request_in_progress",
        "invalid_parameter",
        "rate_limit_exceeded",
        "other"
      ),
      FastCheck.boolean()
    ],
    ([key, [, run], status, code, bearer]) =>
      Effect.gen(function*() {
        const fake = makeFake([
          respond(status, {
            error: {
              code: `${code} ${key}`,
              message: `bad ${key}`,
              param: `p_${key}`,
              doc_url: `https://docs.test/${key}`
            }
          }, { "x-request-id": `req_${key}`, "retry-after": "1" }),
          // And a code that is exactly the key: the classification must not depend on it either.
          respond(status, { error: { code: key, message: "m", param: null, doc_url: null } }, { "x-request-id": key })
        ])
        const client = HeyGenClient.layer({
          ...(bearer ? { bearerToken: Redacted.make(key) } : { apiKey: Redacted.make(key) }),
          baseUrl: "https://api.heygen.test",
          retryPolicy: RetryPolicy.make({ maxRetries: 1 })
        }).pipe(Layer.provide(fake.layer), Layer.orDie)
        const exit = yield* runToEnd(run().pipe(Effect.provide(client)))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) {
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          for (
            const shown of [
              JSON.stringify(error),
              inspect(error, { depth: 10 }),
              String(error),
              Cause.pretty(exit.cause)
            ]
          ) {
            expect(shown).not.toContain(key)
          }
          // The fields are there, scrubbed, not dropped.
          if ("requestId" in error && error.requestId !== null) expect(error.requestId).toContain("<redacted>")
        }
        expect(fake.requests.length).toBeGreaterThan(0)
      }),
    { timeout: 120_000, fastCheck: { numRuns: 200 } }
  )
})

describe("connection passwords in database errors (the SQL delivery log)", () => {
  it("are removed from URLs and password settings, whatever the password, and nothing else is", () => {
    const password = FastCheck.stringMatching(/^[A-Za-z0-9!#$%*+,;=~_.-]{1,24}$/)
    FastCheck.assert(
      FastCheck.property(password, (secret) => {
        const text = `connect to postgres://app:${secret}@db.internal:5432/hooks failed; ` +
          `host=db user=app password=${secret} sslmode=require; PASSWORD: '${secret}'`
        const clean = scrubConnection(text)
        expect(clean).not.toContain(`:${secret}@`)
        expect(clean).not.toContain(`password=${secret}`)
        expect(clean).not.toContain(`'${secret}'`)
        expect(clean).toContain("postgres://app:<redacted>@db.internal:5432/hooks")
        expect(clean).toContain("host=db user=app password=<redacted> sslmode=require")
      })
    )
    expect(scrubConnection("relation \"hooks\" does not exist (42P01)")).toBe(
      "relation \"hooks\" does not exist (42P01)"
    )
  })
})
