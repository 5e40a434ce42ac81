/**
 * End to end: the BUNDLED bin (bin/effect-heygen.cjs, built by `pnpm -r run bundle`) in a child process, against
 * test-utils' fake HeyGen API on a loopback server started by this test. Faults are scripted on the fake.
 */
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import type * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import { Fault, RetryAfter } from "@effect-heygen/test-utils/Fault"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import { argv } from "./argv.js"
import type { FakeApi, Outcome, RunOptions } from "./harness.js"
import {
  envelope,
  envelopeKeys,
  expectEnvelope,
  isAlive,
  reapAll,
  runBin,
  stackTraceLine,
  startBin,
  startFakeApi,
  startNode
} from "./harness.js"

const apiKey = "hg_e2e_3f9d2c7a1b8e4d6f0a5c9b2e7d1f4a8c"

let api: FakeApi
let server: FakeServer.Service
let dir: string
/** Every stdout and stderr of every run, checked at the end for the API key. */
const outputs: Array<string> = []

beforeAll(async () => {
  api = await startFakeApi([FakeHeyGen.sandboxApiKey, apiKey], "e2e")
  server = api.server
  dir = api.dir
})

afterAll(async () => {
  // No spawned bin may outlive this file: every run ends by itself, or the harness stops it and fails the test.
  expect(await reapAll(), "bins still running after the tests").toBe(0)
  await api.close()
})

const record = (out: Outcome): Outcome => {
  outputs.push(out.stdout, out.stderr)
  return out
}

const run = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  runBin(args, {
    cwd: dir,
    ...options,
    env: {
      HEYGEN_API_KEY: apiKey,
      HEYGEN_API_BASE: server.baseUrl,
      // Random argv may say --sandbox: its saved state goes to this test's folder, never the user's cache.
      EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json"),
      ...options.env
    }
  }).then(record)

const create = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  run(["webhook", "endpoints", "create", ...args], options)

const stored = (url: string) =>
  Effect.runPromise(server.fake.endpoints()).then((all) => all.filter((e) => e.url === url))
const requestCount = () => Effect.runPromise(server.fake.exchanges).then((all) => all.length)
const faults = (...plan: Array<Fault | null>) => Effect.runPromise(server.fake.enqueueFaults(plan))

let n = 0
/** A fresh URL per test, so that tests never conflict with each other's endpoints. */
const freshUrl = () => `https://example.com/hooks/e2e-${++n}`

