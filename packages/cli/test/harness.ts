/**
 * Test harness: the CLI in-process (`Main.run` with buffers for streams) and as the bundled bin in a child
 * process. Both report `{ code, stdout, stderr }` so the same assertions apply to either.
 */
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { Io } from "../src/Io.js"
import * as Main from "../src/Main.js"

export interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly stdin?: string
  readonly cwd?: string
}

/** Runs argv through the same function the bin runs, with the same exit-code and stderr mapping. */
export const runInProcess = (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> => {
  let stdout = ""
  let stderr = ""
  const io: Io["Type"] = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: Effect.succeed(options.stdin ?? ""),
    env: options.env ?? {},
    colors: false,
    cwd: options.cwd ?? process.cwd(),
    // In-process there is no Ctrl-C to wait for: `sandbox serve` starts, prints and stops at once.
    awaitShutdown: Effect.void
  }
  return Effect.runPromise(Effect.provideService(Main.run(argv), Io, io)).then((code) => ({ code, stdout, stderr }))
}

/** The bundled bin: what users run and what e2e tests must exercise (never the sources). */
export const bin = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "..", "bin", "effect-heygen.cjs")

/**
 * Spawns the bundled bin. The environment is built from scratch but for PATH-like basics, so that a developer's
 * own HEYGEN_API_KEY never leaks into a test (nor a test's key into a developer's API).
 */
export const runBin = (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s))
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s))
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code: code ?? (signal === null ? -1 : -2), stdout, stderr }))
    child.stdin.end(options.stdin ?? "")
  })

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
