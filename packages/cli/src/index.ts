/**
 * The `effect-heygen` command line. Its contract is the bin's (`bin/effect-heygen.cjs`): the commands, the JSON on
 * stdout, the error envelope on stderr and the exit codes. As a library it offers the same run in-process.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"

/**
 * @since 0.1.0
 */
export * as Io from "./Io.js"

/**
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
