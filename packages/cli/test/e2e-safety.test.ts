/**
 * The CLI's side of issue 25, through the BUNDLED bin: secret files that would verify forgeries or refuse every
 * genuine delivery are refused naming the line; a refused `sandbox trigger` logs nothing; a secret file that
 * cannot be written stops create and rotate-secret before the request; a receiver's 404 or 405 is not retried;
 * errors and hints name what the user typed; replay's `--human` rows line up; `sandbox serve` serves the state
 * the `--sandbox` commands keep, and core's `catchUp` reads its event log.
 */
import * as DeliveryLog from "@effect-heygen/core/DeliveryLog"
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as WebhookDelivery from "@effect-heygen/core/WebhookDelivery"
import * as WebhookReceiver from "@effect-heygen/core/WebhookReceiver"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs"
import * as Http from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import type { Outcome, RunOptions } from "./harness.js"
import { bin, expectEnvelope, reapAll, runBin, startBin } from "./harness.js"
import type { TestReceiver } from "./receiver.js"
import { startReceiver } from "./receiver.js"

const secret = "whsec_e2e_safety_secret_7c2e"
let dir: string
const outputs: Array<string> = []
const closers: Array<() => Promise<void>> = []

beforeAll(() => {
  if (!NodeFs.existsSync(bin)) throw new Error(`${bin} is missing: run pnpm --filter @effect-heygen/cli run bundle`)
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-cli-e2e-safety-"))
  NodeFs.writeFileSync(NodePath.join(dir, "whsec"), `${secret}\n`)
})

