/**
 * The whole CLI as one function from argv to an exit code: parse, run the command, and turn every failure into
 * one JSON line on stderr. The bin and the in-process tests both call `run`, so the tests see exactly the
 * mapping the bin uses.
 *
 * @since 0.1.0
 */
import * as Version from "@effect-heygen/core/Version"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Commands from "./Commands.js"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as Help from "./Help.js"
import { Io } from "./Io.js"

/**
 * What `@effect/cli` needs from its environment. None of it is used for real: the CLI reads its own files with
 * node:fs and never prompts (it is meant for scripts), so no-op and pure implementations do, and they keep the
 * Node file system and readline modules out of start-up.
 */
const environment = (io: Io["Type"]) =>
  Layer.mergeAll(
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(Terminal.Terminal, {
      columns: Effect.succeed(100),
      rows: Effect.succeed(24),
      isTTY: Effect.succeed(false),
      readInput: Effect.tap(Mailbox.make<Terminal.UserInput>(), (mailbox) => mailbox.end),
      readLine: Effect.fail(new Terminal.QuitException()),
      display: (text) => Effect.sync(() => io.stdout(text))
    })
  )

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by definition
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g

/**
 * `@effect/cli` prints help, `--version` and completions with `Console.log` (to our stdout, in colour only on a
 * terminal: a pipe or a file gets plain text), and its parse errors with `Console.error`: those are dropped,
 * because the CLI reports them itself as a JSON envelope.
 */
const consoleFor = (io: Io["Type"]) =>
  Console.consoleWith((current) =>
    Effect.succeed<Console.Console>({
      ...current,
      log: (...args: ReadonlyArray<unknown>) =>
        Effect.sync(() => {
          // Its version text already ends in a newline: one line ending, not a blank line after it.
          const text = args.map(String).join(" ").replace(/\n+$/, "")
          io.stdout(`${io.colors ? text : text.replace(ansi, "")}\n`)
        }),
      error: () => Effect.void
    })
  )

/**
 * The values that must never be printed: the API key from `--api-key` (in either spelling) and from
 * `HEYGEN_API_KEY`. Core never puts a key in an error; this is the second line of defence, for text the CLI
 * echoes from argv (an unknown argument, say).
 *
 * @since 0.1.0
 * @category secrets
 */
export const secretsOf = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Array<string> => {
  const found: Array<string> = []
  argv.forEach((arg, i) => {
    if (arg === "--api-key" && i + 1 < argv.length) found.push(argv[i + 1]!)
    if (arg.startsWith("--api-key=")) found.push(arg.slice("--api-key=".length))
  })
  if (env.HEYGEN_API_KEY !== undefined) found.push(env.HEYGEN_API_KEY)
  // Too short a value would match inside ordinary output; keys are long.
  return found.filter((s) => s.length >= 8)
}

const scrubber = (secrets: ReadonlyArray<string>) => (text: string): string =>
  secrets.reduce((acc, secret) => acc.split(secret).join("[redacted]"), text)

const report = (io: Io["Type"], failure: Failure.Failure): ExitCode.ExitCode => {
  io.stderr(`${Failure.render(failure)}\n`)
  return failure.exitCode
}

const fromCause = (io: Io["Type"], cause: Cause.Cause<unknown>): ExitCode.ExitCode => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof Failure.Reported) return report(io, error.failure)
    if (ValidationError.isValidationError(error)) {
      return report(io, Failure.fromCliValidationError(error, HelpDoc.toAnsiText))
    }
    return report(io, Failure.fromDefect(`unexpected failure: ${String(error)}`))
  }
  if (Cause.isInterruptedOnly(cause)) {
    return report(
      io,
      Failure.fromCliError(
        new Failure.CliError({ code: "cli_interrupted", message: "interrupted", exitCode: ExitCode.ApiOrNetwork })
      )
    )
  }
  // A defect is a bug: report it in the envelope, never as a stack trace (scripts parse stderr).
  const defect = Cause.squash(cause)
  return report(io, Failure.fromDefect(defect instanceof Error ? defect.message : String(defect)))
}

/**
 * The root command as an `@effect/cli` app. It parses flags and runs commands; `--help` and `--completions` are
 * rendered from the same definitions by `Help` and `Completions` instead (see `CommandSpec` for why).
 *
 * @since 0.1.0
 * @category commands
 */
export const app = Command.run(Commands.root, { name: "effect-heygen", version: Version.version })

/** The arguments before `--` (after it, everything is a value). */
const head = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = argv.indexOf("--")
  return end < 0 ? argv : argv.slice(0, end)
}

/**
 * What `--completions` asked for: nothing, a shell, or a bad value.
 */
const completionsRequest = (argv: ReadonlyArray<string>): Option.Option<string> => {
  const words = head(argv)
  const i = words.findIndex((w) => w === "--completions" || w.startsWith("--completions="))
  if (i < 0) return Option.none()
  const word = words[i]!
  return Option.some(word.includes("=") ? word.slice(word.indexOf("=") + 1) : words[i + 1] ?? "")
}

/**
 * Help instead of running: on `--help` / `-h`, and for a group named with nothing after it (`effect-heygen
 * webhook`), which has nothing to run.
 */
const wantsHelp = (argv: ReadonlyArray<string>): boolean => {
  const words = head(argv)
  if (words.includes("--help") || words.includes("-h")) return true
  const node = Help.find(Commands.spec, argv)
  return node.children.length > 0 && argv.length === node.path.length
}

/**
 * Runs the CLI on `argv` (the arguments after the executable) and returns the exit code. Never fails: every
 * outcome is printed and mapped to one of `ExitCode.all`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode.ExitCode, never, Io> =>
  Effect.gen(function*() {
    const raw = yield* Io
    const scrub = scrubber(secretsOf(argv, raw.env))
    const io: Io["Type"] = {
      ...raw,
      stdout: (text) => raw.stdout(scrub(text)),
      stderr: (text) => raw.stderr(scrub(text))
    }
    if (argv.includes("--wizard")) {
      return report(
        io,
        Failure.fromCliError(
          new Failure.CliError({
            code: "cli_usage",
            message: "--wizard is not supported: effect-heygen is meant for scripts and never prompts",
            hint: "run with --help to see the commands and flags",
            param: "--wizard",
            exitCode: ExitCode.Usage
          })
        )
      )
    }
    if (wantsHelp(argv)) {
      io.stdout(Help.render(Help.find(Commands.spec, argv)))
      return ExitCode.Ok
    }
    const shell = completionsRequest(argv)
    if (Option.isSome(shell)) {
      const Completions = yield* Effect.promise(() => import("./Completions.js"))
      if (!Completions.isShell(shell.value)) {
        return report(
          io,
          Failure.fromCliError(Failure.invalidFlag(
            "--completions",
            `expected bash, zsh or fish, got ${JSON.stringify(shell.value)}`,
            "e.g. effect-heygen --completions bash"
          ))
        )
      }
      io.stdout(Completions.render(shell.value, Commands.spec))
      return ExitCode.Ok
    }
    const console = yield* consoleFor(io)
    const exit = yield* app(["node", "effect-heygen", ...argv]).pipe(
      Effect.provideService(Io, io),
      Effect.provide(environment(io)),
      Effect.withConsole(console),
      Effect.exit
    )
    return Exit.isSuccess(exit) ? ExitCode.Ok : fromCause(io, exit.cause)
  })
