/**
 * Every command of the tree, run once through the BUNDLED bin (bin/effect-heygen.cjs) doing its real work: a
 * bundling mistake (a module stubbed out of the bundle that a command needs, a lazy import that does not resolve)
 * shows only there, never in the in-process runs of `Main.run`. The last test checks that this file has a run for
 * every leaf of `Commands.spec`, so a new command cannot be added without one.
 *
 * The API commands go to test-utils' fake HeyGen API on a loopback server started here; `sandbox trigger` and
 * `webhook events replay` deliver to core's receiver on 127.0.0.1 (test/receiver.ts).
 */
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import type * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Commands from "../src/internal/commands.js"
import * as Help from "../src/internal/help.js"
import type { FakeApi, Outcome, RunOptions } from "./harness.js"
import { envelope, reapAll, runBin, startBin, startFakeApi } from "./harness.js"
import { startReceiver } from "./receiver.js"

const apiKey = "hg_e2e_commands_5d2e8a1c7b3f9e0d4a6b"
const secret = "whsec_e2e_commands_receiver_secret"

let api: FakeApi
let server: FakeServer.Service
let dir: string
const outputs: Array<string> = []

beforeAll(async () => {
  api = await startFakeApi([apiKey], "e2e-commands")
  server = api.server
  dir = api.dir
  NodeFs.writeFileSync(NodePath.join(dir, "whsec"), `${secret}\n`)
})

afterAll(async () => {
  expect(await reapAll(), "bins still running after the tests").toBe(0)
  await api.close()
})

const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> =>
  runBin(args, {
    cwd: dir,
    ...options,
    env: {
      HEYGEN_API_KEY: apiKey,
      HEYGEN_API_BASE: server.baseUrl,
      EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json"),
      ...options.env
    }
  }).then((out) => {
    outputs.push(out.stdout, out.stderr)
    return out
  })

