import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as Failure from "../src/internal/failure.js"
import { envelope, runInProcess } from "./harness.js"

const key = "0b8f0c7e-2d7a-4c55-9a53-6f3f1f0c9e11"
const api = (status: number, code: string) => ({
  status,
  code,
  message: `HTTP ${status} ${code}`,
  param: code === "invalid_parameter" ? "url" : null,
  docUrl: "https://docs.heygen.com/errors",
  requestId: "req_123",
  idempotencyKey: key
})

/** One example of every error core can fail with, and the exit code and envelope code the CLI must give it. */
const table: ReadonlyArray<readonly [HeyGenError.HeyGenError, ExitCode.ExitCode, string]> = [
  [
    new HeyGenError.ValidationError({ field: "events.1", message: "events.1: bad" }),
    ExitCode.Usage,
    "cli_invalid_input"
  ],
  [new HeyGenError.InvalidParameter(api(400, "invalid_parameter")), ExitCode.Usage, "invalid_parameter"],
  [new HeyGenError.AuthenticationFailed(api(401, "authentication_failed")), ExitCode.Auth, "authentication_failed"],
  [new HeyGenError.Conflict(api(409, "conflict")), ExitCode.ApiOrNetwork, "conflict"],
  [new HeyGenError.RequestInProgress(api(409, "request_in_progress")), ExitCode.ApiOrNetwork, "request_in_progress"],
  [
    new HeyGenError.RateLimited({ ...api(429, "rate_limit_exceeded"), retryAfter: Option.some(Duration.seconds(90)) }),
    ExitCode.ApiOrNetwork,
    "rate_limit_exceeded"
  ],
  [new HeyGenError.ApiError(api(403, "forbidden")), ExitCode.Auth, "forbidden"],
  [new HeyGenError.ApiError(api(404, "not_found")), ExitCode.ApiOrNetwork, "not_found"],
  [new HeyGenError.ApiError(api(503, "internal_error")), ExitCode.ApiOrNetwork, "internal_error"],
  [
    new HeyGenError.NotFound({ ...api(404, "not_found"), idempotencyKey: null, resourceId: "ep_1" }),
    ExitCode.ApiOrNetwork,
    "not_found"
  ],
  [
    new HeyGenError.PaginationError({ reason: "RepeatedToken", token: "t1", page: 3 }),
    ExitCode.ApiOrNetwork,
    "cli_pagination_error"
  ],
  [
    new HeyGenError.TransportError({ message: "connection reset", idempotencyKey: key }),
    ExitCode.ApiOrNetwork,
    "cli_network_error"
  ],
  [
    new HeyGenError.TimeoutError({ scope: "call", timeout: Duration.seconds(5), idempotencyKey: key }),
    ExitCode.Timeout,
    "cli_timeout"
  ],
  [
    new HeyGenError.UnexpectedResponse({
      status: 502,
      message: "html",
      bodyExcerpt: "<html>",
      requestId: null,
      idempotencyKey: key
    }),
    ExitCode.ApiOrNetwork,
    "cli_unexpected_response"
  ]
]

