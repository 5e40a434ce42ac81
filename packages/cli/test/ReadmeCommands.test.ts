/**
 * Every command the READMEs show, run as a reader would run it: each shell and console block of README.md and
 * packages/cli/README.md, in order, through the bundled bin, in a fresh working directory and sandbox per README
 * (a reader follows one of them), against the sandbox (commands
 * with `--sandbox`) or a fake HeyGen API standing in for the account (the others, as after `export
 * HEYGEN_API_KEY=...`), with a receiver on 127.0.0.1 serving `/hooks/heygen` wherever a command forwards. A console
 * block's documented output is compared with what the command printed, by structure: the same JSON keys and values,
 * the same table columns and rows, the same sentences, ids, times and paths aside.
 */
import { WebhookSignature } from "@effect-heygen/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs"
import * as Http from "node:http"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeApi, type Outcome, reapAll, runBin, type Running, startBin, startFakeApi } from "./harness.js"

const apiKey = "readme_commands_key"
const root = new URL("../../../", import.meta.url)
const readmes = ["README.md", "packages/cli/README.md"]

interface Command {
  readonly readme: string
  readonly line: string
  /** The documented output that follows it in a console block (empty when none is shown). */
  readonly output: ReadonlyArray<string>
}

// Lines a reader runs to set up, not commands of ours: the workspace set-up, the global install, the key.
const setUp = /^(corepack|pnpm|npm|export)\b/

/** The commands of a README's shell and console blocks, with their documented output, in order. */
const commandsOf = (readme: string): Array<Command> => {
  const text = NodeFs.readFileSync(new URL(readme, root), "utf8")
  const commands: Array<Command> = []
  for (const [, lang, body] of text.matchAll(/```(sh|console|bash|shell)\n([\s\S]*?)```/g)) {
    const lines = body!.replace(/\\\n\s*/g, "").split("\n")
    if (lang === "console") {
      let current: { line: string; output: Array<string> } | null = null
      for (const line of lines) {
        if (line.startsWith("$ ")) {
          if (current !== null) commands.push({ readme, ...current })
          current = { line: line.slice(2), output: [] }
        } else if (current !== null && line.trim() !== "") current.output.push(line)
      }
      if (current !== null) commands.push({ readme, ...current })
    } else {
      for (const line of lines) {
        // A comment starts at a `#` after whitespace (never inside the quoted JSON the examples pass).
        const command = line.replace(/\s+#.*$/, "").trim()
        if (command !== "" && !command.startsWith("#")) commands.push({ readme, line: command, output: [] })
      }
    }
  }
  return commands.filter((c) => !setUp.test(c.line))
}

/** Splits a command line into words as a shell would for these examples: quotes, and `<` / `>` redirections. */
const words = (line: string): Array<string> =>
  [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)

// What varies from run to run and is set aside when outputs are compared.
const variable: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(ep|req|evt)_[0-9a-f]{8,}\b/g, "<$1>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>"],
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>"],
  [/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [A-Z]{3,4}[+-]?\d*/g, "<local time>"],
  [/\b\d+ ms\b/g, "<ms>"]
]
const normalize = (text: string) => variable.reduce((s, [pattern, by]) => s.replace(pattern, by), text)

/** A JSON value with what varies set aside: absolute paths too (a state file lives elsewhere on every machine). */
const shape = (value: unknown): unknown => {
  if (typeof value === "string") return value.startsWith("/") ? "<path>" : normalize(value)
  if (Array.isArray(value)) return value.map(shape)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
  }
  return value
}

const parseJson = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

