/**
 * `webhook events listen` through the BUNDLED bin: `listen --sandbox` in one process, `sandbox trigger` (which
 * without --forward-to only logs the event) in others, and core's receiver on 127.0.0.1; Ctrl-C, a restart with
 * --since over the gap; a refused forward retried and never dropped; a wrong path stopping at once.
 */
import * as NodeFs from "node:fs"
import * as Http from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bin, expectEnvelope, reapAll, runBin, startBin } from "./harness.js"
import type { TestReceiver } from "./receiver.js"
import { startReceiver } from "./receiver.js"

const secret = "whsec_listen_test_secret_7c2e"
let dir: string
const receivers: Array<TestReceiver> = []

beforeAll(() => {
  if (!NodeFs.existsSync(bin)) throw new Error(`${bin} is missing: run pnpm --filter @effect-heygen/cli run bundle`)
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-cli-listen-"))
  NodeFs.writeFileSync(NodePath.join(dir, "whsec"), `${secret}\n`)
})

afterAll(async () => {
  expect(await reapAll(), "bins still running after the tests").toBe(0)
  await Promise.all(receivers.map((r) => r.close()))
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

const receiver = async (options?: Parameters<typeof startReceiver>[1]) => {
  const r = await startReceiver([secret], options)
  receivers.push(r)
  return r
}

/** A sandbox of its own for each test, so that their logs never meet. */
const sandboxEnv = (name: string) => ({ EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, `${name}.json`) })

/** `listen --sandbox` forwarding to `forwardTo`, reading the log every 200 ms. */
const listen = (env: Record<string, string>, forwardTo: string, ...flags: Array<string>) =>
  startBin(
    [
      "webhook",
      "events",
      "listen",
      "--sandbox",
      "--interval",
      "200ms",
      "--secret-file",
      "./whsec",
      ...flags,
      "--forward-to",
      forwardTo
    ],
    { cwd: dir, env, timeoutMs: 60_000 }
  )

const trigger = async (env: Record<string, string>, videoId: string) => {
  const out = await runBin(
    ["sandbox", "trigger", "avatar_video.success", "-d", JSON.stringify({ video_id: videoId, url: "https://x" })],
    { cwd: dir, env }
  )
  expect(out.code, out.stderr).toBe(0)
  const logged = JSON.parse(out.stdout) as { event_id: string; delivered: boolean }
  expect(logged.delivered).toBe(false)
  return logged.event_id
}

/** The lines after the one that says listen has started. */
const lines = (stdout: string) =>
  stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l["listening"] !== true)

/** Once listen has said it started, an event logged is one it forwards. */
const started = (running: ReturnType<typeof startBin>) => running.line(/"listening":true/)

