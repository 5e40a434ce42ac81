import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import * as Trigger from "../src/internal/trigger.js"
import { Io } from "../src/Io.js"
import { runInProcess } from "./harness.js"

const secret = "whsec_cli_receive_test_secret"
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-receive-"))
const secretFile = path.join(dir, "whsec")
fs.writeFileSync(secretFile, `${secret}\n`)

const body = JSON.stringify({
  event_type: "avatar_video.success",
  event_data: { video_id: "v1", url: "https://cdn/v1.mp4" }
})
const now = () => Math.floor(Date.now() / 1000)
const signatureOf = (b: string | Uint8Array, key = secret) => WebhookSignature.computeSignature(b, Redacted.make(key))

/** `webhook verify` with the headers of `signed` (default: `body`) as flags; `eventId: null` leaves that flag out. */
const verifyArgs = (
  extra: ReadonlyArray<string> = [],
  options: {
    readonly signed?: string | Uint8Array
    readonly secretFile?: string
    readonly timestamp?: number
    readonly eventId?: string | null
  } = {}
) => [
  "webhook",
  "verify",
  "--secret-file",
  options.secretFile ?? secretFile,
  "--signature",
  signatureOf(options.signed ?? body),
  "--timestamp",
  String(options.timestamp ?? now()),
  ...(options.eventId === null ? [] : ["--event-id", options.eventId ?? "evt_cli"]),
  ...extra
]

const errorOf = (stderr: string) => (JSON.parse(stderr) as { error: { code: string; param: string | null } }).error

describe("webhook verify", () => {
  it("prints the decoded delivery of a genuine body and exits 0", async () => {
    const out = await runInProcess(verifyArgs(), { stdin: body })
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout)).toMatchObject({
      event_id: "evt_cli",
      event_type: "avatar_video.success",
      event_data: { video_id: "v1", url: "https://cdn/v1.mp4" }
    })
  })

  it("a body changed (re-formatted) after signing: exit 1, cli_signature_mismatch, and no secret in the output", async () => {
    const out = await runInProcess(verifyArgs(), { stdin: JSON.stringify(JSON.parse(body), null, 2) })
    expect(out.code).toBe(1)
    expect(errorOf(out.stderr)).toMatchObject({ code: "cli_signature_mismatch", param: "--signature" })
    expect(out.stdout + out.stderr).not.toContain(secret)
  })

  it("checks the signature over stdin's bytes as they are, even when they are not UTF-8", async () => {
    // A byte that is not UTF-8: decoding it (to U+FFFD) and re-encoding would change the bytes, and the signature
    // would seem wrong. Checked as sent, the signature matches and the body is refused for what it is.
    const bytes = Buffer.concat([
      Buffer.from(`{"event_type":"x","event_data":{"a":"`),
      Buffer.from([0xff]),
      Buffer.from(`"}}`)
    ])
    const out = await runInProcess(verifyArgs([], { signed: bytes, eventId: "evt_bytes" }), { stdin: bytes })
    expect(out.code).toBe(1)
    expect(errorOf(out.stderr).code).toBe("cli_invalid_payload")
  })

  it("names a missing signature by its flag; a missing --event-id is not an error (the id comes from the body)", async () => {
    const args = verifyArgs([], { eventId: null })
    const at = args.indexOf("--signature")
    const out = await runInProcess([...args.slice(0, at), ...args.slice(at + 2)], { stdin: body })
    expect(out.code).toBe(1)
    expect(errorOf(out.stderr)).toMatchObject({ code: "cli_missing_header", param: "--signature" })
    expect((await runInProcess(args, { stdin: body })).code).toBe(0)
  })

  it("an old timestamp fails, and passes with a wider --timestamp-tolerance", async () => {
    const old = verifyArgs([], { timestamp: now() - 600, eventId: "e" })
    const refused = await runInProcess(old, { stdin: body })
    expect(errorOf(refused.stderr).code).toBe("cli_timestamp_out_of_tolerance")
    expect((await runInProcess([...old, "--timestamp-tolerance", "15m"], { stdin: body })).code).toBe(0)
  })

  it("any of several secrets in the file passes (rotation)", async () => {
    const both = path.join(dir, "both")
    fs.writeFileSync(both, `whsec_new_one\n${secret}\n`)
    const out = await runInProcess(verifyArgs([], { secretFile: both, eventId: "e" }), { stdin: body })
    expect(out.code).toBe(0)
  })

  it("a missing secret file is a usage error (exit 2)", async () => {
    const out = await runInProcess(["webhook", "verify", "--secret-file", path.join(dir, "nope")], { stdin: body })
    expect(out.code).toBe(2)
    expect(errorOf(out.stderr).code).toBe("cli_secret_file_unreadable")
  })
})

/** core's receiver on 127.0.0.1, for trigger to deliver to. */
const receiver = (handler: () => Effect.Effect<unknown, string>): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const log = yield* DeliveryLog.makeMemory()
    yield* HttpServer.serveEffect()(WebhookReceiver.make(handler, { secrets: Redacted.make(secret) })).pipe(
      Effect.provideService(HttpServer.HttpServer, server),
      Effect.provideService(DeliveryLog.DeliveryLog, log)
    )
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