/** Compares what a command printed with its documented output, line by line, by structure. */
const expectLike = (printed: string, documented: ReadonlyArray<string>, what: string) => {
  const lines = printed.split("\n").filter((l) => l.trim() !== "")
  expect(lines.length, `${what}: lines printed\n${printed}`).toBe(documented.length)
  documented.forEach((doc, i) => {
    const json = parseJson(doc)
    if (json !== undefined) return expect(shape(parseJson(lines[i]!)), `${what}: line ${i + 1}`).toEqual(shape(json))
    // A table row or a sentence: the same columns (cells two spaces or more apart), the same words.
    const cells = (l: string) => normalize(l).trim().split(/\s{2,}/)
    expect(cells(lines[i]!), `${what}: line ${i + 1}`).toEqual(cells(doc))
  })
}

let api: FakeApi
/** The working directory of the README being followed. */
let dir = ""
let receiver: Http.Server
let receiverOrigin = ""
const received: Array<{ path: string; status: number }> = []

beforeAll(async () => {
  api = await startFakeApi([apiKey], "readme")
  dir = api.dir
  // HeyGen's account log, for the README's replay against the account.
  await Effect.runPromise(api.server.fake.recordEvent({
    account: apiKey,
    eventType: "avatar_video.success",
    eventData: { video_id: "v_readme", url: "https://cdn.example/v_readme.mp4" }
  }))
  // A receiver as the READMEs' examples serve it: /hooks/heygen only, verifying with the secret now in ./whsec.
  receiver = Http.createServer((request, response) => {
    const parts: Array<Buffer> = []
    request.on("data", (part: Buffer) => parts.push(part))
    request.on("end", () => {
      const path = (request.url ?? "/").split("?")[0]!
      const answer = (status: number) => {
        received.push({ path, status })
        response.writeHead(status, { "content-length": "0" }).end()
      }
      if (path !== "/hooks/heygen") return answer(404)
      const secret = NodeFs.readFileSync(NodePath.join(dir, "whsec"), "utf8").split("\n")[0]!
      const verified = Effect.runSyncExit(
        WebhookSignature.verify(Buffer.concat(parts), request.headers, Redacted.make(secret))
      )
      answer(verified._tag === "Success" ? 200 : 401)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  const address = receiver.address()
  if (address === null || typeof address === "string") throw new Error("expected a TCP address")
  receiverOrigin = `http://127.0.0.1:${address.port}`
}, 30_000)

afterAll(async () => {
  await reapAll()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await api.close()
})

/** The last endpoint created in the session, which `EP_ID` and the documented ids stand for. */
let endpointId = "EP_ID"

/** Commands that run until Ctrl-C, started in the background as a reader starts them in a shell of their own. */
const untilStopped = (argv: ReadonlyArray<string>) => argv.includes("listen") || argv.includes("serve")
const background: Array<{ readonly command: Command; readonly running: Running; readonly from: number }> = []

/** Runs one README command as a reader would, with this test's stand-ins for what the README leaves to them. */
const run = async (command: Command): Promise<Outcome> => {
  const argv = words(command.line)
  expect(argv[0], `${command.readme}: ${command.line}`).toBe("effect-heygen")
  if (argv.includes("verify")) {
    // The captured delivery: the body the documented output shows, signed with the secret in ./whsec.
    const shown = JSON.parse(command.output[0]!) as Record<string, unknown>
    const body = JSON.stringify({
      event_type: shown["event_type"],
      event_id: shown["event_id"],
      created_at: shown["created_at"],
      event_data: shown["event_data"]
    })
    NodeFs.writeFileSync(NodePath.join(dir, "body.json"), body)
    const secret = NodeFs.readFileSync(NodePath.join(dir, "whsec"), "utf8").split("\n")[0]!
    const signature = WebhookSignature.computeSignature(body, Redacted.make(secret))
    argv.splice(argv.indexOf("--signature") + 1, 1, signature)
  }
  let stdin: string | undefined
  let stdoutFile: string | undefined
  const args: Array<string> = []
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!
    if (word === "<") stdin = NodeFs.readFileSync(NodePath.join(dir, argv[++i]!), "utf8")
    else if (word === ">") stdoutFile = argv[++i]!
    else if (argv[i - 1] === "--forward-to") args.push(word.replace(/^https?:\/\/[^/]+/, receiverOrigin))
    else if (word === "EP_ID" || /^ep_[0-9a-f]{16}$/.test(word)) args.push(endpointId)
    else args.push(word)
  }
  const options = {
    cwd: dir,
    ...(stdin === undefined ? {} : { stdin }),
    env: {
      EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(dir, "sandbox.json"),
      HEYGEN_API_KEY: apiKey,
      HEYGEN_API_BASE: api.server.baseUrl,
      TZ: "Europe/Paris"
    },
    timeoutMs: 25_000
  }
  if (untilStopped(argv)) {
    const running = startBin(args, options)
    background.push({ command, running, from: received.length })
    // Started, as a reader sees it start (its first line), before the next command runs in another shell.
    await running.line(/\S/)
    return { code: 0, stdout: "", stderr: "" }
  }
  const outcome = await runBin(args, options)
  if (stdoutFile !== undefined) NodeFs.writeFileSync(NodePath.join(dir, stdoutFile), outcome.stdout)
  const created = /"endpoint_id":"(ep_[0-9a-f]+)"/.exec(outcome.stdout)
  if (args.includes("create") && created !== null) endpointId = created[1]!
  return outcome
}

describe("every command the READMEs show", () => {
  it("finds the commands of both READMEs", () => {
    expect(commandsOf("README.md").length).toBeGreaterThan(5)
    expect(commandsOf("packages/cli/README.md").length).toBeGreaterThan(8)
  })

  it.each(readmes)("%s: runs each as written, in order, printing what the README shows", async (readme) => {
    dir = NodeFs.mkdtempSync(NodePath.join(api.dir, "reader-"))
    endpointId = "EP_ID"
    for (const command of commandsOf(readme)) {
      const what = `${command.readme}: ${command.line}`
      const before = received.length
      const outcome = await run(command)
      const failure = command.output.length === 1 && command.output[0]!.startsWith(`{"error"`)
      if (failure) {
        expect(outcome.code, what).not.toBe(0)
        expectLike(outcome.stderr, command.output, what)
        continue
      }
      expect(outcome.code, `${what}\n${outcome.stderr}`).toBe(0)
      if (command.output.length > 0) expectLike(outcome.stdout, command.output, what)
      // An event logged for a listen running in another shell: it is forwarded within the listen's interval.
      const logged = /"delivered":false/.test(outcome.stdout)
        ? (JSON.parse(outcome.stdout) as { event_id: string })
        : null
      if (logged !== null && background.length > 0) {
        const forwarded = () => background.some((b) => b.running.output().stdout.includes(logged.event_id))
        const end = Date.now() + 15_000
        while (!forwarded() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100))
        expect(forwarded(), `${what}: forwarded by ${background.map((b) => b.command.line).join(", ")}`).toBe(true)
      }
      // Whatever it forwarded reached the receiver's path and was accepted.
      const forwards = command.line.includes("--forward-to") && !command.line.includes("--dry-run")
      if (forwards && !untilStopped(words(command.line))) {
        const sent = received.slice(before)
        expect(sent.length, what).toBeGreaterThan(0)
        expect(sent, what).toEqual(sent.map(() => ({ path: "/hooks/heygen", status: 200 })))
      }
    }
    // The reader presses Ctrl-C in each shell left running: each stops cleanly, and what it forwarded was accepted.
    for (const { command, from, running } of background.splice(0)) {
      const { killed } = await running.stop("SIGINT")
      const ended = await running.closed
      expect(killed, command.line).toBe(false)
      expect(ended.code, `${command.line}\n${ended.stderr}`).toBe(0)
      if (command.line.includes("--forward-to")) {
        expect(received.slice(from), command.line).toEqual(
          received.slice(from).map(() => ({ path: "/hooks/heygen", status: 200 }))
        )
      }
    }
  }, 300_000)
})
