/**
 * End to end for every command after create: the BUNDLED bin in a child process against test-utils' fake HeyGen
 * API on a loopback server started here. Endpoints are seeded through core in this process (cheap), and every
 * command is run as a user would run it. Spawns are slow on a shared machine: each test asserts several things
 * per run, and timeouts are generous.
 */
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import type * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import { Fault } from "@effect-heygen/test-utils/Fault"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import { spawn, spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import type { FakeApi, Outcome, RunOptions } from "./harness.js"
import { bin, expectEnvelope, reapAll, runBin, stackTraceLine, startFakeApi, track } from "./harness.js"

const apiKey = "hg_e2e_resource_8c1f0a2b9d7e4f6a3b5c"

let api: FakeApi
let server: FakeServer.Service
let dir: string
const outputs: Array<string> = []

beforeAll(async () => {
  api = await startFakeApi([apiKey], "e2e-resource")
  server = api.server
  dir = api.dir
})

afterAll(async () => {
  // No process this file spawned may outlive it: bins, the shell pipeline and the pseudo-terminal alike.
  expect(await reapAll(), "processes still running after the tests").toBe(0)
  await api.close()
})

const record = (out: Outcome): Outcome => {
  outputs.push(out.stdout, out.stderr)
  return out
}

const baseEnv = () => ({
  HEYGEN_API_KEY: apiKey,
  HEYGEN_API_BASE: server.baseUrl,
  TZ: "UTC",
  EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json")
})

const run = (args: ReadonlyArray<string>, options: RunOptions = {}) =>
  runBin(args, { cwd: dir, ...options, env: { ...baseEnv(), ...options.env } }).then(record)

const endpoints = (...args: ReadonlyArray<string>) => run(["webhook", "endpoints", ...args])

/** Seeds endpoints through core, in this process. */
const seed = (urls: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.forEach(urls, (url) => WebhookEndpoints.create({ url }), { concurrency: 1 }).pipe(
      Effect.map((results) => results.map((r) => r.endpoint.endpoint_id)),
      Effect.provide(HeyGenClient.layer({ apiKey, baseUrl: server.baseUrl, maxRetries: 0 })),
      Effect.provide(NodeHttpClient.layer)
    )
  )

const stored = () => Effect.runPromise(server.fake.endpoints(apiKey))
const requestCount = () => Effect.runPromise(server.fake.exchanges).then((all) => all.length)
const faults = (...plan: Array<Fault | null>) => Effect.runPromise(server.fake.enqueueFaults(plan))

let n = 0
const freshUrl = () => `https://example.com/hooks/resource-${++n}`

describe("webhook endpoints list", () => {
  it("prints one page as {data, has_more, next_token}; --token fetches the next; secrets are null", async () => {
    await seed([freshUrl(), freshUrl(), freshUrl()])
    const first = await endpoints("list", "--limit", "2")
    expect(first.code, first.stderr).toBe(0)
    const page = JSON.parse(first.stdout)
    expect(Object.keys(page)).toEqual(["data", "has_more", "next_token"])
    expect(page.data).toHaveLength(2)
    expect(page.has_more).toBe(true)
    for (const e of page.data) expect(e.secret).toBeNull()
    const second = JSON.parse((await endpoints("list", "--limit", "2", "--token", page.next_token)).stdout)
    const ids = [...page.data, ...second.data].map((e: { endpoint_id: string }) => e.endpoint_id)
    expect(new Set(ids).size).toBe(ids.length)
  }, 30_000)

  it("--human prints an aligned table with times in the local zone", async () => {
    await seed([freshUrl(), freshUrl(), freshUrl()])
    const out = await endpoints("list", "--human", "--limit", "2")
    expect(out.code, out.stderr).toBe(0)
    const [header, ...rows] = out.stdout.trimEnd().split("\n").filter((l) => l !== "" && !l.startsWith("More:"))
    expect(header).toMatch(/^ENDPOINT ID +URL +EVENTS +STATUS +CREATED$/)
    const at = header!.indexOf("URL")
    for (const row of rows) {
      expect(row[at - 1]).toBe(" ")
      expect(row).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
    }
    expect(out.stdout).toMatch(/More: effect-heygen webhook endpoints list --token \S+/)
  }, 30_000)

  it("--all streams every page (more than three) as NDJSON, one endpoint per line", async () => {
    await seed(Array.from({ length: 6 }, freshUrl))
    const all = await stored()
    const before = await requestCount()
    const out = await endpoints("list", "--all", "--limit", "2")
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toBe("") // not a terminal: no progress line
    const lines = out.stdout.trimEnd().split("\n").map((l) => JSON.parse(l))
    expect(lines.map((e) => e.endpoint_id).sort()).toEqual(all.map((e) => e.endpoint_id).sort())
    for (const e of lines) expect(e.secret).toBeNull()
    expect((await requestCount()) - before).toBe(Math.ceil(all.length / 2))
    expect(Math.ceil(all.length / 2)).toBeGreaterThan(3)
  }, 30_000)

  it("`--all | head -1` exits 0 with one line and no EPIPE trace", async () => {
    await seed([freshUrl(), freshUrl(), freshUrl()])
    // The pages after the first are slow, so head has long closed the pipe when they are printed.
    await faults(null, Fault.Slow({ delay: "400 millis" }), Fault.Slow({ delay: "400 millis" }))
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = track(spawn(
        "bash",
        ["-c", `set -o pipefail; "${process.execPath}" "${bin}" webhook endpoints list --all --limit 1 | head -1`],
        { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...baseEnv() } }
      ))
      let stdout = ""
      let stderr = ""
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
      child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s))
      child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s))
      child.on("error", reject)
      child.on("close", (code) => {
        clearTimeout(timer)
        resolve({ code, stdout, stderr })
      })
    })
    await Effect.runPromise(server.fake.clearFaults)
    outputs.push(out.stdout, out.stderr)
    expect(out.stderr).toBe("")
    expect(out.code).toBe(0)
    expect(out.stdout.trimEnd().split("\n")).toHaveLength(1)
    expect(JSON.parse(out.stdout).endpoint_id).toMatch(/\S/)
  }, 40_000)

  it(
    "errors: a bad --limit is exit 2 with nothing sent; a wrong key exit 3; a slow API past --timeout exit 4",
    async () => {
      const before = await requestCount()
      const bad = expectEnvelope(await endpoints("list", "--limit", "101"), ExitCode.Usage)
      expect(bad.error).toMatchObject({ code: "cli_invalid_flag", param: "--limit" })
      expect(await requestCount()).toBe(before)
      const auth = expectEnvelope(
        await endpoints("list", "--api-key", "hg_wrong_key_0123456789abcdef"),
        ExitCode.Auth
      )
      expect(auth.error.code).toBe("authentication_failed")
      await faults(Fault.Slow({ delay: "5 seconds" }))
      const slow = expectEnvelope(await endpoints("list", "--timeout", "300ms", "--max-retries", "0"), ExitCode.Timeout)
      expect(slow.error.code).toBe("cli_timeout")
      expect(slow.idempotency_key).toBeNull()
      await Effect.runPromise(server.fake.clearFaults)
    },
    40_000
  )
})