describe("webhook endpoints create (bundled bin)", () => {
  it("prints the created endpoint as JSON, secret included", async () => {
    const url = freshUrl()
    const out = await create(["--url", url, "--events", "avatar_video.success"])
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toBe("")
    const printed = JSON.parse(out.stdout)
    const [endpoint] = await stored(url)
    expect(printed.data).toMatchObject({ url, events: ["avatar_video.success"], endpoint_id: endpoint!.endpoint_id })
    expect(printed.data.secret).toBe(endpoint!.secret)
    expect(printed.idempotency_key).toBe(endpoint!.idempotencyKey)
  })

  it("--human shows the secret once with a line telling the user to store it", async () => {
    const url = freshUrl()
    const out = await create(["--url", url, "--human"])
    expect(out.code, out.stderr).toBe(0)
    const [endpoint] = await stored(url)
    expect(out.stdout).toContain(`Signing secret: ${endpoint!.secret}`)
    expect(out.stdout.split(endpoint!.secret).length - 1).toBe(1)
    expect(out.stdout).toMatch(/Store this secret now/)
  })

  it("reads --data - from stdin; flags override its fields; --events is repeatable and comma-separated", async () => {
    const url = freshUrl()
    const stdin = JSON.stringify({ url, events: ["avatar_video.fail"], entity_id: "from-data" })
    const out = await create(
      ["-d", "-", "--events", "video_agent.success,video_agent.fail", "--events", "avatar_video.success"],
      { stdin }
    )
    expect(out.code, out.stderr).toBe(0)
    const [endpoint] = await stored(url)
    expect(endpoint!.events).toEqual(["video_agent.success", "video_agent.fail", "avatar_video.success"])
    expect(endpoint!.entity_id).toBe("from-data")
  })

  it("reads --data from a file", async () => {
    const url = freshUrl()
    const file = NodePath.join(dir, "body.json")
    NodeFs.writeFileSync(file, JSON.stringify({ url }))
    const out = await create(["--data", "body.json", "--entity-id", "flag-wins"])
    expect(out.code, out.stderr).toBe(0)
    expect((await stored(url))[0]!.entity_id).toBe("flag-wins")
  })

  it("runs the README main job: a create against the built-in sandbox, with no key in the environment", async () => {
    const out = await runBin(["webhook", "endpoints", "create", "--sandbox", "--url", "https://example.com/hooks"], {
      env: { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json") }
    }).then(record)
    expect(out.code, out.stderr).toBe(0)
    expect(JSON.parse(out.stdout).data.secret).toMatch(/^whsec_/)
  })
})

describe("errors: exit code and stderr envelope", () => {
  const local = [
    ["a URL that is not https", ["--url", "http://example.com/x"], "cli_invalid_input", "--url"],
    [
      "an unknown event type",
      ["--url", "https://example.com/x", "--events", "nope.nope"],
      "cli_invalid_input",
      "--events"
    ],
    ["a bad --timeout", ["--url", "https://example.com/x", "--timeout", "soon"], "cli_invalid_flag", "--timeout"],
    [
      "a bad --max-retries",
      ["--url", "https://example.com/x", "--max-retries", "-3"],
      "cli_invalid_flag",
      "--max-retries"
    ],
    ["an unknown flag", ["--url", "https://example.com/x", "--colour"], "cli_usage", "--colour"],
    ["a --data body that is not JSON", ["-d", "{nope"], "cli_invalid_data", "--data"],
    [
      "a --data body with an unknown key",
      ["-d", "{\"url\":\"https://example.com/x\",\"foo\":1}"],
      "cli_invalid_input",
      "--data"
    ],
    [
      "a bad --idempotency-key",
      ["--url", "https://example.com/x", "--idempotency-key", "has space"],
      "cli_invalid_input",
      "--idempotency-key"
    ],
    [
      "a remote plain-http --base-url",
      ["--url", "https://example.com/x", "--base-url", "http://example.com"],
      "cli_invalid_config",
      "--base-url"
    ]
  ] as const

  it.each(local)("%s: exit 2 naming the flag, nothing sent", async (_, args, code, param) => {
    const before = await requestCount()
    const e = expectEnvelope(await create(args), ExitCode.Usage)
    expect(e.error.code).toBe(code)
    expect(e.error.param).toBe(param)
    expect(await requestCount()).toBe(before)
  })

  it("a wrong API key: exit 3, authentication_failed", async () => {
    const e = expectEnvelope(
      await create(["--url", freshUrl(), "--api-key", "hg_wrong_key_0123456789abcdef"]),
      ExitCode.Auth
    )
    expect(e.error.code).toBe("authentication_failed")
    expect(e.error.hint).toMatch(/HEYGEN_API_KEY/)
  })

  it("no API key at all: exit 3, cli_missing_api_key", async () => {
    const e = expectEnvelope(await create(["--url", freshUrl()], { env: { HEYGEN_API_KEY: "" } }), ExitCode.Auth)
    expect(e.error.code).toBe("cli_missing_api_key")
  })

  it("a 403: exit 3", async () => {
    await faults(Fault.ServerError({ status: 403, body: "json" }))
    const e = expectEnvelope(await create(["--url", freshUrl(), "--max-retries", "0"]), ExitCode.Auth)
    expect(e.error.request_id).toMatch(/^req_/)
  })

  it("a conflict: exit 1, the hint says an endpoint with this URL exists", async () => {
    const url = freshUrl()
    expect((await create(["--url", url])).code).toBe(0)
    const e = expectEnvelope(await create(["--url", url]), ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("conflict")
    expect(e.error.hint).toMatch(/already exists/)
    expect(e.idempotency_key).not.toBeNull()
  })

  it("a 500 with retries off: exit 1 with the request id and the key to repeat with", async () => {
    await faults(Fault.ServerError({ status: 500, body: "json" }))
    const e = expectEnvelope(await create(["--url", freshUrl(), "--max-retries", "0"]), ExitCode.ApiOrNetwork)
    expect(e.error.request_id).toMatch(/^req_/)
    expect(e.error.hint).toContain(`--idempotency-key ${e.idempotency_key}`)
  })

  it("a proxy's HTML 502: exit 1, cli_unexpected_response", async () => {
    await faults(Fault.ServerError({ status: 502, body: "html" }))
    const e = expectEnvelope(await create(["--url", freshUrl(), "--max-retries", "0"]), ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("cli_unexpected_response")
  })

  it("a dropped connection: exit 1, cli_network_error, hint to repeat with the key", async () => {
    await faults(Fault.DropBeforeCommit())
    const e = expectEnvelope(await create(["--url", freshUrl(), "--max-retries", "0"]), ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("cli_network_error")
    expect(e.error.hint).toContain(`--idempotency-key ${e.idempotency_key}`)
  })

  it("a slow API past --timeout: exit 4, cli_timeout", async () => {
    await faults(Fault.Slow({ delay: "5 seconds" }))
    const e = expectEnvelope(
      await create(["--url", freshUrl(), "--timeout", "300ms", "--max-retries", "0"]),
      ExitCode.Timeout
    )
    expect(e.error.code).toBe("cli_timeout")
    expect(e.idempotency_key).not.toBeNull()
  })

  it("a 429 whose Retry-After exceeds the ceiling: exit 1, rate_limit_exceeded, hint with the wait", async () => {
    await faults(Fault.RateLimit({ retryAfter: RetryAfter.Seconds({ seconds: 120 }) }))
    const e = expectEnvelope(await create(["--url", freshUrl()]), ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("rate_limit_exceeded")
    expect(e.error.hint).toMatch(/wait 2m/)
  })
})

describe("retries and idempotency", () => {
  it("a 429 followed by success: exit 0 after waiting Retry-After, one endpoint", async () => {
    const url = freshUrl()
    const before = await requestCount()
    await faults(Fault.RateLimit({ retryAfter: RetryAfter.Seconds({ seconds: 1 }) }))
    const start = Date.now()
    const out = await create(["--url", url])
    expect(out.code, out.stderr).toBe(0)
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000)
    expect(await requestCount()).toBe(before + 2)
    expect(await stored(url)).toHaveLength(1)
  })

  it("a lost response is retried with the same key and replayed: one endpoint", async () => {
    const url = freshUrl()
    await faults(Fault.DropAfterCommit())
    const out = await create(["--url", url])
    expect(out.code, out.stderr).toBe(0)
    const [endpoint, ...rest] = await stored(url)
    expect(rest).toHaveLength(0)
    expect(JSON.parse(out.stdout).data.endpoint_id).toBe(endpoint!.endpoint_id)
  })

  it("a lost response, then the user repeats with --idempotency-key: replayed, not created twice", async () => {
    const url = freshUrl()
    await faults(Fault.DropAfterCommit())
    const first = expectEnvelope(await create(["--url", url, "--max-retries", "0"]), ExitCode.ApiOrNetwork)
    const key = first.idempotency_key!
    expect(await stored(url)).toHaveLength(1)
    const again = await create(["--url", url, "--idempotency-key", key])
    expect(again.code, again.stderr).toBe(0)
    const [endpoint, ...rest] = await stored(url)
    expect(rest).toHaveLength(0)
    expect(JSON.parse(again.stdout).data).toMatchObject({
      endpoint_id: endpoint!.endpoint_id,
      secret: endpoint!.secret
    })
  })
})

describe("--secret-file", () => {
  it("writes the secret with mode 0600 and leaves it out of stdout", async () => {
    const url = freshUrl()
    const out = await create(["--url", url, "--secret-file", "s1"])
    expect(out.code, out.stderr).toBe(0)
    const [endpoint] = await stored(url)
    const file = NodePath.join(dir, "s1")
    expect(NodeFs.statSync(file).mode & 0o777).toBe(0o600)
    expect(NodeFs.readFileSync(file, "utf8")).toBe(endpoint!.secret)
    expect(out.stdout).not.toContain(endpoint!.secret)
    expect(JSON.parse(out.stdout)).toMatchObject({ secret_file: "s1" })
    expect(NodeFs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })

  it("refuses an existing file before sending anything; --force replaces it", async () => {
    const file = NodePath.join(dir, "s2")
    NodeFs.writeFileSync(file, "keep me")
    const before = await requestCount()
    const e = expectEnvelope(await create(["--url", freshUrl(), "--secret-file", "s2"]), ExitCode.Usage)
    expect(e.error.code).toBe("cli_secret_file_exists")
    expect(await requestCount()).toBe(before)
    expect(NodeFs.readFileSync(file, "utf8")).toBe("keep me")

    const url = freshUrl()
    const forced = await create(["--url", url, "--secret-file", "s2", "--force"])
    expect(forced.code, forced.stderr).toBe(0)
    expect(NodeFs.readFileSync(file, "utf8")).toBe((await stored(url))[0]!.secret)
  })

  it("when the file cannot be written: exit 2 before the request, nothing created (the secret is shown once)", async () => {
    const url = freshUrl()
    const out = await create(["--url", url, "--secret-file", "no-such-dir/secret"])
    expect(out.code).toBe(2)
    expect(envelope(out.stderr).error.code).toBe("cli_secret_file_unwritable")
    expect(out.stdout).toBe("")
    expect(await stored(url)).toEqual([])
  })
})

describe("other commands", () => {
  it("--help, --version and webhook event-types list --offline work offline", async () => {
    const help = await runBin(["webhook", "endpoints", "create", "--help"]).then(record)
    expect(help.code).toBe(0)
    expect(help.stdout).not.toContain("A user-defined piece of text.")
    expect(help.stdout).toContain("\n  effect-heygen webhook endpoints create [flags]\n")
    for (
      const flag of ["--url", "--events", "--data", "--idempotency-key", "--secret-file", "--sandbox", "--timeout"]
    ) {
      expect(help.stdout).toContain(flag)
    }
    const version = await runBin(["--version"]).then(record)
    expect(version.stdout.trim()).toBe("0.1.0")
    const list = await runBin(["webhook", "event-types", "list", "--offline"]).then(record)
    expect(JSON.parse(list.stdout).data.map((t: { event_type: string }) => t.event_type)).toEqual(
      WebhookEventType.values
    )
  })

  it("sandbox serve prints a base URL and key that work, and stops cleanly on Ctrl-C", async () => {
    const serve = startBin(["sandbox", "serve"], {
      env: { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(NodeOs.tmpdir(), `eh-serve-${process.pid}.json`) }
    })
    const { api_key, base_url } = JSON.parse(await serve.line(/^\{/))
    expect(base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const created = await runBin(["webhook", "endpoints", "create", "--url", "https://example.com/served"], {
      env: { HEYGEN_API_KEY: api_key, HEYGEN_API_BASE: base_url }
    })
    expect(created.code, created.stderr).toBe(0)
    expect(await serve.stop("SIGINT")).toEqual({ killed: false })
    const out = await serve.closed
    expect(out.code).toBe(0)
    expect(out.stderr).toBe("")
  })
})

/** Whether something still accepts connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = NodeNet.connect(port, "127.0.0.1")
    socket.once("connect", () => (socket.destroy(), resolve(true)))
    socket.once("error", () => resolve(false))
  })

describe("sandbox serve ends on a signal", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s: exit 0, port released, no process left", async (signal) => {
    const serve = startBin(["sandbox", "serve", "--human"], { env: {} })
    const line = await serve.line(/listening on/)
    const port = Number(/:(\d+)\s*$/.exec(line)?.[1])
    expect(await listening(port)).toBe(true)
    expect(await serve.stop(signal), `${signal} was not enough`).toEqual({ killed: false })
    const out = await serve.closed
    expect({ code: out.code, signal: out.signal }).toEqual({ code: 0, signal: null })
    expect(out.stderr).toBe("")
    expect(isAlive(serve.pid)).toBe(false)
    expect(await listening(port)).toBe(false)
  })

  it("the harness kills a process that ignores SIGINT once the grace period is over", async () => {
    const stubborn = startNode([
      "-e",
      "process.on('SIGINT', () => {}); setInterval(() => {}, 1000); console.log('ready')"
    ])
    await stubborn.line(/^ready$/)
    expect(await stubborn.stop("SIGINT")).toEqual({ killed: true })
    expect((await stubborn.closed).signal).toBe("SIGKILL")
    expect(isAlive(stubborn.pid)).toBe(false)
  })

  it("a run that would never end is stopped by the harness and fails, leaving no process", async () => {
    const error = await runBin(["sandbox", "serve"], { env: {}, timeoutMs: 6_000 }).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(/still running after 6000 ms: sent SIGINT/)
    expect(error?.message).toContain("base_url")
    expect(await reapAll(), "processes left behind").toBe(0)
  })
})

describe("the bin holds the same laws as Main.run", () => {
  // A few spawned runs only (0.2 s each): the 300-run property is in Main.test.ts, in-process, through the very
  // function the bin calls. These check that the bin adds no stack trace or exit code of its own.
  it("random argv: exit code in 0-4, no stack trace, envelope on failure", async () => {
    // A well-formed `sandbox serve` runs until Ctrl-C, which this harness never sends (its own test stops it).
    const finite = argv({ loopback: server.baseUrl, apiKey }).filter((a) => !(a[0] === "sandbox" && a[1] === "serve"))
    await FastCheck.assert(
      FastCheck.asyncProperty(finite, async (args) => {
        const out = await run(args, { timeoutMs: 15_000 })
        expect(ExitCode.all).toContain(out.code)
        expect(out.stdout + out.stderr).not.toMatch(stackTraceLine)
        if (out.code !== 0) expect(Object.keys(envelope(out.stderr).error)).toEqual(envelopeKeys)
      }),
      { numRuns: 8 }
    )
    // Eight runs of about a second each on a loaded machine; a run that hangs is stopped by the harness at 15 + 3 s.
  }, 120_000)

  it("never prints the API key (checked over every output of this file)", () => {
    expect(outputs.length).toBeGreaterThan(40)
    for (const text of outputs) expect(text).not.toContain(apiKey)
  })
})