const until = async (check: () => boolean, what: string, ms = 20_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe("webhook events listen --sandbox", () => {
  it(
    "forwards what sandbox trigger logs in another process, stops on Ctrl-C with a summary, and --since covers the gap",
    async () => {
      const env = sandboxEnv("session")
      const r = await receiver()
      const created = await runBin([
        "webhook",
        "endpoints",
        "create",
        "--sandbox",
        "--url",
        "https://example.com/hooks/heygen",
        "--events",
        "avatar_video.success",
        "--secret-file",
        "./endpoint-secret"
      ], { cwd: dir, env })
      expect(created.code, created.stderr).toBe(0)
      // A trigger without --forward-to logs and delivers nothing: nobody is listening yet.
      const before = await trigger(env, "v_before")
      expect(r.requests()).toEqual([])

      const listening = listen(env, r.url)
      // Started now: the event logged before it is not forwarded.
      await started(listening)
      const first = await trigger(env, "v_1")
      await until(() => r.handled().length === 1, "the first event")
      expect(r.handled().map((d) => d.eventId)).toEqual([first])
      expect(r.handled()[0]!.eventIdSource).toBe("header")

      const stopped = await listening.stop("SIGINT")
      expect(stopped.killed).toBe(false)
      const ended = await listening.closed
      expect(ended.code, ended.stderr).toBe(0)
      const printed = lines(ended.stdout)
      expect(printed[0]).toMatchObject({ event_id: first, outcome: "delivered", status: 200, attempt: 1 })
      expect(printed.at(-1)).toMatchObject({ stopped: true, forwarded: 1, pending: null })

      // While nobody listens (the laptop slept), another event is logged; --since picks it up on the restart, and
      // the receiver's de-duplication answers the first one again without running its handler.
      const missed = await trigger(env, "v_missed")
      const again = listen(env, r.url, "--since", "10m")

      await until(() => lines(again.output().stdout).length >= 3, "three forwards")
      await again.stop("SIGINT")
      const resumed = lines((await again.closed).stdout)
      expect(resumed.filter((l) => l["outcome"] === "delivered").map((l) => l["event_id"])).toEqual([
        before,
        first,
        missed
      ])
      // The first event reached the receiver twice and ran its handler once.
      expect(r.handled().map((d) => d.eventId)).toEqual([first, before, missed])
    },
    90_000
  )

  it("a refused forward is printed and tried again until the receiver takes it: never dropped", async () => {
    const env = sandboxEnv("refused")
    let refusals = 2
    const r = await receiver({ failWhen: () => refusals-- > 0 })
    const listening = listen(env, r.url)
    await started(listening)
    const out = await runBin(
      ["sandbox", "trigger", "avatar_video.fail", "--secret-file", "./whsec", "-d", "{\"video_id\":\"v_f\"}"],
      { cwd: dir, env }
    )
    expect(out.code, out.stderr).toBe(0)
    const id = (JSON.parse(out.stdout) as { event_id: string }).event_id
    await until(() => r.handled().length === 1, "the event, after two refusals")
    await listening.stop("SIGINT")
    const printed = lines((await listening.closed).stdout)
    expect(printed.filter((l) => l["event_id"] === id).map((l) => [l["outcome"], l["status"], l["attempt"]])).toEqual([
      ["retrying", 500, 1],
      ["retrying", 500, 2],
      ["delivered", 200, 3]
    ])
  }, 90_000)

  it("a 404 stops at once, naming the path", async () => {
    const env = sandboxEnv("wrong-path")
    // A server with nothing at the path listen is pointed at.
    const server = Http.createServer((request, response) => {
      request.resume()
      response.writeHead(404, { "content-length": "0" }).end()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("expected a TCP address")
    const wrong = `http://127.0.0.1:${address.port}/nope`
    const listening = listen(env, wrong)
    await started(listening)
    // No endpoint in this sandbox: the trigger signs with the receiver's secret.
    const out = await runBin(["sandbox", "trigger", "avatar_video.success", "--secret-file", "./whsec"], {
      cwd: dir,
      env
    })
    expect(out.code, out.stderr).toBe(0)
    const ended = await listening.closed
    const e = expectEnvelope(ended, 1)
    expect(e.error.code).toBe("cli_delivery_failed")
    expect(e.error.hint).toContain("POST /nope")
    expect(lines(ended.stdout)).toMatchObject([{ outcome: "failed", status: 404, attempt: 1 }])
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }, 90_000)

  it("refuses to start without --forward-to or --secret-file, exit 2 naming the flag", async () => {
    const env = sandboxEnv("usage")
    const noForward = await runBin(["webhook", "events", "listen", "--sandbox", "--secret-file", "./whsec"], {
      cwd: dir,
      env
    })
    expect(expectEnvelope(noForward, 2).error.param).toBe("--forward-to")
    const noSecret = await runBin(
      ["webhook", "events", "listen", "--sandbox", "--forward-to", "http://127.0.0.1:9/hooks/heygen"],
      { cwd: dir, env }
    )
    expect(expectEnvelope(noSecret, 2).error.param).toBe("--secret-file")
  })
})