describe("webhook endpoints update", () => {
  it("--events replaces the list; --human shows the result; JSON by default", async () => {
    const [id] = await seed([freshUrl()])
    const out = await endpoints("update", id!, "--events", "avatar_video.success,avatar_video.fail")
    expect(out.code, out.stderr).toBe(0)
    expect(JSON.parse(out.stdout).data).toMatchObject({
      endpoint_id: id,
      events: ["avatar_video.success", "avatar_video.fail"]
    })
    const human = await endpoints("update", id!, "--events", "video_agent.success", "--human")
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`^Updated webhook endpoint ${id}`))
    expect((await stored()).find((e) => e.endpoint_id === id)!.events).toEqual(["video_agent.success"])
  }, 30_000)

  it("with neither --url nor --events: exit 2, nothing sent; an unknown id: exit 1, not_found", async () => {
    const before = await requestCount()
    const none = expectEnvelope(await endpoints("update", "ep_whatever"), ExitCode.Usage)
    expect(none.error.code).toBe("cli_usage")
    expect(await requestCount()).toBe(before)
    const missing = expectEnvelope(
      await endpoints("update", "ep_does_not_exist", "--url", freshUrl()),
      ExitCode.ApiOrNetwork
    )
    expect(missing.error.code).toBe("not_found")
    expect(missing.error.hint).toContain("effect-heygen webhook endpoints list")
  }, 30_000)
})

