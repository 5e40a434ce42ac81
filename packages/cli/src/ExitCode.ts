/**
 * The exit codes of `effect-heygen`, as HeyGen's own CLI defines them, so scripts written for one work with the
 * other.
 *
 * @since 0.1.0
 */

/**
 * Success.
 * @since 0.1.0
 */
export const Ok = 0 as const

/**
 * The API answered with an error, or the network failed.
 * @since 0.1.0
 */
export const ApiOrNetwork = 1 as const

/**
 * Usage or invalid input: a bad flag, a bad `--data` body, a request that failed validation. Nothing was sent.
 * @since 0.1.0
 */
export const Usage = 2 as const

/**
 * Authentication or permission: 401, 403, or no API key at all.
 * @since 0.1.0
 */
export const Auth = 3 as const

/**
 * A time limit ran out (one attempt or the whole call).
 * @since 0.1.0
 */
export const Timeout = 4 as const

/**
 * Every exit code the CLI uses; nothing else is ever returned (a property test holds the CLI to it).
 * @since 0.1.0
 */
export type ExitCode = typeof Ok | typeof ApiOrNetwork | typeof Usage | typeof Auth | typeof Timeout

/**
 * @since 0.1.0
 */
export const all: ReadonlyArray<ExitCode> = [Ok, ApiOrNetwork, Usage, Auth, Timeout]
