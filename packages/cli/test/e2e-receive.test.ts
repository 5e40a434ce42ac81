/**
 * End to end for the receiving side, through the BUNDLED bin: `webhook events replay` (against test-utils' fake
 * HeyGen API on a loopback server, and against the sandbox), `sandbox trigger` and `webhook verify`. Every
 * delivery goes to core's receiver on 127.0.0.1 (test/receiver.ts), which records what it was sent and what its
 * handler ran for.
 */
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as SandboxState from "../src/internal/sandboxState.js"
import type { Outcome, RunOptions } from "./harness.js"
import { bin, expectEnvelope, reapAll, runBin } from "./harness.js"
import type { TestReceiver } from "./receiver.js"
import { headerOf, startReceiver } from "./receiver.js"

const secret = "whsec_e2e_receive_secret_4b1d"

let scope: Scope.CloseableScope
let server: FakeServer.Service
let dir: string
const outputs: Array<string> = []
const receivers: Array<TestReceiver> = []

beforeAll(async () => {
  if (!NodeFs.existsSync(bin)) throw new Error(`${bin} is missing: run pnpm --filter @effect-heygen/cli run bundle`)
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(FakeServer.layer({ fake: { apiKeys: [] } }), scope))
  server = Context.get(context, FakeServer.FakeServer)
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-cli-e2e-receive-"))
  NodeFs.writeFileSync(NodePath.join(dir, "whsec"), `${secret}\n`)
})