describe("webhook endpoints delete", () => {
  it(
    "off a terminal, refuses without --force (exit 2, nothing sent); with --force deletes; again: not_found",
    async () => {
      const [id] = await seed([freshUrl()])
      const before = await requestCount()
      const refused = expectEnvelope(await endpoints("delete", id!), ExitCode.Usage)
      expect(refused.error).toMatchObject({ code: "cli_confirmation_required", param: "--force" })
      expect(refused.error.hint).toContain("--force")
      expect(await requestCount()).toBe(before)

      const out = await endpoints("delete", id!, "--force")
      expect(out.code, out.stderr).toBe(0)
      expect(JSON.parse(out.stdout)).toMatchObject({ deleted: true, endpoint_id: id, already_gone: false })
      expect((await stored()).some((e) => e.endpoint_id === id)).toBe(false)

      const again = expectEnvelope(await endpoints("delete", id!, "--force", "--human"), ExitCode.ApiOrNetwork)
      expect(again.error.code).toBe("not_found")
    },
    30_000
  )
})

/** Runs the bin on a pseudo-terminal (util-linux `script`), answering its question once it is asked. */
const onTerminal = (args: ReadonlyArray<string>, answer: string) =>
  new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const command = [process.execPath, bin, ...args].map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ")
    const child = track(spawn("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...baseEnv() }
    }))
    let output = ""
    let answered = false
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      output += s
      if (!answered && output.includes("y/N")) {
        answered = true
        child.stdin.write(`${answer}\n`)
      }
    })
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

const hasScript = spawnSync("script", ["-qec", "true", "/dev/null"]).status === 0

describe("webhook endpoints delete on a terminal", () => {
  it.skipIf(!hasScript)("asks, naming the endpoint: n keeps it (exit 2), y deletes it", async () => {
    const [id] = await seed([freshUrl()])
    const no = await onTerminal(["webhook", "endpoints", "delete", id!], "n")
    outputs.push(no.output)
    expect(no.output).toContain(`Delete webhook endpoint ${id}?`)
    expect(no.code).toBe(ExitCode.Usage)
    expect(no.output).toContain("cli_not_confirmed")
    expect((await stored()).some((e) => e.endpoint_id === id)).toBe(true)
    const yes = await onTerminal(["webhook", "endpoints", "delete", id!], "y")
    outputs.push(yes.output)
    expect(yes.code, yes.output).toBe(0)
    expect(yes.output).not.toMatch(stackTraceLine)
    expect((await stored()).some((e) => e.endpoint_id === id)).toBe(false)
  }, 60_000)
})

describe("webhook endpoints rotate-secret", () => {
  it("prints the new secret (the one HeyGen now holds); --secret-file writes it 0600 instead", async () => {
    const [id] = await seed([freshUrl()])
    const old = (await stored()).find((e) => e.endpoint_id === id)!.secret
    const out = await endpoints("rotate-secret", id!)
    expect(out.code, out.stderr).toBe(0)
    const printed = JSON.parse(out.stdout)
    const now = (await stored()).find((e) => e.endpoint_id === id)!.secret
    expect(now).not.toBe(old)
    expect(printed.data).toEqual({ endpoint_id: id, secret: now })
    expect(printed.idempotency_key).toMatch(/\S/)

    const human = await endpoints("rotate-secret", id!, "--secret-file", "rotated", "--human")
    expect(human.code, human.stderr).toBe(0)
    const file = NodePath.join(dir, "rotated")
    const latest = (await stored()).find((e) => e.endpoint_id === id)!.secret
    expect(NodeFs.readFileSync(file, "utf8")).toBe(latest)
    expect(NodeFs.statSync(file).mode & 0o777).toBe(0o600)
    expect(human.stdout).not.toContain(latest)
    expect(human.stdout).toContain("written to rotated")

    // A file that cannot be written: refused before the request (HeyGen would not show the new secret again).
    const unwritable = await endpoints("rotate-secret", id!, "--secret-file", "no-such-dir/secret")
    expect(unwritable.code, unwritable.stderr).toBe(2)
    expect(JSON.parse(unwritable.stderr.trim()).error.code).toBe("cli_secret_file_unwritable")
    expect((await stored()).find((e) => e.endpoint_id === id)!.secret).toBe(latest)
  }, 30_000)

  it(
    "an unknown id: exit 1, not_found, with the key used; an existing --secret-file: exit 2, nothing sent",
    async () => {
      const missing = expectEnvelope(await endpoints("rotate-secret", "ep_nope"), ExitCode.ApiOrNetwork)
      expect(missing.error.code).toBe("not_found")
      expect(missing.idempotency_key).toMatch(/\S/)
      NodeFs.writeFileSync(NodePath.join(dir, "keep"), "keep me")
      const before = await requestCount()
      const exists = expectEnvelope(
        await endpoints("rotate-secret", "ep_nope", "--secret-file", "keep"),
        ExitCode.Usage
      )
      expect(exists.error.code).toBe("cli_secret_file_exists")
      expect(await requestCount()).toBe(before)
    },
    30_000
  )
})

