/**
 * Test harness: the CLI in-process (`Main.run` with buffers for streams) and as the bundled bin in a child
 * process. Both report `{ code, stdout, stderr }` so the same assertions apply to either.
 */
import * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { expect } from "vitest"
import { Io } from "../src/Io.js"
import * as Main from "../src/Main.js"

export interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Standard input: text (sent as UTF-8) or raw bytes. */
  readonly stdin?: string | Uint8Array
  readonly cwd?: string
  /**
   * Spawned runs only: how long the bin may run before it is stopped (SIGINT, then SIGKILL) and the run fails
   * (default 20 s, under vitest's 30 s test timeout so that the harness, not vitest, ends a hung run).
   */
  readonly timeoutMs?: number
}

/** Runs argv through the same function the bin runs, with the same exit-code and stderr mapping. */
export const runInProcess = (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> => {
  let stdout = ""
  let stderr = ""
  const io: Io["Type"] = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: Effect.succeed(
      typeof options.stdin === "string" || options.stdin === undefined
        ? new TextEncoder().encode(options.stdin ?? "")
        : options.stdin
    ),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    // In-process there is no Ctrl-C to wait for: `sandbox serve` starts, prints and stops at once.
    awaitShutdown: Effect.void
  }
  return Effect.runPromise(Effect.provideService(Main.run(argv), Io, io)).then((code) => ({ code, stdout, stderr }))
}

/** The bundled bin: what users run and what e2e tests must exercise (never the sources). */
export const bin = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "..", "bin", "effect-heygen.cjs")

/** How long a signalled bin may take to shut down before it is killed. */
export const graceMs = 3_000

/** Every spawned bin still running: none may outlive the test file (see `reapAll`). */
const live = new Set<ChildProcessWithoutNullStreams>()
// Last resort if the worker exits with bins still running (a hook that never ran, an aborted run).
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL")
})

/**
 * Puts a process a test spawned itself (a shell pipeline, a pseudo-terminal) under the same rule as the bins:
 * `reapAll` and the worker's exit kill it if it is still running.
 */
export const track = (child: ChildProcessWithoutNullStreams): ChildProcessWithoutNullStreams => {
  live.add(child)
  child.once("close", () => live.delete(child))
  return child
}

/** A spawned bin. */
export interface Running {
  readonly pid: number
  /** Everything printed so far. */
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  /** The first stdout line matching `pattern`; fails if the bin ends before printing one. */
  readonly line: (pattern: RegExp) => Promise<string>
  /** Resolves once the process has ended and its streams are closed. */
  readonly closed: Promise<Outcome & { readonly signal: NodeJS.Signals | null }>
  /**
   * Sends `signal` (default SIGINT), then SIGKILL if the bin has not ended within `graceMs`; resolves once it has
   * ended, saying whether it had to be killed.
   */
  readonly stop: (signal?: NodeJS.Signals) => Promise<{ readonly killed: boolean }>
}

/**
 * Spawns `node` with `args` (the bin, or in the harness's own tests a stand-in script). The environment is built
 * from scratch but for PATH-like basics, so that a developer's own HEYGEN_API_KEY never leaks into a test (nor a
 * test's key into a developer's API).
 */
export const startNode = (args: ReadonlyArray<string>, options: RunOptions = {}): Running => {
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  live.add(child)
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s))
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s))
  // stdin is a pipe: close it even when there is nothing to send, or `--data -` would wait forever. A bin that
  // ends before reading it makes the write fail with EPIPE, which is no concern of the test.
  child.stdin.on("error", () => undefined)
  child.stdin.end(options.stdin ?? "")
  const closed = new Promise<Outcome & { readonly signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", (error) => {
      live.delete(child)
      reject(error)
    })
    child.on("close", (code, signal) => {
      live.delete(child)
      resolve({ code: code ?? (signal === null ? -1 : -2), signal, stdout, stderr })
    })
  })
  // A rejection nobody awaits would be reported as unhandled: callers await `closed` when they need it.
  closed.catch(() => undefined)
  const ended = () => child.exitCode !== null || child.signalCode !== null
  return {
    pid: child.pid ?? -1,
    output: () => ({ stdout, stderr }),
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const look = () => {
          const found = stdout.split("\n").slice(0, -1).find((l) => pattern.test(l))
          if (found === undefined) return false
          child.stdout.off("data", look)
          resolve(found)
          return true
        }
        if (look()) return
        child.stdout.on("data", look)
        closed.then(
          () => reject(new Error(`the bin ended before printing ${pattern}: ${stderr}`)),
          reject
        )
      }),
    closed,
    stop: async (signal = "SIGINT") => {
      if (ended()) return closed.then(() => ({ killed: false }))
      child.kill(signal)
      let killed = false
      const timer = setTimeout(() => {
        killed = true
        child.kill("SIGKILL")
      }, graceMs)
      await closed.catch(() => undefined)
      clearTimeout(timer)
      return { killed }
    }
  }
}

