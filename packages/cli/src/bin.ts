/**
 * The `effect-heygen` executable: binds `Main.run` to the real process. Bundled by esbuild into one minified
 * CommonJS file (`bin/effect-heygen.cjs`, see scripts/bundle.mjs) so that start-up does not walk hundreds of ESM
 * files; commands load their heavy parts (HTTP client, sandbox server) with `import()` only when they run.
 *
 * @since 0.1.0
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as NodeReadline from "node:readline"
import * as ExitCode from "./ExitCode.js"
import { Io } from "./Io.js"
import * as Main from "./Main.js"

const shutdown = Effect.runSync(Deferred.make<void>())
// Set when a command (`sandbox serve`) waits for Ctrl-C itself; otherwise Ctrl-C interrupts the command.
let shutdownAwaited = false

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

const confirm = (question: string) =>
  Effect.async<boolean>((resume) => {
    // A static import: the bundle runs in a vm.Script, which has no callback for import() of Node built-ins.
    const rl = NodeReadline.createInterface({ input: process.stdin, output: process.stderr })
    rl.question(question, (answer) => {
      rl.close()
      resume(Effect.succeed(/^y(es)?$/i.test(answer.trim())))
    })
    rl.once("SIGINT", () => {
      rl.close()
      resume(Effect.succeed(false))
    })
  })

const io: Io["Type"] = {
  stdout: (text) => {
    if (stdoutOpen) process.stdout.write(text)
  },
  stderr: (text) => void process.stderr.write(text),
  readStdin,
  env: process.env,
  colors: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  cwd: process.cwd(),
  awaitShutdown: Effect.suspend(() => {
    shutdownAwaited = true
    return Deferred.await(shutdown)
  }),
  stdoutClosed: Deferred.await(stdoutClosed),
  stderrIsTerminal: process.stderr.isTTY === true,
  confirm: process.stdin.isTTY === true && process.stderr.isTTY === true ? confirm : undefined
}

const fiber = Effect.runFork(Effect.provideService(Main.run(process.argv.slice(2)), Io, io))

let signals = 0
const onSignal = () => {
  signals += 1
  // A second Ctrl-C means "now": do not wait for finalizers that may be stuck.
  if (signals > 1) process.exit(ExitCode.ApiOrNetwork)
  if (shutdownAwaited) Deferred.unsafeDone(shutdown, Exit.void)
  else fiber.unsafeInterruptAsFork(fiber.id())
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

fiber.addObserver((exit) => {
  process.off("SIGINT", onSignal)
  process.off("SIGTERM", onSignal)
  // `exitCode`, not `exit()`: let stdout and stderr drain before the process ends.
  process.exitCode = Exit.isSuccess(exit) ? exit.value : ExitCode.ApiOrNetwork
})
