import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { describe, expect, it } from "vitest"
import * as FlagValue from "../src/FlagValue.js"

describe("FlagValue", () => {
  // Law: every unit reads back the duration it names; a bare number is seconds; limits above a day are refused.
  it("duration reads ms, s, m and bare seconds, up to a day", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: 1, max: 3000 }), (n) => {
        expect(FlagValue.duration("--timeout", `${n}ms`)).toEqual(Either.right(Duration.millis(n)))
        expect(FlagValue.duration("--timeout", `${n}s`)).toEqual(Either.right(Duration.millis(n * 1000)))
        expect(FlagValue.duration("--timeout", String(n))).toEqual(Either.right(Duration.millis(n * 1000)))
        expect(FlagValue.duration("--timeout", `${n}m`)).toEqual(
          n <= 1440 ? Either.right(Duration.millis(n * 60_000)) : Either.left(expect.anything())
        )
      })
    )
  })

  // Law: anything refused is refused with an error naming the flag.
  it("refuses junk, zero and negatives, naming the flag", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(FastCheck.string(), FastCheck.constantFrom("0", "0s", "-1s", "1h", "1e3")),
        (s) => {
          const result = FlagValue.duration("--timeout", s)
          if (Either.isLeft(result)) {
            expect(result.left.param).toBe("--timeout")
            expect(result.left.exitCode).toBe(2)
          } else {
            expect(Duration.toMillis(result.right)).toBeGreaterThan(0)
          }
        }
      )
    )
    expect(Either.isLeft(FlagValue.duration("--timeout", "0"))).toBe(true)
  })

  it("integer accepts exactly the whole numbers in range", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -5, max: 20 }), (n) => {
        const result = FlagValue.integer("--max-retries", String(n), 0, 10)
        expect(Either.isRight(result)).toBe(n >= 0 && n <= 10)
      })
    )
    expect(Either.isLeft(FlagValue.integer("--port", "1.5", 0, 65535))).toBe(true)
  })

  describe("since", () => {
    const now = Date.parse("2026-06-15T12:00:00Z")
    const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

    // Law: an age counts back from now by exactly what it names.
    it("reads an age in s, m, h or d as that long before now", () => {
      FastCheck.assert(
        FastCheck.property(
          FastCheck.integer({ min: 1, max: 10_000 }),
          FastCheck.constantFrom("s", "m", "h", "d"),
          (n, u) => {
            expect(FlagValue.since("--since", `${n}${u}`, now)).toEqual(Either.right(now - n * unit[u]!))
          }
        )
      )
      expect(FlagValue.since("--since", "1.5h", now)).toEqual(Either.right(now - 5_400_000))
    })

    // Law: any past instant, written as ISO 8601 (as HeyGen writes created_at), reads back as itself; any future
    // one is refused.
    it("reads back any ISO 8601 time; refuses one in the future", () => {
      FastCheck.assert(
        FastCheck.property(
          FastCheck.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2030-01-01T00:00:00Z") }),
          (t) => {
            const text = new Date(t).toISOString()
            const result = FlagValue.since("--since", text, now)
            if (t <= now) expect(result).toEqual(Either.right(t))
            else expect(Either.isLeft(result) && result.left.message).toMatch(/future/)
          }
        )
      )
      expect(FlagValue.since("--since", "2026-06-01", now)).toEqual(Either.right(Date.parse("2026-06-01T00:00:00Z")))
      expect(FlagValue.since("--since", "2026-06-01T10:00", now)).toEqual(
        Either.right(Date.parse("2026-06-01T10:00:00Z"))
      )
      expect(FlagValue.since("--since", "2026-06-01T10:00:00+02:00", now)).toEqual(
        Either.right(Date.parse("2026-06-01T08:00:00Z"))
      )
    })

    it("refuses days that do not exist, other date forms, zero and junk, naming the flag (exit 2)", () => {
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
      ) {
        const result = FlagValue.since("--since", text, now)
        expect(Either.isLeft(result), text).toBe(true)
        if (Either.isLeft(result)) expect([result.left.param, result.left.exitCode]).toEqual(["--since", 2])
      }
    })
  })
})
