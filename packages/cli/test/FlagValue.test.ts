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
})
