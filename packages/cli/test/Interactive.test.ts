/**
 * What the CLI does on a terminal, through `Main.run` with an `Io` that says it is one (the bin decides that from
 * `isTTY`): delete asks first; a long listing keeps a progress line on stderr; a listing whose reader has gone
 * stops and exits 0.
 */
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import { Io } from "../src/Io.js"
import * as Main from "../src/Main.js"
import { envelope } from "./harness.js"

const apiKey = "hg_interactive_5e2d9c1a7b3f4e6d8a0c"
let scope: Scope.CloseableScope
let server: FakeServer.Service

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(FakeServer.layer({ fake: { apiKeys: [apiKey] } }), scope)
  )
  server = Context.get(context, FakeServer.FakeServer)
  await Effect.runPromise(
    Effect.forEach(
      Array.from({ length: 5 }, (_, i) => `https://example.com/interactive-${i}`),
      (url) => WebhookEndpoints.create({ url })
    ).pipe(
      Effect.provide(HeyGenClient.layer({ apiKey, baseUrl: server.baseUrl })),
      Effect.provide(NodeHttpClient.layer)
    )
  )
})

afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

interface Terminal {
  readonly answer?: boolean
  readonly stderrIsTerminal?: boolean
  readonly stdoutClosed?: Effect.Effect<void>
}

const runOn = async (argv: ReadonlyArray<string>, terminal: Terminal) => {
  let stdout = ""
  let stderr = ""
  const questions: Array<string> = []
  const io: Io["Type"] = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: Effect.succeed(new Uint8Array()),
    env: { HEYGEN_API_KEY: apiKey, HEYGEN_API_BASE: server.baseUrl },
    cwd: process.cwd(),
    awaitShutdown: Effect.void,
    stderrIsTerminal: terminal.stderrIsTerminal,
    stdoutClosed: terminal.stdoutClosed,
    confirm: terminal.answer === undefined
      ? undefined
      : (question) => Effect.sync(() => questions.push(question)).pipe(Effect.as(terminal.answer!))
  }
  const code = await Effect.runPromise(Effect.provideService(Main.run(argv), Io, io))
  return { code, stdout, stderr, questions }
}

const ids = () => Effect.runPromise(server.fake.endpoints(apiKey)).then((all) => all.map((e) => e.endpoint_id))
const deletes = () =>
  Effect.runPromise(server.fake.requests).then((all) => all.filter((r) => r.method === "DELETE").length)

describe("on a terminal", () => {
  it("delete asks, naming the endpoint; no sends nothing (exit 2); yes deletes", async () => {
    const [id] = await ids()
    const before = await deletes()
    const no = await runOn(["webhook", "endpoints", "delete", id!], { answer: false })
    expect(no.questions).toHaveLength(1)
    expect(no.questions[0]).toContain(id)
    expect(no.code).toBe(ExitCode.Usage)
    expect(envelope(no.stderr).error.code).toBe("cli_not_confirmed")
    expect(await deletes()).toBe(before)

    const yes = await runOn(["webhook", "endpoints", "delete", id!], { answer: true })
    expect(yes.code, yes.stderr).toBe(0)
    expect(await ids()).not.toContain(id)

    const forced = await runOn(["webhook", "endpoints", "delete", (await ids())[0]!, "--force"], { answer: false })
    expect(forced.questions).toEqual([])
    expect(forced.code, forced.stderr).toBe(0)
  })

  it("--all keeps a progress line on a terminal stderr, and clears it at the end", async () => {
    const out = await runOn(["webhook", "endpoints", "list", "--all", "--limit", "1"], { stderrIsTerminal: true })
    expect(out.code, out.stderr).toBe(0)
    const total = (await ids()).length
    expect(out.stderr).toContain(`fetched ${total} endpoints`)
    expect(out.stderr.endsWith("\r\u001b[K")).toBe(true)
    expect(out.stdout.trimEnd().split("\n")).toHaveLength(total)
  })

  it("a listing whose reader has gone stops and exits 0, quietly", async () => {
    const out = await runOn(["webhook", "endpoints", "list", "--all", "--limit", "1"], { stdoutClosed: Effect.void })
    expect(out.code).toBe(0)
    expect(out.stderr).toBe("")
    expect(out.stdout.trimEnd().split("\n").filter((l) => l !== "").length).toBeLessThan((await ids()).length)
  })
})
