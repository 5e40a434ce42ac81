/**
 * The `effect-heygen` executable: `Main.run` on the real process, through `NodeRuntime.runMain` (Ctrl-C
 * interrupts the command, the exit code is the command's). Bundled by esbuild into one minified CommonJS file
 * (`bin/effect-heygen.cjs`, see scripts/bundle.mjs) so that start-up does not walk hundreds of ESM files; commands
 * load their heavy parts (HTTP client, sandbox server) with `import()` only when they run.
 *
 * @since 0.1.0
 */
import * as Prompt from "@effect/cli/Prompt"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ExitCode from "./ExitCode.js"
import { Io } from "./Io.js"
import * as Main from "./Main.js"

const readStdin = Effect.async<Uint8Array, Error>((resume) => {
  const chunks: Array<Buffer> = []
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk))
  process.stdin.once("end", () => resume(Effect.succeed(Buffer.concat(chunks))))
  process.stdin.once("error", (error) => resume(Effect.fail(error)))
})

// When the reader of stdout goes away (`| head -1`), Node reports EPIPE as an "error" event: without a listener
// that is an uncaught exception with a stack trace. Instead, listings stop at once and the command exits 0.
const stdoutClosed = Effect.runSync(Deferred.make<void>())
let stdoutOpen = true
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error
  stdoutOpen = false
  Deferred.unsafeDone(stdoutClosed, Exit.void)
})

// The question goes to stderr: stdout is the command's JSON.
const terminal = Layer.scoped(
  Terminal.Terminal,
  Effect.map(
    NodeTerminal.make(),
    (t) => ({ ...t, display: (text: string) => Effect.sync(() => void process.stderr.write(text)) })
  )
)

const confirm = (message: string) =>
  Prompt.confirm({ message, initial: false }).pipe(
    Effect.provide(terminal),
    Effect.orElseSucceed(() => false)
  )

// `sandbox serve` runs until Ctrl-C: for it, the interruption is the way to stop, not a failure.
let stopsOnInterrupt = false

const io: Io["Type"] = {
  stdout: (text) => {
    if (stdoutOpen) process.stdout.write(text)
  },
  stderr: (text) => void process.stderr.write(text),
  readStdin,
  env: process.env,
  cwd: process.cwd(),
  awaitShutdown: Effect.suspend(() => {
    stopsOnInterrupt = true
    return Effect.never
  }),
  stdoutClosed: Deferred.await(stdoutClosed),
  stderrIsTerminal: process.stderr.isTTY === true,
  confirm: process.stdin.isTTY === true && process.stderr.isTTY === true ? confirm : undefined
}

NodeRuntime.runMain(Effect.provideService(Main.run(process.argv.slice(2)), Io, io), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.ApiOrNetwork)
    // Interrupted (Ctrl-C): a keyed call has said on stderr how to replay it (`Call.onInterruptReplayHint`).
    if (stopsOnInterrupt && Cause.isInterruptedOnly(exit.cause)) return onExit(ExitCode.Ok)
    onExit(ExitCode.ApiOrNetwork)
  }
})