afterAll(async () => {
  expect(await reapAll(), "bins still running after the tests").toBe(0)
  await Promise.all(closers.map((close) => close()))
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

let states = 0
/** A sandbox state of its own for one test. */
const sandboxEnv = () => ({ EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, `state-${++states}.json`) })

const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> =>
  runBin(args, { cwd: dir, ...options, env: { ...sandboxEnv(), ...options.env } }).then((out) => {
    outputs.push(out.stdout, out.stderr)
    return out
  })

const receiver = async (): Promise<TestReceiver> => {
  const r = await startReceiver([secret])
  closers.push(r.close)
  return r
}

/** A server that answers every request with `status`, counting them. */
const answering = async (status: number) => {
  let count = 0
  const server = Http.createServer((request, response) => {
    count += 1
    request.resume()
    response.writeHead(status).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address() as { port: number }
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${address.port}/hooks`, count: () => count }
}

const writeFile = (name: string, content: string) => {
  NodeFs.writeFileSync(NodePath.join(dir, name), content)
  return name
}

const loggedEvents = async (env: Record<string, string>) => {
  const out = await run(["webhook", "events", "list", "--sandbox"], { env })
  expect(out.code, out.stderr).toBe(0)
  return (JSON.parse(out.stdout) as { data: Array<{ event_id: string }> }).data.map((e) => e.event_id)
}

describe("--secret-file holding a secret that is not HeyGen's exactly (bundled bin)", () => {
  const files = [
    { name: "blank-between", content: `${secret}\n\nwhsec_second_secret_0001\n`, line: 2, why: /is empty/ },
    { name: "only-whitespace", content: "   \n \t \n", line: 1, why: /is only whitespace/ },
    {
      name: "windows",
      content: `${secret}\r\n`,
      line: 1,
      why: /ends with a carriage return; HeyGen's secrets have none/
    },
    { name: "spaces", content: `whsec_second_secret_0001\n ${secret}\n`, line: 2, why: /starts with a space/ }
  ] as const

  const commands = (file: string, url: string) => ({
    "webhook verify": ["webhook", "verify", "--secret-file", file, "--signature", "0".repeat(64)],
    "sandbox trigger": ["sandbox", "trigger", "avatar_video.success", "--forward-to", url, "--secret-file", file],
    "webhook events replay": [
      "webhook",
      "events",
      "replay",
      "--sandbox",
      "--since",
      "1h",
      "--forward-to",
      url,
      "--secret-file",
      file
    ]
  })

  for (const f of files) {
    it(
      `${f.name}: every command that reads secrets exits 2 naming line ${f.line} and why, printing no secret`,
      async () => {
        const file = writeFile(f.name, f.content)
        const r = await receiver()
        const env = sandboxEnv()
        for (const [command, argv] of Object.entries(commands(file, r.url))) {
          const out = await run(argv, { env, stdin: "{}" })
          const e = expectEnvelope(out, ExitCode.Usage)
          expect(e.error, command).toMatchObject({ code: "cli_invalid_secret", param: "--secret-file" })
          expect(e.error.message, command).toContain(`${file}: line ${f.line}: `)
          expect(e.error.message, command).toMatch(f.why)
          expect(out.stderr + out.stdout, command).not.toContain("whsec_")
        }
        expect(r.requests()).toEqual([])
        expect(await loggedEvents(env)).toEqual([])
      },
      60_000
    )
  }

  it("a file ending with one newline is the secret without it: verify and trigger accept it", async () => {
    const r = await receiver()
    const out = await run([
      "sandbox",
      "trigger",
      "avatar_video.success",
      "--forward-to",
      r.url,
      "--secret-file",
      "whsec"
    ])
    expect(out.code, out.stderr).toBe(0)
    expect(r.handled()).toHaveLength(1)
  }, 30_000)
})

describe("sandbox trigger logs only what it delivers (bundled bin)", () => {
  it("missing, empty and unsubscribed: exit 2 each, the log stays empty and replay has nothing to send", async () => {
    const env = sandboxEnv()
    const r = await receiver()
    const empty = writeFile("empty-secret", "")
    const attempts = [
      { argv: ["--secret-file", "no-such-file"], code: "cli_secret_file_unreadable" },
      { argv: ["--secret-file", empty], code: "cli_secret_file_empty" },
      { argv: [], code: "cli_no_endpoints" }
    ]
    for (const a of attempts) {
      const out = await run(["sandbox", "trigger", "avatar_video.success", "--forward-to", r.url, ...a.argv], { env })
      expect(expectEnvelope(out, ExitCode.Usage).error.code).toBe(a.code)
    }
    expect(await loggedEvents(env)).toEqual([])
    const replayed = await run(
      ["webhook", "events", "replay", "--sandbox", "--since", "1h", "--forward-to", r.url, "--secret-file", "whsec"],
      { env }
    )
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(replayed.stdout).toBe("")
    expect(r.requests()).toEqual([])
  }, 60_000)
})

describe("--secret-file that cannot be written stops the request (bundled bin)", () => {
  it("create: exit 2 before the request, no endpoint created, no secret printed", async () => {
    const env = sandboxEnv()
    const out = await run([
      "webhook",
      "endpoints",
      "create",
      "--sandbox",
      "--url",
      "https://example.com/hooks/heygen",
      "--secret-file",
      "./no/such/dir/whsec"
    ], { env })
    const e = expectEnvelope(out, ExitCode.Usage)
    expect(e.error).toMatchObject({ code: "cli_secret_file_unwritable", param: "--secret-file" })
    expect(e.error.message).toContain("./no/such/dir/whsec")
    expect(e.error.message).toContain("nothing was sent")
    expect(out.stdout).toBe("")
    const listed = await run(["webhook", "endpoints", "list", "--sandbox"], { env })
    expect(JSON.parse(listed.stdout).data).toEqual([])
  }, 30_000)

  it("rotate-secret: exit 2 before the request, the secret unchanged", async () => {
    const env = sandboxEnv()
    const created = await run([
      "webhook",
      "endpoints",
      "create",
      "--sandbox",
      "--url",
      "https://example.com/hooks/heygen",
      "--secret-file",
      `rotate-${states}`
    ], { env })
    expect(created.code, created.stderr).toBe(0)
    const id = JSON.parse(created.stdout).data.endpoint_id as string
    const before = NodeFs.readFileSync(env.EFFECT_HEYGEN_SANDBOX_STATE, "utf8")
    const out = await run(
      ["webhook", "endpoints", "rotate-secret", id, "--sandbox", "--secret-file", "./no/such/dir/whsec"],
      { env }
    )
    expect(expectEnvelope(out, ExitCode.Usage).error.code).toBe("cli_secret_file_unwritable")
    expect(out.stdout).toBe("")
    expect(NodeFs.readFileSync(env.EFFECT_HEYGEN_SANDBOX_STATE, "utf8")).toBe(before)
  }, 30_000)
})

describe("a receiver that answers 404 or 405 is not retried (bundled bin)", () => {
  for (const status of [404, 405]) {
    it(`${status}: trigger stops after one attempt with a hint naming the path`, async () => {
      const server = await answering(status)
      const started = Date.now()
      const out = await run([
        "sandbox",
        "trigger",
        "avatar_video.success",
        "--forward-to",
        server.url,
        "--secret-file",
        "whsec"
      ])
      const e = expectEnvelope(out, ExitCode.ApiOrNetwork)
      expect(e.error.code).toBe("cli_delivery_failed")
      expect(e.error.hint).toContain(`${status} for POST /hooks`)
      expect(server.count()).toBe(1)
      // The first retry would come after 1 s.
      expect(Date.now() - started).toBeLessThan(5_000)
    }, 30_000)
  }

  it("404: replay stops at the first event, naming the path; the rest are not sent", async () => {
    const env = sandboxEnv()
    const r = await receiver()
    for (let i = 0; i < 2; i++) {
      const out = await run(
        ["sandbox", "trigger", "avatar_video.success", "--forward-to", r.url, "--secret-file", "whsec"],
        { env }
      )
      expect(out.code, out.stderr).toBe(0)
    }
    const server = await answering(404)
    const out = await run(
      [
        "webhook",
        "events",
        "replay",
        "--sandbox",
        "--since",
        "1h",
        "--forward-to",
        server.url,
        "--secret-file",
        "whsec"
      ],
      { env }
    )
    const e = expectEnvelope(out, ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("cli_replay_failed")
    expect(e.error.hint).toContain("404 for POST /hooks")
    expect(server.count()).toBe(1)
    expect(out.stdout.trim().split("\n")).toHaveLength(1)
  }, 60_000)
})

describe("errors and hints name what the user typed (bundled bin)", () => {
  it("verify: a mismatch names --signature, not a header the user may not have copied", async () => {
    const out = await run(["webhook", "verify", "--secret-file", "whsec", "--signature", "ab".repeat(32)], {
      stdin: `{"event_type":"avatar_video.success","event_data":{}}`
    })
    const e = expectEnvelope(out, ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("cli_signature_mismatch")
    expect(e.error.message).toContain("--signature does not match the body")
    expect(e.error.message).not.toContain("Heygen-Signature")
  }, 30_000)

  it("not_found with --sandbox: the hint's command keeps --sandbox", async () => {
    const out = await run(["webhook", "endpoints", "delete", "ep_missing", "--sandbox", "--force"])
    const e = expectEnvelope(out, ExitCode.ApiOrNetwork)
    expect(e.error.code).toBe("not_found")
    expect(e.error.hint).toContain("effect-heygen webhook endpoints list --sandbox")
  }, 30_000)

  it("update -d with a bad event type names -d/--data's events field, not --events", async () => {
    const env = sandboxEnv()
    const created = await run(
      [
        "webhook",
        "endpoints",
        "create",
        "--sandbox",
        "--url",
        "https://example.com/hooks/heygen",
        "--secret-file",
        `u-${states}`
      ],
      { env }
    )
    const id = JSON.parse(created.stdout).data.endpoint_id as string
    const out = await run(
      ["webhook", "endpoints", "update", id, "--sandbox", "-d", `{"events":["avatar_video.sucess"]}`],
      { env }
    )
    const e = expectEnvelope(out, ExitCode.Usage)
    expect(e.error.param).toBe("--data")
    expect(e.error.hint).toContain("events field of -d/--data")
    expect(e.error.hint).not.toContain("--events")
    // The same value from --events still names --events.
    const flag = await run(["webhook", "endpoints", "update", id, "--sandbox", "--events", "avatar_video.sucess"], {
      env
    })
    expect(expectEnvelope(flag, ExitCode.Usage).error.param).toBe("--events")
  }, 30_000)

  it("an unknown event type suggests the listing that works without a key, and it does", async () => {
    const out = await run(["sandbox", "trigger", "avatar_video.sucess", "--forward-to", "http://127.0.0.1:9/h"])
    const e = expectEnvelope(out, ExitCode.Usage)
    const suggested = /effect-heygen (webhook event-types list[^`"]*)/.exec(`${e.error.message} ${e.error.hint}`)
    expect(suggested?.[1]).toContain("--offline")
    const listed = await run(suggested![1]!.trim().split(" "))
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain("avatar_video.success")
  }, 30_000)
})

