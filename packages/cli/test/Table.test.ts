import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Table from "../src/internal/table.js"

interface Row {
  readonly id: string
  readonly url: string
  readonly note: string
}

const columns: ReadonlyArray<Table.Column<Row>> = [
  { header: "id", value: (r) => r.id },
  { header: "url", value: (r) => r.url, max: 12 },
  { header: "note", value: (r) => r.note, max: 8 }
]

const word = FastCheck.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/\s/g, "x"))
const row = FastCheck.record({ id: word, url: word, note: word })

describe("Table.render", () => {
  // Laws: one line per row plus the header; every column starts at the same offset on every line (no value is
  // wider than its column); capped values keep at most `max` characters and end with … exactly when cut.
  it.prop(
    "columns align, caps hold, cuts are marked",
    [FastCheck.array(row, { minLength: 1, maxLength: 8 })],
    ([rows]) => {
      const lines = Table.render(columns, rows).split("\n")
      expect(lines).toHaveLength(rows.length + 1)
      const starts = (line: string) => {
        const chars = [...line]
        const out = [0]
        for (let i = 1; i < chars.length; i++) {
          if (chars[i - 1] === " " && chars[i - 2] === " " && chars[i] !== " ") {
            out.push(i)
          }
        }
        return out
      }
      const header = starts(lines[0]!)
      expect(header).toHaveLength(3)
      rows.forEach((r, i) => {
        const chars = [...lines[i + 1]!]
        const cell = (k: number) =>
          chars.slice(header[k]!, k + 1 < header.length ? header[k + 1]! - 2 : undefined).join("").trimEnd()
        expect(cell(0)).toBe(r.id)
        expect(cell(1)).toBe(r.url.length <= 12 ? r.url : `${[...r.url].slice(0, 11).join("")}…`)
        expect(cell(2)).toBe(r.note.length <= 8 ? r.note : `${[...r.note].slice(0, 7).join("")}…`)
      })
    }
  )

  it("shows control characters as spaces, so a value cannot forge a row", () => {
    const out = Table.render([{ header: "a", value: (s: string) => s }], ["x\ny\tz"])
    expect(out.split("\n")).toEqual(["A", "x y z"])
  })
})

describe("Table.localTime", () => {
  it("shows the time in the given zone, with the zone named", () => {
    expect(Table.localTime("2026-01-15T12:30:05Z", "UTC")).toBe("2026-01-15 12:30:05 UTC")
    expect(Table.localTime("2026-01-15T12:30:05Z", "America/New_York")).toBe("2026-01-15 07:30:05 EST")
    expect(Table.localTime("2026-07-15T00:00:00Z", "America/New_York")).toBe("2026-07-14 20:00:00 EDT")
  })

  it("leaves text that is not a time as it is", () => {
    expect(Table.localTime("yesterday", "UTC")).toBe("yesterday")
  })
})