describe("webhook event-types list", () => {
  it("lists types with descriptions from the API; --human is a table; --offline needs no key", async () => {
    const out = await run(["webhook", "event-types", "list"])
    expect(out.code, out.stderr).toBe(0)
    const data = JSON.parse(out.stdout).data
    expect(data.length).toBeGreaterThanOrEqual(25)
    for (const t of data) expect(Object.keys(t).sort()).toEqual(["description", "event_type"])
    const human = await run(["webhook", "event-types", "list", "--human"])
    expect(human.stdout.split("\n")[0]).toMatch(/^EVENT TYPE +DESCRIPTION$/)
    const offline = await runBin(["webhook", "event-types", "list", "--offline"]).then(record)
    expect(offline.code, offline.stderr).toBe(0)
    expect(JSON.parse(offline.stdout).data.map((t: { event_type: string }) => t.event_type)).toContain(
      "avatar_video.success"
    )
  }, 30_000)
})

describe("webhook events list", () => {
  it(
    "filters by --event-type and --entity-id; --all over pages; --human table; an unknown type is exit 2",
    async () => {
      const record = (eventType: string, entityId: string) =>
        Effect.runPromise(
          server.fake.recordEvent({ account: apiKey, eventType, entityId, eventData: { video_id: entityId } })
        )
      for (let i = 0; i < 5; i++) await record("avatar_video.fail", "v_1")
      await record("avatar_video.success", "v_1")
      await record("avatar_video.fail", "v_2")
      const page = await run([
        "webhook",
        "events",
        "list",
        "--event-type",
        "avatar_video.fail",
        "--entity-id",
        "v_1",
        "--limit",
        "2"
      ])
      expect(page.code, page.stderr).toBe(0)
      const parsed = JSON.parse(page.stdout)
      expect(Object.keys(parsed)).toEqual(["data", "has_more", "next_token"])
      expect(parsed.data).toHaveLength(2)
      expect(parsed.data[0]).toMatchObject({ event_type: "avatar_video.fail", event_data: { video_id: "v_1" } })

      const all = await run([
        "webhook",
        "events",
        "list",
        "--event-type",
        "avatar_video.fail",
        "--entity-id",
        "v_1",
        "--limit",
        "1",
        "--all"
      ])
      expect(all.code, all.stderr).toBe(0)
      const lines = all.stdout.trimEnd().split("\n").map((l) => JSON.parse(l))
      expect(lines).toHaveLength(5)
      expect(new Set(lines.map((e) => e.event_id)).size).toBe(5)

      const human = await run(["webhook", "events", "list", "--entity-id", "v_2", "--human"])
      expect(human.stdout).toMatch(
        /^EVENT ID +EVENT TYPE +CREATED +DATA\n\S+ +avatar_video\.fail +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +\{"video_id":"v_2"\}/
      )

      const before = await requestCount()
      const bad = expectEnvelope(await run(["webhook", "events", "list", "--event-type", "nope.nope"]), ExitCode.Usage)
      expect(bad.error.param).toBe("--event-type")
      const badId = expectEnvelope(await endpoints("delete", "a/b", "--force"), ExitCode.Usage)
      expect(badId.error.param).toBe("<endpoint-id>")
      expect(await requestCount()).toBe(before)
    },
    40_000
  )
})

