/**
 * Parsers for flag values that are not plain text.
 *
 * `@effect/cli`'s own `Options.integer` reports "'x' is not a integer" without naming the flag, so numeric flags
 * are read as text and parsed here, with errors that name the flag and exit 2.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type { CliError } from "./Failure.js"
import { invalidFlag } from "./Failure.js"

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000 }

/**
 * A positive duration: `30` (seconds), `30s`, `1.5s`, `500ms` or `2m`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const duration = (flag: string, text: string): Either.Either<Duration.Duration, CliError> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text)
  const amount = match ? Number(match[1]) : NaN
  const millis = amount * (units[match?.[2] ?? "s"] ?? 1000)
  if (!Number.isFinite(millis) || millis <= 0 || millis > 24 * 3_600_000) {
    return Either.left(
      invalidFlag(flag, `expected a duration such as 30s, 1.5s, 500ms or 2m, got ${JSON.stringify(text)}`)
    )
  }
  return Either.right(Duration.millis(millis))
}

/**
 * A whole number from `min` to `max`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const integer = (
  flag: string,
  text: string,
  min: number,
  max: number
): Either.Either<number, CliError> => {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
  return Number.isSafeInteger(n) && n >= min && n <= max
    ? Either.right(n)
    : Either.left(invalidFlag(flag, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`))
}
