/**
 * The process around a command: its output streams, standard input, environment and shutdown signal. Commands
 * reach the outside world only through this service, so the same code runs in the bin (bound to the real process)
 * and in-process in tests (bound to buffers), which lets a property test run hundreds of argv vectors without
 * spawning hundreds of processes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** All of standard input as bytes: `webhook verify` checks a signature over them exactly as they are. */
  readonly readStdin: Effect.Effect<Uint8Array, Error>
  readonly env: Readonly<Record<string, string | undefined>>
  /** Resolves relative paths (`--data FILE`, `--secret-file PATH`). */
  readonly cwd: string
  /** Completes on Ctrl-C or SIGTERM: a long-running command (`sandbox serve`, `listen`) waits on it to stop cleanly. */
  readonly awaitShutdown: Effect.Effect<void>
  /** Completes when the reader of stdout has gone (`| head -1`): a listing stops there and exits 0. */
  readonly stdoutClosed?: Effect.Effect<void> | undefined
  /** Whether stderr is a terminal: only then may a listing keep a progress line on it. */
  readonly stderrIsTerminal?: boolean | undefined
  /** Asks a yes/no question; absent unless stdin and stderr are terminals (then scripts must say `--force`). */
  readonly confirm?: ((question: string) => Effect.Effect<boolean>) | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Io extends Context.Tag("@effect-heygen/cli/Io")<Io, Service>() {}
