/**
 * The process around a command: its output streams, standard input, environment and shutdown signal.
 *
 * Commands reach the outside world only through this service, so the same code runs in the bin (bound to the real
 * process) and in-process in tests (bound to buffers), which is what lets a property test run hundreds of argv
 * vectors without spawning hundreds of processes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Writes to standard output, as is. */
  readonly stdout: (text: string) => void
  /** Writes to standard error, as is. */
  readonly stderr: (text: string) => void
  /**
   * Reads all of standard input, as the bytes it holds (`--data -` decodes them as UTF-8; `webhook verify` checks
   * the signature over them as they are, since a decoded and re-encoded body need not be the same bytes).
   */
  readonly readStdin: Effect.Effect<Uint8Array, Error>
  /** The environment variables the command may read (`HEYGEN_API_KEY`, ...). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Whether help text may keep its ANSI colours (stdout is a terminal and `NO_COLOR` is unset). */
  readonly colors: boolean
  /** Resolves relative paths (`--data FILE`, `--secret-file PATH`). */
  readonly cwd: string
  /**
   * Completes on the first Ctrl-C (SIGINT) or SIGTERM. A long-running command (`sandbox serve`) waits on it to
   * shut down cleanly instead of being interrupted mid-write.
   */
  readonly awaitShutdown: Effect.Effect<void>
  /**
   * Completes when the reader of stdout has gone (`| head -1` closed the pipe): a listing stops there and the
   * command ends with exit 0. Absent: stdout never closes early.
   *
   * @since 0.2.0
   */
  readonly stdoutClosed?: Effect.Effect<void> | undefined
  /**
   * Whether stderr is a terminal: only then may a listing keep a progress line on it.
   *
   * @since 0.2.0
   */
  readonly stderrIsTerminal?: boolean | undefined
  /**
   * Asks a yes/no question on the terminal. Present only when stdin and stderr are both terminals: a command
   * that needs confirmation and finds none refuses (scripts must say they mean it, with `--force`).
   *
   * @since 0.2.0
   */
  readonly confirm?: ((question: string) => Effect.Effect<boolean>) | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Io extends Context.Tag("@effect-heygen/cli/Io")<Io, Service>() {}

/**
 * Prints a line on standard output.
 *
 * @since 0.1.0
 * @category combinators
 */
export const println = (text: string): Effect.Effect<void, never, Io> => Effect.map(Io, (io) => io.stdout(`${text}\n`))

/**
 * Prints a line on standard error.
 *
 * @since 0.1.0
 * @category combinators
 */
export const eprintln = (text: string): Effect.Effect<void, never, Io> => Effect.map(Io, (io) => io.stderr(`${text}\n`))
