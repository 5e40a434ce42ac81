// Every response the fake sends for generated traffic validates against the response schemas of the spec in this
// repo (spec/webhooks.openapi.yaml), read and compiled with a JSON Schema validator.
import type { Fault } from "@effect-heygen/test-utils"
import { Arbitraries, FakeHeyGen } from "@effect-heygen/test-utils"
import { describe, expect, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import type { ValidateFunction } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as TestContext from "effect/TestContext"
import * as Fs from "node:fs"
import { parse } from "yaml"
import { drive } from "./support.js"

const specPath = new URL("../../../spec/webhooks.openapi.yaml", import.meta.url)
const spec: unknown = parse(Fs.readFileSync(specPath, "utf8"))
const specId = "https://effect-heygen.local/webhooks.openapi.yaml"

// OpenAPI 3.1 schemas are JSON Schema 2020-12; `strict: false` because the document also holds OpenAPI keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true })
ajv.addSchema({ ...(spec as object), $id: specId })

const operation = "#/paths/~1v3~1webhooks~1endpoints/post/responses"
const documented = ["200", "400", "401", "409", "429"] as const
const bodySchemas: Record<string, ValidateFunction> = Object.fromEntries(
  documented.map((status) => [
    status,
    ajv.compile({ $ref: `${specId}${operation}/${status}/content/application~1json/schema` })
  ])
)
const retryAfterSchema = ajv.compile({ $ref: `${specId}${operation}/429/headers/Retry-After/schema` })
const requestSchema = ajv.compile({ $ref: `${specId}#/components/schemas/CreateWebhookEndpointRequest` })

const accounts = ["acct_conformance"]

interface Traffic {
  readonly body: unknown
  readonly auth: "x-api-key" | "bearer" | "unknown" | "none"
  readonly key: string | null
}

const traffic: FastCheck.Arbitrary<Traffic> = FastCheck.record({
  body: FastCheck.oneof(
    { arbitrary: Arbitraries.createRequest, weight: 3 },
    // A small pool of URLs makes conflicts common.
    {
      arbitrary: FastCheck.constantFrom("https://x.example.com/a", "https://x.example.com/b").map((url) => ({ url })),
      weight: 3
    },
    { arbitrary: Arbitraries.invalidRequest.map((invalid) => invalid.body), weight: 2 }
  ),
  auth: FastCheck.constantFrom(
    "x-api-key" as const,
    "x-api-key" as const,
    "bearer" as const,
    "unknown" as const,
    "none" as const
  ),
  key: FastCheck.option(
    FastCheck.oneof(FastCheck.constantFrom("k1", "k2"), Arbitraries.idempotencyKey, Arbitraries.invalidIdempotencyKey),
    {
      nil: null
    }
  )
})

const headersOf = (t: Traffic): Record<string, string> => ({
  "content-type": "application/json",
  ...(t.auth === "x-api-key" ? { "x-api-key": accounts[0]! } : {}),
  ...(t.auth === "bearer" ? { authorization: `Bearer ${accounts[0]!}` } : {}),
  ...(t.auth === "unknown" ? { "x-api-key": "not-an-account" } : {}),
  ...(t.key === null ? {} : { "idempotency-key": t.key })
})

/** Each (status, code) pair seen, so the test can show that its traffic reached every documented answer. */
const seen = new Set<string>()

const conforms = (batches: ReadonlyArray<ReadonlyArray<Traffic>>, faults: Fault.FaultPlan, rateLimited: boolean) =>
  Effect.gen(function*() {
    const fake = yield* FakeHeyGen.make({
      apiKeys: accounts,
      faults,
      latency: 500,
      rateLimit: rateLimited ? { limit: 4, window: "3 seconds" } : undefined
    })
    for (const batch of batches) {
      const fibers = yield* Effect.forEach(
        batch,
        (t) =>
          Effect.fork(
            fake.handle({
              method: "POST",
              path: FakeHeyGen.createPath,
              headers: headersOf(t),
              body: JSON.stringify(t.body)
            })
          )
      )
      yield* drive(fibers)
    }
    for (const exchange of yield* fake.exchanges) {
      const reply = exchange.reply
      expect(reply, `exchange ${exchange.seq} was answered`).not.toBeNull()
      if (reply === null || reply._tag !== "Respond") continue
      const { body, headers, status } = reply.response
      const validate = bodySchemas[String(status)]
      expect(validate, `status ${status} is documented`).toBeDefined()
      expect(headers["content-type"]).toBe("application/json")
      expect(headers["x-request-id"]).toMatch(/^req_/)
      const json: unknown = JSON.parse(body)
      expect(validate!(json), `${status} ${body}: ${ajv.errorsText(validate!.errors)}`).toBe(true)
      // The API's own 429 and a Seconds fault follow the documented header; other faults script junk on purpose.
      const scripted = exchange.fault?._tag === "RateLimit" && exchange.fault.retryAfter._tag !== "Seconds"
      if (status === 429 && !scripted) {
        expect(retryAfterSchema(Number(headers["retry-after"])), `Retry-After ${headers["retry-after"]}`).toBe(true)
        expect(headers["retry-after"]).toMatch(/^\d+$/)
      }
      seen.add(`${status} ${(json as { error?: { code?: string } }).error?.code ?? "data"}`)
    }
  })

describe("conformance: the fake's responses against the spec's schemas", () => {
  it("the validator is live: it refuses bodies the spec forbids", () => {
    expect(bodySchemas["200"]!({ data: { endpoint_id: 1, url: "u", status: "enabled", created_at: "t" } })).toBe(false)
    expect(bodySchemas["200"]!({ data: { url: "u", status: "enabled", created_at: "t" } })).toBe(false)
    expect(bodySchemas["409"]!({ error: { message: "no code" } })).toBe(false)
    expect(retryAfterSchema(1.5)).toBe(false)
  })

  it("arbitrary valid requests satisfy the spec's request schema", () =>
    FastCheck.assert(FastCheck.property(Arbitraries.createRequest, (request) => requestSchema(request))))

  it("generated bodies from the arbitraries satisfy the spec's response schemas", () => {
    FastCheck.assert(FastCheck.property(Arbitraries.endpointResponseBody, (body) => bodySchemas["200"]!(body)))
    FastCheck.assert(FastCheck.property(Arbitraries.specEndpointResponseBody, (body) => bodySchemas["200"]!(body)))
    FastCheck.assert(FastCheck.property(Arbitraries.apiErrorBody, (body) => bodySchemas["400"]!(body)))
  })

  it("every response to generated traffic validates, and the traffic reaches every documented answer", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.array(FastCheck.array(traffic, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        Arbitraries.faultPlan({ corrupting: false, maxSlowMillis: 2_000, maxLength: 8 }),
        FastCheck.boolean(),
        (batches, faults, rateLimited) =>
          Effect.runPromise(conforms(batches, faults, rateLimited).pipe(Effect.provide(TestContext.TestContext)))
      ),
      { numRuns: 100 }
    )
    expect([...seen].sort()).toEqual(expect.arrayContaining([
      "200 data",
      "400 invalid_parameter",
      "401 authentication_failed",
      "409 conflict",
      "409 request_in_progress",
      "429 rate_limit_exceeded"
    ]))
  })
})
