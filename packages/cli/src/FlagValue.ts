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

const sinceUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A point in the past, for `--since`: an age (`90m`, `48h`, `7d`, `30s`; a whole or decimal number and a unit)
 * counted back from `nowMillis`, or an ISO 8601 date or date-time (`2026-01-31`, `2026-01-31T12:00:00Z`,
 * `2026-01-31T12:00:00+01:00`; a date-time without an offset is UTC, as in HeyGen's `created_at`). A time in the
 * future is refused. Returns epoch milliseconds.
 *
 * @since 0.4.0
 * @category parsing
 */
export const since = (flag: string, text: string, nowMillis: number): Either.Either<number, CliError> => {
  const refuse = (why: string) =>
    Either.left(
      invalidFlag(
        flag,
        `${why}, got ${JSON.stringify(text)}`,
        "give an age such as 48h, 90m or 7d, or an ISO 8601 time such as 2026-01-31T12:00:00Z"
      )
    )
  const age = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text)
  if (age !== null) {
    const millis = Number(age[1]) * sinceUnits[age[2]!]!
    return Number.isFinite(millis) && millis > 0 ? Either.right(nowMillis - millis) : refuse("expected a positive age")
  }
  // Only ISO 8601 forms: Date.parse also reads "March 7" or "1", and rolls 2026-02-30 over to March, which must
  // not silently mean some other day.
  const iso = /^\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?\s*$/.exec(text)
  if (iso === null) return refuse("expected an age (48h, 90m, 7d) or an ISO 8601 time")
  const [, y, mo, d, h = "00", mi = "00", sec = "00", fraction = "", offset = "Z"] = iso
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  const real = day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 &&
    day.getUTCDate() === Number(d) && Number(h) <= 23 && Number(mi) <= 59 && Number(sec) <= 59
  const millis = real ? Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${fraction}${offset}`) : NaN
  if (Number.isNaN(millis)) return refuse("not a valid date")
  if (millis > nowMillis) return refuse("is in the future")
  return Either.right(millis)
}
