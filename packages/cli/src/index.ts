/**
 * @effect-heygen/cli: the `effect-heygen` command.
 *
 * @since 0.1.0
 */
export { version } from "@effect-heygen/core/Version"
