/**
 * @effect-heygen/cli: the `effect-heygen` command, a thin shell over @effect-heygen/core.
 *
 * @since 0.1.0
 */

/**
 * The command tree.
 *
 * @since 0.1.0
 */
export * as Commands from "./Commands.js"

/**
 * The connection flags and one call to core, shared by every API command.
 *
 * @since 0.2.0
 */
export * as Call from "./Call.js"

/**
 * Shell completion scripts (bash, zsh, fish), rendered from the command definitions.
 *
 * @since 0.2.0
 */
export * as Completions from "./Completions.js"

/**
 * `webhook endpoints create|list|update|delete|rotate-secret`: flags, help and handlers.
 *
 * @since 0.2.0
 */
export * as Endpoints from "./Endpoints.js"

/**
 * `webhook event-types list`, `webhook events list|replay`: flags, help and the lists' handlers.
 *
 * @since 0.2.0
 */
export * as Events from "./Events.js"

/**
 * Exit codes.
 *
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"

/**
 * The stderr envelope and the mapping of every error to it.
 *
 * @since 0.1.0
 */
export * as Failure from "./Failure.js"

/**
 * The flags commands share.
 *
 * @since 0.2.0
 */
export * as Flags from "./Flags.js"

/**
 * `--help`, rendered from `@effect/cli`'s definition of the commands.
 *
 * @since 0.2.0
 */
export * as Help from "./Help.js"

/**
 * The process around a command.
 *
 * @since 0.1.0
 */
export * as Io from "./Io.js"

/**
 * argv in, exit code out.
 *
 * @since 0.1.0
 */
export * as Main from "./Main.js"

/**
 * JSON, NDJSON and tables on stdout.
 *
 * @since 0.2.0
 */
export * as Output from "./Output.js"

/**
 * The sandbox's saved state: path, lock, atomic writes, reset.
 *
 * @since 0.2.0
 */
export * as SandboxState from "./SandboxState.js"

/**
 * Where a new signing secret goes: a 0600 file or stdout, never lost.
 *
 * @since 0.2.0
 */
export * as SecretOutput from "./SecretOutput.js"

/**
 * Aligned tables and local times for `--human`.
 *
 * @since 0.2.0
 */
export * as Table from "./Table.js"

export {
  /**
   * The package version.
   *
   * @since 0.1.0
   */
  version
} from "@effect-heygen/core/Version"