const stateEnv = () => ({
  EFFECT_HEYGEN_SANDBOX_STATE: path.join(fs.mkdtempSync(path.join(dir, "state-")), "sandbox.json")
})

describe("sandbox trigger", () => {
  it.live("signs with the secret file and delivers to --forward-to; the receiver's handler runs", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const url = yield* receiver(() => Ref.update(runs, (n) => n + 1))
      const out = yield* Effect.promise(() =>
        runInProcess([
          "sandbox",
          "trigger",
          "avatar_video.success",
          "--data",
          `{"video_id":"v","url":"u"}`,
          "--forward-to",
          url,
          "--secret-file",
          secretFile
        ], { env: stateEnv() })
      )
      expect(out.code).toBe(0)
      expect(JSON.parse(out.stdout.trim().split("\n")[0]!)).toMatchObject({
        attempt: 1,
        status: 200,
        outcome: "Delivered"
      })
      expect(yield* Ref.get(runs)).toBe(1)
    }).pipe(Effect.scoped))

  it("an unknown --header-style is a usage error naming it, before the event is logged", async () => {
    const env = stateEnv()
    const out = await runInProcess([
      "sandbox",
      "trigger",
      "avatar_video.success",
      "--forward-to",
      "http://127.0.0.1:9/hooks",
      "--secret-file",
      secretFile,
      "--header-style",
      "heygen"
    ], { env })
    expect(out.code).toBe(2)
    expect(errorOf(out.stderr)).toMatchObject({ code: "cli_invalid_flag", param: "--header-style" })
    expect(fs.existsSync(env.EFFECT_HEYGEN_SANDBOX_STATE)).toBe(false)
  })

  it("with no endpoint subscribed (a fresh sandbox, no --secret-file): exit 2, cli_no_endpoints", async () => {
    const out = await runInProcess([
      "sandbox",
      "trigger",
      "avatar_video.success",
      "--forward-to",
      "http://127.0.0.1:9/hooks"
    ], { env: stateEnv() })
    expect(out.code).toBe(2)
    expect(errorOf(out.stderr).code).toBe("cli_no_endpoints")
  })

  it.live("delivers to the endpoints the sandbox holds (signed with their secret) and logs the event", () =>
    Effect.gen(function*() {
      const env = stateEnv()
      const endpointSecret = path.join(dir, `created-${Date.now()}`)
      const created = yield* Effect.promise(() =>
        runInProcess([
          "webhook",
          "endpoints",
          "create",
          "--sandbox",
          "--url",
          "https://example.com/h",
          "--events",
          "avatar_video.fail",
          "--secret-file",
          endpointSecret
        ], { env })
      )
      expect(created.code).toBe(0)
      const key = fs.readFileSync(endpointSecret, "utf8").trim()
      const runs = yield* Ref.make<Array<string>>([])
      const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
      const log = yield* DeliveryLog.makeMemory()
      yield* HttpServer.serveEffect()(
        WebhookReceiver.make((d) => Ref.update(runs, (xs) => [...xs, d.eventId]), { secrets: Redacted.make(key) })
      ).pipe(
        Effect.provideService(HttpServer.HttpServer, server),
        Effect.provideService(DeliveryLog.DeliveryLog, log)
      )
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const url = `http://127.0.0.1:${address.port}/hooks`
      const out = yield* Effect.promise(() =>
        runInProcess([
          "sandbox",
          "trigger",
          "avatar_video.fail",
          "-d",
          `{"video_id":"v","msg":"m"}`,
          "--forward-to",
          url
        ], { env })
      )
      expect(out.code).toBe(0)
      const handled = yield* Ref.get(runs)
      expect(handled).toHaveLength(1)
      // Not subscribed: nothing is delivered for another type (and no secret file is given).
      const other = yield* Effect.promise(() =>
        runInProcess(["sandbox", "trigger", "avatar_video.success", "--forward-to", url], { env })
      )
      expect(errorOf(other.stderr).code).toBe("cli_no_endpoints")
      // The delivered event is in the sandbox's event log, under the id the receiver saw.
      const events = yield* Effect.promise(() => runInProcess(["webhook", "events", "list", "--sandbox"], { env }))
      expect(events.stdout).toContain(handled[0]!)
    }).pipe(Effect.scoped))

  it.live("redelivers after a failure and prints every attempt", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make(0)
      const url = yield* receiver(() =>
        Effect.flatMap(Ref.updateAndGet(calls, (n) => n + 1), (n) => (n === 1 ? Effect.fail("once") : Effect.void))
      )
      let stdout = ""
      const io: Io["Type"] = {
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
        readStdin: Effect.succeed(new Uint8Array()),
        env: {},
        cwd: process.cwd(),
        awaitShutdown: Effect.void
      }
      const endpoint = {
        endpoint_id: "ep_1",
        url: "https://example.com/h",
        events: null,
        secret: Redacted.make(secret)
      }
      yield* Trigger.trigger([endpoint], {
        eventType: "avatar_video.fail",
        data: { video_id: "v", msg: "m" },
        forwardTo: url,
        human: false
      }, Schedule.recurs(3)).pipe(
        Effect.provideService(Io, io)
      )
      expect(stdout.trim().split("\n").map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([500, 200])
      expect(yield* Ref.get(calls)).toBe(2)
    }).pipe(Effect.scoped))
})
