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
 * `webhook endpoints create`.
 *
 * @since 0.1.0
 */
export * as Create from "./Create.js"

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

export {
  /**
   * The package version.
   *
   * @since 0.1.0
   */
  version
} from "@effect-heygen/core/Version"