/** A run that must succeed: exit 0 and nothing on stderr. */
const ok = async (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> => {
  const out = await run(args, options)
  expect(out.code, `${args.join(" ")}: ${out.stderr}`).toBe(0)
  expect(out.stderr).toBe("")
  return out
}

let n = 0
const seed = () =>
  Effect.runPromise(
    WebhookEndpoints.create({ url: `https://example.com/hooks/commands-${++n}` }).pipe(
      Effect.map((r) => r.endpoint.endpoint_id),
      Effect.provide(HeyGenClient.layer({ apiKey, baseUrl: server.baseUrl, maxRetries: 0 })),
      Effect.provide(NodeHttpClient.layer)
    )
  )
const stored = () => Effect.runPromise(server.fake.endpoints(apiKey))

const hmac = (key: string, body: string) => NodeCrypto.createHmac("sha256", key).update(body).digest("hex")

/** One run per command: what it must have done, checked outside the CLI where possible. */
const scenarios: Record<string, () => Promise<void>> = {
  "webhook endpoints create": async () => {
    const url = "https://example.com/hooks/commands-created"
    const out = await ok(["webhook", "endpoints", "create", "--url", url, "--events", "avatar_video.fail"])
    const id = JSON.parse(out.stdout).data.endpoint_id
    expect((await stored()).find((e) => e.endpoint_id === id)).toMatchObject({ url, events: ["avatar_video.fail"] })
  },
  "webhook endpoints list": async () => {
    const id = await seed()
    const out = await ok(["webhook", "endpoints", "list", "--all"])
    expect(out.stdout.trim().split("\n").map((l) => JSON.parse(l).endpoint_id)).toContain(id)
  },
  "webhook endpoints update": async () => {
    const id = await seed()
    await ok(["webhook", "endpoints", "update", id, "--events", "video_translate.success"])
    expect((await stored()).find((e) => e.endpoint_id === id)?.events).toEqual(["video_translate.success"])
  },
  "webhook endpoints delete": async () => {
    const id = await seed()
    await ok(["webhook", "endpoints", "delete", id, "--force"])
    expect((await stored()).map((e) => e.endpoint_id)).not.toContain(id)
  },
  "webhook endpoints rotate-secret": async () => {
    const id = await seed()
    const before = (await stored()).find((e) => e.endpoint_id === id)?.secret
    const out = await ok(["webhook", "endpoints", "rotate-secret", id])
    const after = (await stored()).find((e) => e.endpoint_id === id)?.secret
    expect(after).not.toBe(before)
    expect(JSON.parse(out.stdout).data.secret).toBe(after)
  },
  "webhook event-types list": async () => {
    const out = await ok(["webhook", "event-types", "list"])
    const listed = JSON.parse(out.stdout).data.map((t: { event_type: string }) => t.event_type)
    expect([...listed].sort()).toEqual([...WebhookEventType.values].sort())
  },
  "webhook events list": async () => {
    const logged = await Effect.runPromise(
      server.fake.recordEvent({
        account: apiKey,
        eventType: "avatar_video.success",
        eventData: { video_id: "v", url: "https://cdn/v.mp4" }
      })
    )
    const out = await ok(["webhook", "events", "list", "--all"])
    expect(out.stdout.trim().split("\n").map((l) => JSON.parse(l).event_id)).toContain(logged.event_id)
  },
  "webhook events replay": async () => {
    const logged = await Effect.runPromise(
      server.fake.recordEvent({
        account: apiKey,
        eventType: "avatar_video.success",
        eventData: { video_id: "v_replayed", url: "https://cdn/r.mp4" }
      })
    )
    const receiver = await startReceiver([secret])
    try {
      const out = await ok([
        "webhook",
        "events",
        "replay",
        "--since",
        "1h",
        "--forward-to",
        receiver.url,
        "--secret-file",
        "whsec"
      ])
      expect(out.stdout).toContain(logged.event_id)
      expect(receiver.handled().map((d) => d.eventId)).toContain(logged.event_id)
      // A mistyped --event-types: the closest type, exit 2, nothing replayed.
      const handled = receiver.handled().length
      const typo = await run([
        "webhook",
        "events",
        "replay",
        "--since",
        "1h",
        "--dry-run",
        "--event-types",
        "avatar_video.sucess"
      ])
      expect(typo.code).toBe(2)
      expect(envelope(typo.stderr).error.message).toContain(`did you mean "avatar_video.success"?`)
      expect(receiver.handled()).toHaveLength(handled)
    } finally {
      await receiver.close()
    }
  },
  "webhook verify": async () => {
    const body = JSON.stringify({ event_type: "avatar_video.success", event_data: { video_id: "v1", url: "u" } })
    const out = await ok([
      "webhook",
      "verify",
      "--secret-file",
      "whsec",
      "--signature",
      hmac(secret, body),
      "--timestamp",
      String(Math.floor(Date.now() / 1000)),
      "--event-id",
      "evt_commands_verify"
    ], { stdin: body })
    expect(JSON.parse(out.stdout)).toMatchObject({
      event_id: "evt_commands_verify",
      event_type: "avatar_video.success"
    })
  },
  "sandbox serve": async () => {
    const serve = startBin(["sandbox", "serve"], { env: {} })
    const { api_key, base_url } = JSON.parse(await serve.line(/^\{/))
    const listed = await fetch(`${base_url}/v3/webhooks/endpoints`, { headers: { "x-api-key": api_key } })
    expect(listed.status).toBe(200)
    expect(await serve.stop("SIGINT")).toEqual({ killed: false })
    expect((await serve.closed).code).toBe(0)
  },
  "sandbox reset": async () => {
    const state = NodePath.join(dir, "reset.json")
    const env = { EFFECT_HEYGEN_SANDBOX_STATE: state }
    await ok(["webhook", "endpoints", "create", "--sandbox", "--url", "https://example.com/hooks/reset"], { env })
    expect(NodeFs.existsSync(state)).toBe(true)
    await ok(["sandbox", "reset"], { env })
    expect(NodeFs.existsSync(state)).toBe(false)
  },
  "webhook events listen": async () => {
    const receiver = await startReceiver([secret])
    try {
      const listening = startBin(
        ["webhook", "events", "listen", "--interval", "200ms", "--forward-to", receiver.url, "--secret-file", "whsec"],
        { cwd: dir, env: { HEYGEN_API_KEY: apiKey, HEYGEN_API_BASE: server.baseUrl } }
      )
      // Logged once listen has said it started: only new events are followed.
      await listening.line(/"listening":true/)
      const logged = await Effect.runPromise(
        server.fake.recordEvent({ account: apiKey, eventType: "avatar_video.fail", eventData: { video_id: "v_l" } })
      )
      const end = Date.now() + 15_000
      while (receiver.handled().length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
      await listening.stop("SIGINT")
      const out = await listening.closed
      outputs.push(out.stdout, out.stderr)
      expect(out.code, out.stderr).toBe(0)
      expect(receiver.handled().map((d) => d.eventId)).toEqual([logged.event_id])
      expect(out.stdout).toContain(`"event_id":"${logged.event_id}"`)
    } finally {
      await receiver.close()
    }
  },
  "sandbox trigger": async () => {
    const receiver = await startReceiver([secret])
    try {
      const out = await ok([
        "sandbox",
        "trigger",
        "avatar_video.success",
        "-d",
        `{"video_id":"v_trigger","url":"https://cdn/v.mp4"}`,
        "--forward-to",
        receiver.url,
        "--secret-file",
        "whsec"
      ], { env: { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "trigger.json") } })
      expect(JSON.parse(out.stdout.trim().split("\n")[0]!)).toMatchObject({ status: 200, outcome: "Delivered" })
      expect(receiver.handled().map((d) => [d.eventType, d.eventData])).toEqual([
        ["avatar_video.success", { video_id: "v_trigger", url: "https://cdn/v.mp4" }]
      ])
    } finally {
      await receiver.close()
    }
  }
}

describe("every command through the bundled bin", () => {
  it.each(Object.entries(scenarios))("%s", async (_, scenario) => {
    await scenario()
  }, 30_000)

  it("--help, --version and --completions (bash, zsh, fish)", async () => {
    expect((await ok(["--help"])).stdout).toContain("webhook endpoints create")
    expect((await ok(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+/)
    const bash = await ok(["--completions", "bash"])
    expect(bash.stdout).toContain("_effect_heygen_complete")
    expect(bash.stdout).toContain("avatar_video.success")
    expect((await ok(["--completions", "zsh"])).stdout).toContain("bashcompinit")
    expect((await ok(["--completions", "fish"])).stdout).toContain("complete -c effect-heygen")
  })

  it("this file runs every command of the tree (and nothing that is not one)", () => {
    const leaves = Help.commands(Commands.root).map((l) => l.path.join(" "))
    expect(Object.keys(scenarios).sort()).toEqual([...leaves].sort())
  })

  it("never prints the API key or the receiver's secret", () => {
    expect(outputs.length).toBeGreaterThan(10)
    for (const text of outputs) {
      expect(text).not.toContain(apiKey)
      expect(text).not.toContain(secret)
    }
  })
})

describe("the root README's 'When your receiver was down' shell example, run as written through the bin", () => {
  const readme = NodeFs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
  const section = readme.slice(readme.indexOf("#### When your receiver was down"))
  const block = section.slice(section.indexOf("```sh\n") + 6, section.indexOf("```", section.indexOf("```sh\n") + 6))
  // Each line as a shell would split it, the trailing comment dropped.
  const commands = block.trim().split("\n").map((line) => line.replace(/\s+#.*$/, "").trim().split(/\s+/))

  it("replays a missed event to the receiver once, and --dry-run lists without sending", async () => {
    expect(commands.map((c) => c[0])).toEqual(["effect-heygen", "effect-heygen"])
    const handledBefore = await Effect.runPromise(
      server.fake.recordEvent({ account: apiKey, eventType: "avatar_video.fail", eventData: { video_id: "v_before" } })
    )
    const missed = await Effect.runPromise(
      server.fake.recordEvent({
        account: apiKey,
        eventType: "avatar_video.success",
        eventData: { video_id: "v_missed" }
      })
    )
    const receiver = await startReceiver([secret])
    try {
      // The README's receiver address becomes this test's receiver; its ./whsec is the file in the run's cwd.
      const asWritten = (args: ReadonlyArray<string>) =>
        args.slice(1).map((
          a
        ) => (a === "http://localhost:3000/hooks/heygen" ? receiver.url : a === "./whsec" ? "whsec" : a))
      const dry = await ok(asWritten(commands[1]!))
      expect(dry.stdout).toContain(missed.event_id)
      expect(receiver.requests()).toEqual([])
      // Handled live before the outage: the receiver has seen it under the log's id.
      await ok(asWritten(commands[0]!))
      const first = receiver.handled().map((d) => d.eventId)
      expect(first).toContain(missed.event_id)
      expect(first).toContain(handledBefore.event_id)
      await ok(asWritten(commands[0]!))
      // The second replay is answered 200 for every event, and the receiver's handler ran no event twice.
      const ids = receiver.handled().map((d) => d.eventId)
      expect(new Set(ids).size).toBe(ids.length)
    } finally {
      await receiver.close()
    }
  })
})