describe("Failure.fromHeyGenError", () => {
  it("covers every error tag core declares", () => {
    expect(new Set(table.map(([e]) => e._tag))).toEqual(new Set(HeyGenError.tags))
  })

  it.each(table)("%s -> exit %i, code %s", (error, exitCode, code) => {
    const failure = Failure.fromHeyGenError(error)
    expect(failure.exitCode).toBe(exitCode)
    expect(failure.envelope.error.code).toBe(code)
    expect(Object.keys(failure.envelope.error)).toEqual(["code", "message", "hint", "param", "doc_url", "request_id"])
    if ("idempotencyKey" in error) expect(failure.envelope.idempotency_key).toBe(error.idempotencyKey)
    if ("requestId" in error) expect(failure.envelope.error.request_id).toBe(error.requestId)
  })

  it("names the flag of a local validation error and reports the user's own key", () => {
    const failure = Failure.fromHeyGenError(new HeyGenError.ValidationError({ field: "entity_id", message: "x" }), "k1")
    expect(failure.envelope.error.param).toBe("--entity-id")
    expect(failure.envelope.idempotency_key).toBe("k1")
  })

  it("tells the user to repeat with the key after a lost response, a timeout, a 5xx or a 429", () => {
    for (const [error] of table) {
      if (["TransportError", "TimeoutError", "RateLimited", "RequestInProgress"].includes(error._tag)) {
        expect(Failure.fromHeyGenError(error).envelope.error.hint).toContain(`--idempotency-key ${key}`)
      }
    }
    expect(Failure.fromHeyGenError(table[5]![0]).envelope.error.hint).toContain("wait 1m 30s")
  })

  // Law: for any API status and code, the exit code is in 0-4, 401/403 map to 3, and the API's own code, request
  // id and the key are carried over unchanged (a script can act on them).
  it("maps any API error to exit 0-4, keeping its code, request id and key", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.integer({ min: 400, max: 599 }),
        FastCheck.string({ minLength: 1, maxLength: 20 }),
        FastCheck.option(FastCheck.string({ maxLength: 10 }), { nil: null }),
        (status, code, requestId) => {
          const failure = Failure.fromHeyGenError(new HeyGenError.ApiError({ ...api(status, code), requestId }))
          expect(ExitCode.all).toContain(failure.exitCode)
          expect(failure.exitCode === ExitCode.Auth).toBe(status === 401 || status === 403)
          expect(failure.envelope.error.code).toBe(code)
          expect(failure.envelope.error.request_id).toBe(requestId)
          expect(failure.envelope.idempotency_key).toBe(key)
        }
      )
    )
  })
})

describe("Failure.fromConfigError", () => {
  const configError = (options: HeyGenClient.Options) =>
    Effect.runPromise(
      HeyGenClient.make(options).pipe(
        Effect.flip,
        Effect.provide(FakeHeyGen.layerHttpClient(Effect.runSync(FakeHeyGen.make())))
      )
    )

  it("no key: exit 3, cli_missing_api_key, hinting at --sandbox", async () => {
    const failure = Failure.fromConfigError(await configError({}))
    expect(failure.exitCode).toBe(ExitCode.Auth)
    expect(failure.envelope.error.code).toBe("cli_missing_api_key")
    expect(failure.envelope.error.hint).toContain("--sandbox")
  })

  it("a plain-http remote base URL: exit 2 naming --base-url", async () => {
    const failure = Failure.fromConfigError(await configError({ apiKey: "k", baseUrl: "http://example.com" }))
    expect(failure.exitCode).toBe(ExitCode.Usage)
    expect(failure.envelope.error.param).toBe("--base-url")
  })
})