describe("every command maps authentication failures, timeouts and server errors", () => {
  const commands: ReadonlyArray<ReadonlyArray<string>> = [
    ["webhook", "endpoints", "update", "ep_x", "--url", "https://example.com/x"],
    ["webhook", "endpoints", "delete", "ep_x", "--force"],
    ["webhook", "endpoints", "rotate-secret", "ep_x"],
    ["webhook", "event-types", "list"],
    ["webhook", "events", "list"]
  ]

  it.each(commands.map((c) => [c.slice(1, 3).join(" "), c] as const))(
    "%s: a wrong key is exit 3; a slow API past --timeout exit 4; a 500 exit 1 with a hint to repeat",
    async (_, command) => {
      const auth = expectEnvelope(await run([...command, "--api-key", "hg_wrong_key_0123456789abcdef"]), ExitCode.Auth)
      expect(auth.error.code).toBe("authentication_failed")
      await faults(Fault.Slow({ delay: "5 seconds" }))
      const slow = expectEnvelope(await run([...command, "--timeout", "300ms", "--max-retries", "0"]), ExitCode.Timeout)
      expect(slow.error.code).toBe("cli_timeout")
      await Effect.runPromise(server.fake.clearFaults)
      await faults(Fault.ServerError({ status: 500, body: "json" }))
      const failed = expectEnvelope(await run([...command, "--max-retries", "0"]), ExitCode.ApiOrNetwork)
      expect(failed.error.request_id).toMatch(/^req_/)
      expect(failed.error.hint).toMatch(/repeat/)
      await Effect.runPromise(server.fake.clearFaults)
    },
    60_000
  )
})

describe("the sandbox keeps its state between commands", () => {
  it("create, list, update, rotate-secret, delete, reset: one session across processes", async () => {
    const env = {
      HEYGEN_API_KEY: "",
      HEYGEN_API_BASE: "",
      EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "session.json")
    }
    const sb = (...args: ReadonlyArray<string>) => run([...args, "--sandbox"], { env })
    const created = await sb("webhook", "endpoints", "create", "--url", "https://example.com/sandbox-session")
    expect(created.code, created.stderr).toBe(0)
    const id = JSON.parse(created.stdout).data.endpoint_id
    expect(NodeFs.statSync(env.EFFECT_HEYGEN_SANDBOX_STATE).mode & 0o777).toBe(0o600)

    const listed = JSON.parse((await sb("webhook", "endpoints", "list")).stdout)
    expect(listed.data.map((e: { endpoint_id: string }) => e.endpoint_id)).toEqual([id])

    const updated = await sb("webhook", "endpoints", "update", id, "--events", "avatar_video.fail")
    expect(JSON.parse(updated.stdout).data.events).toEqual(["avatar_video.fail"])
    const rotated = await sb("webhook", "endpoints", "rotate-secret", id)
    expect(JSON.parse(rotated.stdout).data.secret).not.toBe(JSON.parse(created.stdout).data.secret)
    const deleted = await sb("webhook", "endpoints", "delete", id, "--force")
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: true, endpoint_id: id })
    expect(JSON.parse((await sb("webhook", "endpoints", "list")).stdout).data).toEqual([])

    await sb("webhook", "endpoints", "create", "--url", "https://example.com/sandbox-session")
    const reset = await run(["sandbox", "reset"], { env })
    expect(reset.code, reset.stderr).toBe(0)
    expect(NodeFs.existsSync(env.EFFECT_HEYGEN_SANDBOX_STATE)).toBe(false)
    expect(JSON.parse((await sb("webhook", "endpoints", "list")).stdout).data).toEqual([])
  }, 60_000)

  it("a corrupt state file is reported with a hint to reset (exit 1), and reset recovers", async () => {
    const file = NodePath.join(dir, "corrupt.json")
    NodeFs.writeFileSync(file, "{ not json")
    const env = { EFFECT_HEYGEN_SANDBOX_STATE: file }
    const e = expectEnvelope(await run(["webhook", "endpoints", "list", "--sandbox"], { env }), ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("cli_sandbox_state")
    expect(e.error.hint).toContain("effect-heygen sandbox reset")
    expect((await run(["sandbox", "reset"], { env })).code).toBe(0)
    expect((await run(["webhook", "endpoints", "list", "--sandbox"], { env })).code).toBe(0)
  }, 30_000)
})

describe("secrets", () => {
  it("the API key is never printed (checked over every output of this file)", () => {
    expect(outputs.length).toBeGreaterThan(20)
    for (const text of outputs) expect(text).not.toContain(apiKey)
  })
})
