// The READMEs name every error the SDK can fail with. They once named 10 of the 12 tags (`NotFound` and
// `PaginationError` missing): the lists are now checked against `HeyGenError.tags`, so a new error cannot be added
// without the READMEs saying so.
import { HeyGenError } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"

const readme = fs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
const coreReadme = fs.readFileSync(new URL("../README.md", import.meta.url), "utf8")

/** The text from `start` up to (not including) the first `end` after it; fails the test if either is missing. */
const between = (text: string, start: string, end: string): string => {
  const from = text.indexOf(start)
  expect(from, `"${start}" in the README`).toBeGreaterThanOrEqual(0)
  const to = text.indexOf(end, from + start.length)
  expect(to, `"${end}" after "${start}"`).toBeGreaterThan(from)
  return text.slice(from + start.length, to)
}

const backticked = (text: string): Array<string> => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)

describe("the root README's Typed failures", () => {
  const bullet = between(readme, "- **Typed failures.**", "\n- **")

  it("lists exactly HeyGenError.tags, in their order", () => {
    const list = between(bullet, "one tagged error:", "(the list is `HeyGenError.tags`)")
    expect(backticked(list)).toEqual([...HeyGenError.tags])
  })

  it("says how a broken cursor ends stream and the CLI's --all", () => {
    const flat = bullet.replace(/\s+/g, " ")
    expect(flat).toContain("ends `stream` (and the CLI's `--all`) with `PaginationError`")
  })
})

describe("core's README", () => {
  it("names every tag in the contract of one call", () => {
    const contract = between(coreReadme, "## The contract of one call", "\n## ")
    const named = new Set(backticked(contract))
    expect(HeyGenError.tags.filter((tag) => !named.has(tag))).toEqual([])
  })
})
