// The flags' value parsers: one time parser for every duration and age, whole numbers in a range, and --since's
// ages and ISO 8601 times. That a refused value exits 2 naming the flag is tested through the bin (e2e.test.ts).
import * as Duration from "effect/Duration"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import * as Flags from "../src/internal/flags.js"

describe("Flags.parseDuration", () => {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

  // Law: every unit reads back the duration it names; a bare number is seconds only where allowed.
  it("reads ms, s, m, h and d; a bare number as seconds, or not at all", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.integer({ min: 1, max: 3000 }),
        FastCheck.constantFrom("ms", "s", "m", "h", "d"),
        (n, u) => {
          expect(Flags.parseDuration(`${n}${u}`)).toEqual(Option.some(Duration.millis(n * unit[u]!)))
          expect(Flags.parseDuration(`${n}${u}`, "refused")).toEqual(Option.some(Duration.millis(n * unit[u]!)))
          expect(Flags.parseDuration(String(n))).toEqual(Option.some(Duration.millis(n * 1000)))
          expect(Flags.parseDuration(String(n), "refused")).toEqual(Option.none())
        }
      )
    )
    expect(Flags.parseDuration("1.5s")).toEqual(Option.some(Duration.millis(1500)))
  })

  it("refuses junk, zero and negatives", () => {
    for (const text of ["0", "0s", "-1s", "1e3", "1w", "soon", "48 hours", ""]) {
      expect(Flags.parseDuration(text), text).toEqual(Option.none())
    }
  })
})

describe("Flags.parseInteger", () => {
  it("accepts exactly the whole numbers in range", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -5, max: 20 }), (n) => {
        expect(Option.isSome(Flags.parseInteger(0, 10)(String(n)))).toBe(n >= 0 && n <= 10)
      })
    )
    expect(Flags.parseInteger(0, 65535)("1.5")).toEqual(Option.none())
  })
})

describe("Flags.parseSince", () => {
  const now = Date.parse("2026-06-15T12:00:00Z")
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

  // Law: an age counts back from now by exactly what it names.
  it("reads an age in s, m, h or d as that long before now", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.integer({ min: 1, max: 10_000 }),
        FastCheck.constantFrom("s", "m", "h", "d"),
        (n, u) => {
          expect(Flags.parseSince(`${n}${u}`, now)).toEqual(Option.some(now - n * unit[u]!))
        }
      )
    )
    expect(Flags.parseSince("1.5h", now)).toEqual(Option.some(now - 5_400_000))
  })

  // Law: any past instant, written as ISO 8601 (as HeyGen writes created_at), reads back as itself; any future
  // one is refused.
  it("reads back any ISO 8601 time; refuses one in the future", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2030-01-01T00:00:00Z") }),
        (t) => {
          expect(Flags.parseSince(new Date(t).toISOString(), now)).toEqual(t <= now ? Option.some(t) : Option.none())
        }
      )
    )
    expect(Flags.parseSince("2026-06-01", now)).toEqual(Option.some(Date.parse("2026-06-01T00:00:00Z")))
    expect(Flags.parseSince("2026-06-01T10:00", now)).toEqual(Option.some(Date.parse("2026-06-01T10:00:00Z")))
    expect(Flags.parseSince("2026-06-01T10:00:00+02:00", now)).toEqual(Option.some(Date.parse("2026-06-01T08:00:00Z")))
  })

  it("refuses days that do not exist, other date forms, zero and junk", () => {
    for (
      const text of [
        "2026-02-30",
        "2026-13-01",
        "2026-01-31T24:00:00Z",
        "2026-01-31T12:60Z",
        "March 7",
        "1",
        "0h",
        "-1h",
        "48",
        "48 hours",
        "1w",
        ""
      ]
    ) expect(Flags.parseSince(text, now), text).toEqual(Option.none())
  })
})