describe("replay --human rows line up (bundled bin)", () => {
  const columnStarts = (line: string) => [...line.matchAll(/(?<=^|\s{2})\S/g)].map((m) => m.index)

  it("sent and --dry-run: each column starts at the same place on every row, header included", async () => {
    const env = sandboxEnv()
    const r = await receiver()
    // Event ids of the same length, types of different lengths: misaligned before the fix.
    for (const type of ["avatar_video.success", "video_translate.fail", "avatar_video.fail"]) {
      const out = await run(["sandbox", "trigger", type, "--forward-to", r.url, "--secret-file", "whsec"], { env })
      expect(out.code, out.stderr).toBe(0)
    }
    for (const mode of [["--dry-run"], ["--forward-to", r.url, "--secret-file", "whsec"]]) {
      const out = await run(["webhook", "events", "replay", "--sandbox", "--since", "1h", "--human", ...mode], { env })
      expect(out.code, out.stderr).toBe(0)
      const rows = out.stdout.trim().split("\n").slice(0, -1)
      expect(rows).toHaveLength(4)
      expect(rows[0]).toMatch(/^OUTCOME +EVENT ID +EVENT TYPE +CREATED/)
      const starts = rows.map((row) => columnStarts(row).slice(0, 4))
      for (const s of starts) expect(s).toEqual(starts[0])
    }
  }, 60_000)
})