/** Spawns the bundled bin. */
export const startBin = (argv: ReadonlyArray<string>, options: RunOptions = {}): Running =>
  startNode([bin, ...argv], options)

/** Whether a process with this id still exists. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Runs the bundled bin to its end. A run that outlives `timeoutMs` is stopped (SIGINT, then SIGKILL) and fails,
 * so a hang is a test failure with the argv, never a test that waits forever or a process left behind.
 */
export const runBin = async (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> => {
  const running = startBin(argv, options)
  const timeoutMs = options.timeoutMs ?? 20_000
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)))
  const first = await Promise.race([running.closed, timedOut])
  clearTimeout(timer)
  if (first !== "timeout") return { code: first.code, stdout: first.stdout, stderr: first.stderr }
  const { killed } = await running.stop("SIGINT")
  throw new Error(
    `effect-heygen ${JSON.stringify(argv)} still running after ${timeoutMs} ms: sent SIGINT` +
      (killed ? `, then SIGKILL after ${graceMs} ms` : "") +
      `\nstdout: ${running.output().stdout}\nstderr: ${running.output().stderr}`
  )
}

/** Kills every spawned bin still running and waits for each to end: for `afterAll`, so none outlives its file. */
export const reapAll = async (): Promise<number> => {
  const left = [...live]
  await Promise.all(left.map((child) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("close", () => resolve())
      child.kill("SIGKILL")
    })
  ))
  return left.length
}

/** The stderr error envelope, parsed; throws when stderr does not end with one. */
export const envelope = (stderr: string): {
  readonly error: {
    readonly code: string
    readonly message: string
    readonly hint: string | null
    readonly param: string | null
    readonly doc_url: string | null
    readonly request_id: string | null
  }
  readonly idempotency_key: string | null
} => {
  const lines = stderr.trim().split("\n")
  return JSON.parse(lines[lines.length - 1] ?? "")
}

/** A stack trace line, as Node prints them. */
export const stackTraceLine = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m

/** The keys of the stderr error envelope, in order (the contract DESIGN.md gives). */
export const envelopeKeys = ["code", "message", "hint", "param", "doc_url", "request_id"]

/** A failed run: the exit code, no stack trace, and exactly the envelope's keys; returns the envelope. */
export const expectEnvelope = (out: Outcome, code: number) => {
  expect(out.code, out.stderr).toBe(code)
  expect(out.stderr).not.toMatch(stackTraceLine)
  const e = envelope(out.stderr)
  expect(Object.keys(e.error)).toEqual(envelopeKeys)
  return e
}

/** The fake HeyGen API on 127.0.0.1 and a scratch directory that a file's bin runs share. */
export interface FakeApi {
  readonly server: FakeServer.Service
  readonly dir: string
  /** Stops the server and removes the directory. */
  readonly close: () => Promise<void>
}

/**
 * For a test file's `beforeAll`: checks the bundled bin exists, starts the fake API accepting `apiKeys`, and makes a
 * scratch directory named after `name`. `close` it in `afterAll`.
 */
export const startFakeApi = async (apiKeys: ReadonlyArray<string>, name: string): Promise<FakeApi> => {
  if (!NodeFs.existsSync(bin)) throw new Error(`${bin} is missing: run pnpm --filter @effect-heygen/cli run bundle`)
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(FakeServer.layer({ fake: { apiKeys: [...apiKeys] } }), scope)
  )
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), `eh-cli-${name}-`))
  return {
    server: Context.get(context, FakeServer.FakeServer),
    dir,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      NodeFs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
