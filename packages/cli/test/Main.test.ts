/**
 * `Main.run` in-process: the whole CLI (parse, commands, error mapping) exactly as the bin runs it, minus the
 * process. The random-argv property runs here because spawning node costs ~0.2 s a run on this machine: 300 runs
 * would take a minute; a handful of spawned runs in e2e.test.ts check that the bin maps exit codes the same way.
 */
import * as Version from "@effect-heygen/core/Version"
import * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as Commands from "../src/internal/commands.js"
import * as Help from "../src/internal/help.js"
import { argv, commands } from "./argv.js"
import { envelope, runInProcess, stackTraceLine } from "./harness.js"

const apiKey = "hg_live_k3y_that_must_never_be_printed_4f9a"
const envelopeKeys = ["code", "message", "hint", "param", "doc_url", "request_id"]

let scope: Scope.CloseableScope
let server: FakeServer.Service
let cwd: string

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(FakeServer.layer({ fake: { apiKeys: [apiKey] } }), scope)
  )
  server = Context.get(context, FakeServer.FakeServer)
  cwd = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-cli-main-"))
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  NodeFs.rmSync(cwd, { recursive: true, force: true })
})

describe("Main.run", () => {
  it("prints help on stdout and exits 0", async () => {
    const out = await runInProcess(["--help"])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain("webhook endpoints create")
    expect(out.stdout).not.toContain("\u001b[") // no colours when not on a terminal
  })

  it("creates against the loopback fake with the key from the environment", async () => {
    const out = await runInProcess(["webhook", "endpoints", "create", "--url", "https://example.com/main-1"], {
      env: { HEYGEN_API_KEY: apiKey, HEYGEN_API_BASE: server.baseUrl },
      cwd
    })
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout).data.url).toBe("https://example.com/main-1")
  })

  it("scrubs the API key from text the CLI echoes from argv", async () => {
    const out = await runInProcess(["webhook", "endpoints", "create", "--api-key", apiKey, apiKey])
    expect(out.code).toBe(ExitCode.Usage)
    expect(out.stderr).not.toContain(apiKey)
    expect(out.stderr).toContain("[redacted]")
  })

  it.each(
    [
      // The base URL is the fake's unless the case is about it (the fake is started after the table is built).
      ["HEYGEN_API_BASE", { HEYGEN_API_KEY: apiKey, HEYGEN_API_BASE: "http://example.com" }, []],
      ["--base-url", { HEYGEN_API_KEY: apiKey }, ["--base-url", "http://example.com"]],
      ["HEYGEN_API_KEY", { HEYGEN_API_KEY: "hg_bad\u0001key" }, []],
      ["--api-key", { HEYGEN_API_KEY: apiKey }, ["--api-key", "hg_bad\u0001key"]]
    ] as const
  )("a bad value from %s is reported under that name, and the key is never printed", async (source, env, flags) => {
    const out = await runInProcess(["webhook", "endpoints", "list", ...flags], {
      env: { HEYGEN_API_BASE: server.baseUrl, ...env },
      cwd
    })
    expect(out.code).toBe(ExitCode.Usage)
    const error = envelope(out.stderr).error
    expect(error.code).toBe("cli_invalid_config")
    expect(error.param).toBe(source)
    expect(error.message.startsWith(`${source}: `)).toBe(true)
    expect(out.stderr).not.toContain("hg_bad")
  })

  it("--version prints the version on one line, with no blank line after it", async () => {
    const out = await runInProcess(["--version"])
    expect(out.code).toBe(0)
    expect(out.stdout).toBe(`${Version.version}\n`)
  })

  it("refuses --wizard (the CLI never prompts)", async () => {
    const out = await runInProcess(["webhook", "--wizard"])
    expect(out.code).toBe(ExitCode.Usage)
    expect(envelope(out.stderr).error.param).toBe("--wizard")
  })

  it("the random argv reaches every command of the tree", () => {
    const generated = new Set(commands.map((c) => c.slice(0, 3).join(" ")))
    for (const leaf of Help.commands(Commands.root)) {
      expect(generated.has(leaf.path.join(" ")), leaf.path.join(" ")).toBe(true)
    }
  })

  // Laws, for any argv: the exit code is one of 0-4; no stack trace is printed; a non-zero exit ends stderr with
  // exactly one well-formed envelope; codes the CLI made start with cli_; the API key is never printed, and no
  // signing secret reaches stderr. The generator covers every command.
  it("maps any argv to an exit code in 0-4 with a clean envelope and no key (300 runs)", async () => {
    const codes = new Set<number>()
    await FastCheck.assert(
      FastCheck.asyncProperty(
        argv({ loopback: server.baseUrl, apiKey }),
        FastCheck.boolean(),
        FastCheck.constantFrom("", "{\"url\":\"https://example.com/stdin\"}", "not json"),
        async (args, keyInEnv, stdin) => {
          const out = await runInProcess(args, {
            env: {
              HEYGEN_API_BASE: server.baseUrl,
              EFFECT_HEYGEN_SANDBOX_STATE: NodePath.join(cwd, "sandbox.json"),
              ...(keyInEnv ? { HEYGEN_API_KEY: apiKey } : {})
            },
            stdin,
            cwd
          })
          codes.add(out.code)
          expect(ExitCode.all).toContain(out.code)
          expect(out.stdout).not.toMatch(stackTraceLine)
          expect(out.stderr).not.toMatch(stackTraceLine)
          expect(out.stdout + out.stderr).not.toContain(apiKey)
          // Signing secrets go to stdout or a --secret-file, never to stderr (errors and warnings).
          expect(out.stderr).not.toMatch(/whsec_/)
          if (out.code !== ExitCode.Ok) {
            const e = envelope(out.stderr)
            expect(Object.keys(e.error)).toEqual(envelopeKeys)
            expect(e.error.message).not.toBe("")
            expect(e.error.code).not.toBe("cli_internal_error")
            expect(Object.keys(e)).toEqual(["error", "idempotency_key"])
          }
        }
      ),
      { numRuns: 300 }
    )
    // The generator is useful only if it reaches more than one outcome.
    expect(codes.size).toBeGreaterThanOrEqual(3)
  }, 90_000)
})