describe("sandbox serve serves the --sandbox state (bundled bin)", () => {
  it(
    "a triggered event is in its log and core's catchUp handles it; what is created through it, --sandbox lists",
    async () => {
      const env = sandboxEnv()
      const r = await receiver()
      const triggered = await run(
        ["sandbox", "trigger", "avatar_video.success", "--forward-to", r.url, "--secret-file", "whsec"],
        { env }
      )
      expect(triggered.code, triggered.stderr).toBe(0)
      const eventId = r.handled()[0]!.eventId

      const serving = startBin(["sandbox", "serve"], { cwd: dir, env })
      const { api_key, base_url } = JSON.parse(await serving.line(/base_url/)) as { base_url: string; api_key: string }
      try {
        const handled: Array<WebhookDelivery.WebhookDelivery> = []
        const report = await Effect.runPromise(
          WebhookReceiver.catchUp((d) => Effect.sync(() => void handled.push(d)), { since: "1 hour" }).pipe(
            Effect.provide(DeliveryLog.layerMemory()),
            Effect.provide(HeyGenClient.layer({ apiKey: Redacted.make(api_key), baseUrl: base_url })),
            Effect.provide(NodeHttpClient.layer)
          )
        )
        expect(report.handledNow).toBe(1)
        expect(handled.map((d) => d.eventId)).toEqual([eventId])

        const created = await run(
          [
            "webhook",
            "endpoints",
            "create",
            "--url",
            "https://example.com/hooks/heygen",
            "--secret-file",
            `s-${states}`
          ],
          { env: { ...env, HEYGEN_API_BASE: base_url, HEYGEN_API_KEY: api_key } }
        )
        expect(created.code, created.stderr).toBe(0)
        const listed = await run(["webhook", "endpoints", "list", "--sandbox"], { env })
        expect(JSON.parse(listed.stdout).data.map((e: { endpoint_id: string }) => e.endpoint_id)).toEqual([
          JSON.parse(created.stdout).data.endpoint_id
        ])
      } finally {
        await serving.stop()
      }
    },
    60_000
  )
})

describe("sandbox serve on a port in use (bundled bin)", () => {
  it("exits 1 naming --port and why (EADDRINUSE), not an empty reason", async () => {
    const taken = Http.createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const e = expectEnvelope(await run(["sandbox", "serve", "--port", String(port)], { env: sandboxEnv() }), 1)
      expect(e.error).toMatchObject({ code: "cli_sandbox_failed", param: "--port" })
      expect(e.error.message).toBe(`the sandbox server could not start on 127.0.0.1:${port} (EADDRINUSE)`)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })
})

describe("secrets", () => {
  it("never prints a secret (checked over every output of this file)", () => {
    expect(outputs.length).toBeGreaterThan(10)
    for (const text of outputs) expect(text).not.toContain(secret)
  })
})