afterAll(async () => {
  expect(await reapAll(), "bins still running after the tests").toBe(0)
  await Promise.all(receivers.map((r) => r.close()))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

const receiver = async (options?: Parameters<typeof startReceiver>[1]) => {
  const r = await startReceiver([secret], options)
  receivers.push(r)
  return r
}

let accounts = 0
/** A fresh account of the fake (its own event log), and the environment that points the bin at it. */
const account = async () => {
  const apiKey = `hg_e2e_receive_${++accounts}_0123456789abcdef`
  await Effect.runPromise(server.fake.addApiKey(apiKey))
  return { apiKey, env: { HEYGEN_API_KEY: apiKey, HEYGEN_API_BASE: server.baseUrl } }
}

const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> =>
  runBin(args, {
    cwd: dir,
    ...options,
    env: { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json"), ...options.env }
  }).then((out) => {
    outputs.push(out.stdout, out.stderr)
    return out
  })

const lines = (stdout: string) =>
  stdout.trim() === "" ? [] : stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString()
const hmac = (body: Buffer | string) => NodeCrypto.createHmac("sha256", secret).update(body).digest("hex")

/** Records events in an account's log, in the order given (not the order of their times). */
const record = (
  apiKey: string,
  events: ReadonlyArray<{ id: string; hoursAgo: number; type?: string; entity?: string }>
) =>
  Effect.runPromise(Effect.forEach(events, (e) =>
    server.fake.recordEvent({
      account: apiKey,
      eventId: e.id,
      eventType: e.type ?? "avatar_video.success",
      eventData: (e.type ?? "avatar_video.success").endsWith(".fail")
        ? { video_id: `v_${e.id}`, msg: "render failed" }
        : { video_id: `v_${e.id}`, url: `https://cdn/${e.id}.mp4` },
      createdAt: hoursAgo(e.hoursAgo),
      entityId: e.entity ?? null
    })))

/** A live delivery of a logged event, as HeyGen made it while the receiver was up. */
const deliverLive = (url: string, event: FakeHeyGen.StoredEvent) =>
  Effect.runPromise(
    FakeDelivery.deliver(
      [{ endpoint_id: "ep_live", url: "https://example.com/h", events: null, secret: Redacted.make(secret) }],
      event.event_type,
      event.event_data,
      { route: url, eventId: event.event_id, createdAt: event.created_at }
    ).pipe(Effect.provide(NodeHttpClient.layer))
  )

const replay = (url: string, ...extra: ReadonlyArray<string>) => [
  "webhook",
  "events",
  "replay",
  "--since",
  "48h",
  "--forward-to",
  url,
  "--secret-file",
  "whsec",
  ...extra
]

describe("webhook events replay (bundled bin)", () => {
  it("handles what the receiver missed, once; skips what it handled; leaves out events before --since", async () => {
    const { apiKey, env } = await account()
    // Recorded out of time order: the replay must not assume the log's order.
    const logged = await record(apiKey, [
      { id: "evt_r1_c", hoursAgo: 20 },
      { id: "evt_r1_old", hoursAgo: 72 },
      { id: "evt_r1_a", hoursAgo: 40 },
      { id: "evt_r1_d", hoursAgo: 1 },
      { id: "evt_r1_b", hoursAgo: 30 }
    ])
    const byId = new Map(logged.map((e) => [e.event_id, e]))
    const r = await receiver()
    // a and c reached the receiver live; b and d were lost while it was down.
    for (const id of ["evt_r1_a", "evt_r1_c"]) await deliverLive(r.url, byId.get(id)!)
    const before = r.requests().length

    const out = await run(replay(r.url), { env })
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toBe("")
    expect(lines(out.stdout).map((l) => [l.event_id, l.outcome, l.status, l.attempts])).toEqual([
      ["evt_r1_a", "delivered", 200, 1],
      ["evt_r1_b", "delivered", 200, 1],
      ["evt_r1_c", "delivered", 200, 1],
      ["evt_r1_d", "delivered", 200, 1]
    ])
    expect(r.handled().map((d) => d.eventId)).toEqual(["evt_r1_a", "evt_r1_c", "evt_r1_b", "evt_r1_d"])

    // What was sent: documented deliveries of the logged events, signed with the secret (checked with node:crypto).
    const sent = r.requests().slice(before)
    expect(sent.map((c) => headerOf(c, "heygen-event-id"))).toEqual(["evt_r1_a", "evt_r1_b", "evt_r1_c", "evt_r1_d"])
    for (const c of sent) {
      const event = byId.get(headerOf(c, "heygen-event-id")!)!
      expect(JSON.parse(c.body.toString("utf8"))).toEqual({
        event_id: event.event_id,
        event_type: event.event_type,
        created_at: event.created_at,
        event_data: event.event_data
      })
      expect(headerOf(c, "heygen-signature")).toBe(hmac(c.body))
      expect(Math.abs(Number(headerOf(c, "heygen-timestamp")) - Date.now() / 1000)).toBeLessThan(120)
    }

    // Run again: every event is accepted, none handled a second time.
    const again = await run(replay(r.url), { env })
    expect(again.code, again.stderr).toBe(0)
    expect(lines(again.stdout).map((l) => l.outcome)).toEqual(["delivered", "delivered", "delivered", "delivered"])
    expect(r.handled().map((d) => d.eventId)).toEqual(["evt_r1_a", "evt_r1_c", "evt_r1_b", "evt_r1_d"])
  }, 60_000)

  it(
    "a failing event: exit 1 with its status and attempts, the rest delivered; run again, it is handled once",
    async () => {
      const { apiKey, env } = await account()
      await record(apiKey, [{ id: "evt_r2_a", hoursAgo: 3 }, { id: "evt_r2_b", hoursAgo: 2 }])
      let broken = true
      const r = await receiver({ failWhen: (d) => broken && d.eventId === "evt_r2_a" })
      const out = await run(replay(r.url, "--human"), { env })
      const e = expectEnvelope(out, ExitCode.ApiOrNetwork)
      expect(e.error).toMatchObject({ code: "cli_replay_failed", param: "--forward-to" })
      const [header, first, second, summary] = out.stdout.trim().split("\n")
      expect(header).toMatch(/^OUTCOME +EVENT ID +EVENT TYPE +CREATED +STATUS +ERROR$/)
      expect(first).toMatch(
        /^failed +evt_r2_a +avatar_video\.success .*\(500, 3 attempts\) +the receiver answered 500$/
      )
      expect(second).toMatch(/^delivered +evt_r2_b .*\(200\)$/)
      expect(summary).toMatch(/^replayed 2 events since \S+: 1 delivered, 0 duplicate, 1 failed$/)
      expect(r.handled().map((d) => d.eventId)).toEqual(["evt_r2_b"])

      broken = false
      const again = await run(replay(r.url), { env })
      expect(again.code, again.stderr).toBe(0)
      expect(r.handled().map((d) => d.eventId)).toEqual(["evt_r2_b", "evt_r2_a"])
    },
    60_000
  )

  it(
    "--event-types and --entity-id narrow what is sent; --dry-run lists it and sends nothing, with no secret",
    async () => {
      const { apiKey, env } = await account()
      await record(apiKey, [
        { id: "evt_r3_ok", hoursAgo: 5, type: "avatar_video.fail", entity: "v_1" },
        { id: "evt_r3_other_entity", hoursAgo: 4, type: "avatar_video.fail", entity: "v_2" },
        { id: "evt_r3_other_type", hoursAgo: 3, type: "video_translate.success", entity: "v_1" },
        { id: "evt_r3_ok2", hoursAgo: 2, type: "avatar_video.success", entity: "v_1" }
      ])
      const r = await receiver()
      const filters = ["--event-types", "avatar_video.fail,avatar_video.success", "--entity-id", "v_1"]
      const dry = await run(["webhook", "events", "replay", "--since", "1d", "--dry-run", ...filters], { env })
      expect(dry.code, dry.stderr).toBe(0)
      expect(lines(dry.stdout).map((l) => [l.event_id, l.outcome])).toEqual([
        ["evt_r3_ok", "listed"],
        ["evt_r3_ok2", "listed"]
      ])
      expect(r.requests()).toEqual([])

      const out = await run([...replay(r.url), ...filters], { env })
      expect(out.code, out.stderr).toBe(0)
      expect(r.handled().map((d) => d.eventId)).toEqual(["evt_r3_ok", "evt_r3_ok2"])
    },
    60_000
  )

  it(
    "--sandbox: replays the sandbox's log; events trigger delivered are skipped, dropped ones handled once",
    async () => {
      const state = NodePath.join(dir, "replay-sandbox.json")
      const env = { EFFECT_HEYGEN_SANDBOX_STATE: state }
      const r = await receiver()
      const triggered = await run(
        [
          "sandbox",
          "trigger",
          "avatar_video.success",
          "-d",
          `{"video_id":"v_live","url":"https://cdn/v.mp4"}`,
          "--forward-to",
          r.url,
          "--secret-file",
          "whsec"
        ],
        { env }
      )
      expect(triggered.code, triggered.stderr).toBe(0)
      expect(r.handled()).toHaveLength(1)
      const live = r.handled()[0]!.eventId
      // Two events HeyGen logged while the receiver was down: added to the sandbox's log, never delivered.
      await Effect.runPromise(Effect.gen(function*() {
        const saved = yield* SandboxState.load(state)
        const fake = yield* FakeHeyGen.make({
          initialState: Schema.decodeUnknownSync(FakeHeyGen.State)(Option.getOrThrow(saved))
        })
        for (const id of ["evt_r4_dropped_1", "evt_r4_dropped_2"]) {
          yield* fake.recordEvent({
            eventType: "avatar_video.fail",
            eventData: { video_id: id, msg: "m" },
            eventId: id
          })
        }
        yield* SandboxState.save(state, Schema.encodeSync(FakeHeyGen.State)(yield* fake.snapshot))
      }))
      const out = await run(replay(r.url, "--sandbox"), { env })
      expect(out.code, out.stderr).toBe(0)
      expect(lines(out.stdout).map((l) => l.event_id)).toEqual([live, "evt_r4_dropped_1", "evt_r4_dropped_2"])
      expect(r.handled().map((d) => d.eventId)).toEqual([live, "evt_r4_dropped_1", "evt_r4_dropped_2"])
    },
    60_000
  )
})

const sha256 = (body: string) => NodeCrypto.createHash("sha256").update(body).digest("hex")

describe("webhook verify (bundled bin)", () => {
  const verify = (body: string, ...flags: ReadonlyArray<string>) =>
    run(["webhook", "verify", "--secret-file", "whsec", ...flags], { stdin: body })

  it("--signature alone (a delivery with a plain signature header only): the id from the body, created_at printed", async () => {
    const body = JSON.stringify({
      event_id: "evt_verify_legacy",
      event_type: "avatar_video.success",
      created_at: "2026-01-02T03:04:05Z",
      event_data: { video_id: "v1", url: "https://cdn/v1.mp4" }
    })
    const out = await verify(body, "--signature", hmac(body))
    expect(out.code, out.stderr).toBe(0)
    expect(JSON.parse(out.stdout)).toEqual({
      event_id: "evt_verify_legacy",
      event_id_source: "body",
      timestamp: null,
      created_at: "2026-01-02T03:04:05Z",
      event_type: "avatar_video.success",
      event_data: { video_id: "v1", url: "https://cdn/v1.mp4" }
    })
    const human = await verify(body, "--signature", hmac(body), "--human")
    expect(human.stdout).toContain("event id: evt_verify_legacy (from the body's event_id)")
    expect(human.stdout).toContain(`created at: "2026-01-02T03:04:05Z"`)
  })

  it("a body with no event id: the id is sha256: and the body's digest; sha256= and upper-case hex are accepted", async () => {
    const body = JSON.stringify({ event_type: "some.new_type", event_data: { anything: [1, 2] } })
    for (const signature of [hmac(body), `sha256=${hmac(body)}`, hmac(body).toUpperCase()]) {
      const out = await verify(body, "--signature", signature)
      expect(out.code, out.stderr).toBe(0)
      expect(JSON.parse(out.stdout)).toMatchObject({
        event_id: `sha256:${sha256(body)}`,
        event_id_source: "digest",
        created_at: null,
        event_type: "some.new_type"
      })
    }
  })

  it("--event-id, when given, is the id (source header); a timestamp, when given, is checked", async () => {
    const body = JSON.stringify({ event_id: "evt_in_body", event_type: "x", event_data: {} })
    const out = await verify(body, "--signature", hmac(body), "--event-id", "evt_in_header")
    expect(JSON.parse(out.stdout)).toMatchObject({ event_id: "evt_in_header", event_id_source: "header" })
    const stale = await verify(
      body,
      "--signature",
      hmac(body),
      "--timestamp",
      String(Math.floor(Date.now() / 1000) - 3600)
    )
    expect(expectEnvelope(stale, ExitCode.ApiOrNetwork).error).toMatchObject({
      code: "cli_timestamp_out_of_tolerance",
      param: "--timestamp"
    })
  })

  it("--require-timestamp refuses a delivery without --timestamp, naming it; with a fresh one it passes", async () => {
    const body = JSON.stringify({ event_type: "avatar_video.fail", event_data: { video_id: "v", msg: "m" } })
    const refused = expectEnvelope(
      await verify(body, "--signature", hmac(body), "--require-timestamp"),
      ExitCode.ApiOrNetwork
    )
    expect(refused.error).toMatchObject({ code: "cli_missing_header", param: "--timestamp" })
    expect(refused.error.hint).toContain("--require-timestamp")
    const now = String(Math.floor(Date.now() / 1000))
    const ok = await verify(body, "--signature", hmac(body), "--require-timestamp", "--timestamp", now)
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout).timestamp).toBe(Number(now))
  })

  it("no --signature: cli_missing_header naming --signature, with a hint that does not ask for the other headers", async () => {
    const body = JSON.stringify({ event_type: "x", event_data: {} })
    const e = expectEnvelope(await verify(body, "--event-id", "evt_1"), ExitCode.ApiOrNetwork)
    expect(e.error).toMatchObject({ code: "cli_missing_header", param: "--signature" })
    expect(e.error.hint).toMatch(/--timestamp and --event-id are optional/)
  })

  it("a signature given twice (Node's join of a repeated header): cli_repeated_header naming --signature", async () => {
    const body = JSON.stringify({ event_type: "x", event_data: {} })
    const e = expectEnvelope(await verify(body, "--signature", `${hmac(body)}, ${hmac(body)}`), ExitCode.ApiOrNetwork)
    expect(e.error).toMatchObject({ code: "cli_repeated_header", param: "--signature" })
  })
})

describe("sandbox trigger (bundled bin)", () => {
  for (const style of ["documented", "legacy"] as const) {
    it(
      `--header-style ${style}: the receiver gets that form, signed with the secret file, and handles it once`,
      async () => {
        const r = await receiver()
        const out = await run([
          "sandbox",
          "trigger",
          "avatar_video.fail",
          "-d",
          `{"video_id":"v_style","msg":"quota"}`,
          "--forward-to",
          r.url,
          "--secret-file",
          "whsec",
          "--header-style",
          style,
          "--human"
        ], { env: { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, `trigger-${style}.json`) } })
        expect(out.code, out.stderr).toBe(0)
        expect(out.stdout).toMatch(/^secret_file_1 attempt 1: 200 delivered$/m)
        const [sent] = r.requests()
        const names = sent!.rawHeaders.map(([k]) => k.toLowerCase())
        const body = JSON.parse(sent!.body.toString("utf8"))
        expect(Object.keys(body)).toEqual(["event_id", "event_type", "created_at", "event_data"])
        if (style === "legacy") {
          expect(names.filter((n) => n.includes("signature") || n.startsWith("heygen-"))).toEqual(["signature"])
          expect(headerOf(sent!, "signature")).toBe(hmac(sent!.body))
        } else {
          expect(names.filter((n) => n.startsWith("heygen-")).sort()).toEqual([
            "heygen-event-id",
            "heygen-signature",
            "heygen-timestamp"
          ])
          expect(headerOf(sent!, "heygen-signature")).toBe(hmac(sent!.body))
          expect(headerOf(sent!, "heygen-event-id")).toBe(body.event_id)
        }
        expect(r.handled().map((d) => [d.eventId, d.eventIdSource])).toEqual([
          [body.event_id, style === "legacy" ? "body" : "header"]
        ])
        expect(out.stdout).toContain(`event ${body.event_id} delivered`)
      },
      30_000
    )
  }

  it(
    "delivers to the endpoints the sandbox holds, signed with their secret, and logs the event under the id sent",
    async () => {
      const env = { EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "trigger-endpoints.json") }
      const created = await run([
        "webhook",
        "endpoints",
        "create",
        "--sandbox",
        "--url",
        "https://example.com/h",
        "--events",
        "avatar_video.success",
        "--secret-file",
        "endpoint-secret"
      ], { env })
      expect(created.code, created.stderr).toBe(0)
      const key = NodeFs.readFileSync(NodePath.join(dir, "endpoint-secret"), "utf8").trim()
      const r = await startReceiver([key])
      receivers.push(r)
      const out = await run(["sandbox", "trigger", "avatar_video.success", "--forward-to", r.url], { env })
      expect(out.code, out.stderr).toBe(0)
      expect(r.handled()).toHaveLength(1)
      const listed = await run(["webhook", "events", "list", "--sandbox"], { env })
      expect(JSON.parse(listed.stdout).data.map((e: { event_id: string }) => e.event_id)).toEqual([
        r.handled()[0]!.eventId
      ])
      // Not subscribed to this type, and no --secret-file: nothing to deliver to (exit 2).
      const none = expectEnvelope(
        await run(["sandbox", "trigger", "avatar_video.fail", "--forward-to", r.url], { env }),
        ExitCode.Usage
      )
      expect(none.error.code).toBe("cli_no_endpoints")
      // A mistyped type: the closest of HeyGen's, and nothing delivered or logged.
      const logged = async () =>
        JSON.parse((await run(["webhook", "events", "list", "--sandbox"], { env })).stdout).data
      const before = await logged()
      const typo = expectEnvelope(
        await run(["sandbox", "trigger", "avatar_video.sucess", "--forward-to", r.url], { env }),
        ExitCode.Usage
      )
      expect(typo.error).toMatchObject({ code: "cli_invalid_flag", param: "event_type" })
      expect(typo.error.message).toContain(`did you mean "avatar_video.success"?`)
      expect(r.handled()).toHaveLength(1)
      expect(await logged()).toEqual(before)
    },
    30_000
  )
})

describe("secrets", () => {
  it("never prints a secret or an API key (checked over every output of this file)", () => {
    expect(outputs.length).toBeGreaterThan(10)
    for (const text of outputs) {
      expect(text).not.toContain(secret)
      expect(text).not.toMatch(/hg_e2e_receive_/)
    }
  })
})