describe("an unknown event type", () => {
  const count = WebhookEventType.values.length
  // Far from every event type: no "did you mean" (the tests below hold the suggestion).
  const unknownEvent = FastCheck.stringMatching(/^[a-z_]{1,12}\.[a-z_]{1,8}$/).filter((s) =>
    !WebhookEventType.is(s) && WebhookEventType.closest(s) === undefined
  )

  // Through the whole CLI, in-process: core refuses the item before any I/O, and the CLI's message must give the
  // whole set (its size and where to list it), not the first literal core's check happened to try.
  it("says which item, that it must be one of the N HeyGen event types, and where to list them", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.array(FastCheck.constantFrom(...WebhookEventType.values), { maxLength: 4 }),
        unknownEvent,
        FastCheck.nat(),
        async (known, unknown, at) => {
          const i = at % (known.length + 1)
          const events = [...known.slice(0, i), unknown, ...known.slice(i)]
          const out = await runInProcess(
            ["webhook", "endpoints", "create", "--url", "https://example.com/hooks", "--events", events.join(",")],
            // A closed loopback port: nothing may be sent, and nothing could be.
            { env: { HEYGEN_API_KEY: "hg_failure_test_key", HEYGEN_API_BASE: "http://127.0.0.1:9" } }
          )
          expect(out.code).toBe(ExitCode.Usage)
          const e = envelope(out.stderr).error
          expect(e.param).toBe("--events")
          expect(e.message).toBe(
            `events.${i}: ${JSON.stringify(unknown)} is not a HeyGen event type: must be one of the ${count} HeyGen ` +
              "event types (see `effect-heygen webhook event-types list --offline`)"
          )
        }
      ),
      { numRuns: 30 }
    )
  })

  // The sandbox's state file is never made: trigger refuses before it logs the event.
  const sandboxState = NodePath.join(NodeOs.tmpdir(), `effect-heygen-failure-${process.pid}`, "sandbox.json")
  const env = {
    HEYGEN_API_KEY: "hg_failure_test_key",
    HEYGEN_API_BASE: "http://127.0.0.1:9",
    EFFECT_HEYGEN_SANDBOX_STATE: sandboxState
  }
  const typo = "avatar_video.sucess"
  const listing =
    `must be one of the ${count} HeyGen event types (see \`effect-heygen webhook event-types list --offline\`)`

  // Every place the CLI takes an event type: create's and update's --events, events list's --event-type, the
  // events of a -d body, replay's --event-types and sandbox trigger's argument. Nothing is sent (a closed port),
  // exit 2.
  const places: ReadonlyArray<readonly [string, (value: string) => ReadonlyArray<string>, string, string]> = [
    [
      "create --events",
      (v) => ["webhook", "endpoints", "create", "--url", "https://example.com/h", "--events", `avatar_video.fail,${v}`],
      "events.1",
      "--events"
    ],
    ["update --events", (v) => ["webhook", "endpoints", "update", "ep_1", "--events", v], "events.0", "--events"],
    ["events list --event-type", (v) => ["webhook", "events", "list", "--event-type", v], "event_type", "--event-type"],
    [
      "create -d",
      (v) => ["webhook", "endpoints", "create", "-d", JSON.stringify({ url: "https://example.com/h", events: [v] })],
      "events.0",
      "--data"
    ],
    [
      "update -d",
      (v) => ["webhook", "endpoints", "update", "ep_1", "-d", JSON.stringify({ events: [v] })],
      "events.0",
      "--data"
    ],
    [
      "events replay --event-types",
      (v) => ["webhook", "events", "replay", "--since", "1h", "--dry-run", "--event-types", `avatar_video.fail,${v}`],
      "--event-types",
      "--event-types"
    ],
    [
      "sandbox trigger",
      (v) => ["sandbox", "trigger", v, "--forward-to", "http://127.0.0.1:9/hooks"],
      "event_type",
      "event_type"
    ]
  ]

  it.each(places)("%s: a typo is answered with the closest event type", async (_, argv, field, param) => {
    const out = await runInProcess(argv(typo), { env })
    expect(out.code).toBe(ExitCode.Usage)
    const e = envelope(out.stderr).error
    expect(e.param).toBe(param)
    expect(e.message).toBe(
      `${field}: "${typo}" is not a HeyGen event type: did you mean "avatar_video.success"? It ${listing}`
    )
    // Refused before anything is written: sandbox trigger logs no event.
    expect(NodeFs.existsSync(sandboxState)).toBe(false)
  })

  it.each(places)("%s: something far off gets no suggestion", async (_, argv, field) => {
    const out = await runInProcess(argv("invoice.paid"), { env })
    expect(out.code).toBe(ExitCode.Usage)
    expect(envelope(out.stderr).error.message).toBe(`${field}: "invoice.paid" is not a HeyGen event type: ${listing}`)
  })

  it("never echoes a secret given where an event type goes: the API key, or a signing secret", async () => {
    const signing = "whsec_c2VjcmV0IGtleSBieXRlcw=="
    for (const value of [env.HEYGEN_API_KEY, signing, `${signing.slice(0, -2)}xx`]) {
      const out = await runInProcess(
        ["webhook", "endpoints", "create", "--url", "https://example.com/h", "--events", value],
        { env }
      )
      expect(out.code).toBe(ExitCode.Usage)
      expect(envelope(out.stderr).error.message).toContain("is not a HeyGen event type")
      expect(out.stderr).not.toContain(value)
      expect(out.stderr).not.toContain("c2VjcmV0")
    }
  })

  it("keeps core's message for any other field", () => {
    const error = new HeyGenError.ValidationError({ field: "events", message: "events: Expected an array, actual 1" })
    expect(Failure.fromHeyGenError(error).envelope.error.message).toBe(error.message)
  })
})
