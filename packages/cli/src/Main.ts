/**
 * The whole CLI as one function from argv to an exit code, which the bin and the in-process tests both call.
 * `@effect/cli` parses argv against the command tree and what it asks for is done: a command runs, or help,
 * completions, the version. Not `Command.run`: it prints its own help (`$ list` as usage, filler under each flag),
 * so the parse is `CommandDescriptor.parse` and its directives are handled here, as `Command.run` does.
 *
 * @since 0.1.0
 */
import * as Version from "@effect-heygen/core/Version"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as ExitCode from "./ExitCode.js"
import * as Commands from "./internal/commands.js"
import * as Failure from "./internal/failure.js"
import * as Help from "./internal/help.js"
import { Io } from "./Io.js"

// The values that must never be printed: the API key from `--api-key` (in either spelling) and from
// `HEYGEN_API_KEY`. Core never puts a key in an error; this is the second line of defence, for text the CLI
// echoes from argv (an unknown argument, say).
const secretsOf = (argv: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>) =>
  [
    ...argv.flatMap((arg, i) =>
      arg === "--api-key" ? [argv[i + 1] ?? ""] : arg.startsWith("--api-key=") ? [arg.slice(10)] : []
    ),
    env.HEYGEN_API_KEY ?? ""
  ].filter((s) => s.length >= 8) // Too short a value would match inside ordinary output; keys are long.

const scrubber = (secrets: ReadonlyArray<string>) => (text: string): string =>
  secrets.reduce((acc, secret) => acc.split(secret).join("[redacted]"), text)

// A defect is a bug: reported in the envelope like any failure, never as a stack trace (scripts parse stderr).
const fromCause = (cause: Cause.Cause<unknown>): Failure.CliError => {
  const error = Cause.squash(cause)
  return error instanceof Failure.CliError
    ? error
    : ValidationError.isValidationError(error)
    ? Failure.fromCliValidationError(error)
    : Failure.fromDefect(error instanceof Error ? error.message : `unexpected failure: ${String(error)}`)
}

// What `@effect/cli`'s parser needs from its environment, none of it used: the CLI reads its own files with node:fs
// and prompts through `Io`, so no-op implementations keep the Node file system and terminal modules out of start-up.
const environment = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Layer.succeed(Terminal.Terminal, {
    columns: Effect.succeed(100),
    rows: Effect.succeed(24),
    isTTY: Effect.succeed(false),
    readInput: Effect.tap(Mailbox.make<Terminal.UserInput>(), (mailbox) => mailbox.end),
    readLine: Effect.fail(new Terminal.QuitException()),
    display: () => Effect.void
  })
)

// The environment as `@effect/cli`'s fallbacks read it (`HEYGEN_API_KEY`, ...): an empty value is unset, as shells
// usually mean it.
const configFrom = (env: Readonly<Record<string, string | undefined>>) =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""))
  )

const usageError = (message: string, param: string | null) =>
  new Failure.CliError({
    code: "cli_usage",
    message,
    hint: "run with --help to see the commands and flags",
    param: param ?? undefined,
    exitCode: ExitCode.Usage
  })

/** Parses argv and does what it asks; fails with what the parse or the command failed with. */
const dispatch = (argv: ReadonlyArray<string>, io: Io["Type"]) =>
  Effect.gen(function*() {
    const directive = yield* Descriptor.parse(
      Commands.root.command.descriptor,
      [Help.programName, ...argv],
      CliConfig.defaultConfig
    )
    const help = (words: ReadonlyArray<string>) => Effect.sync(() => io.stdout(Help.render(Commands.root, words)))
    if (directive._tag === "UserDefined") {
      if (directive.leftover.length > 0) {
        const [word = ""] = directive.leftover
        return yield* Effect.fail(
          usageError(`unexpected argument ${JSON.stringify(word)}`, word.startsWith("-") ? word : null)
        )
      }
      // A group run with no command (`effect-heygen webhook`) asks for its help.
      return yield* Commands.root.command.handler(directive.value).pipe(
        Effect.mapError((e): unknown => e),
        Effect.catchSome((e) =>
          ValidationError.isValidationError(e) && ValidationError.isHelpRequested(e)
            ? Option.some(help(argv))
            : Option.none()
        )
      )
    }
    const option = directive.option
    switch (option._tag) {
      case "ShowHelp":
        return yield* help(argv)
      case "ShowVersion":
        return io.stdout(`${Version.version}\n`)
      case "ShowCompletions": {
        // Loaded on demand: nobody asks for completions on an ordinary run.
        const Completions = yield* Effect.promise(() => import("./internal/completions.js"))
        return io.stdout(Completions.render(option.shellType, Commands.root))
      }
      case "ShowWizard":
        return yield* Effect.fail(
          usageError("--wizard is not supported: effect-heygen is meant for scripts and never prompts", "--wizard")
        )
      case "SetLogLevel":
        return yield* Effect.fail(usageError("--log-level is not supported: effect-heygen logs nothing", "--log-level"))
    }
  })

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
    const exit = yield* dispatch(argv, io).pipe(
      Effect.provideService(Io, io),
      Effect.withConfigProvider(configFrom(raw.env)),
      Effect.provide(environment),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return ExitCode.Ok
    const failure = fromCause(exit.cause)
    io.stderr(`${Failure.render(failure)}\n`)
    return failure.exitCode
  })
