// Aligned tables for `--human` lists: each column as wide as its widest value (up to a cap, past which values
// are cut with an ellipsis), and times shown in the local time zone, with the zone named.

/** A column: its header, how a row shows in it, and the widest it may get (ids have none: people copy them). */
export interface Column<A> {
  readonly header: string
  readonly value: (row: A) => string
  readonly max?: number | undefined
}

/** `text` cut to at most `max` characters, the last one an ellipsis when cut. */
const truncate = (text: string, max: number): string =>
  [...text].length <= max ? text : `${[...text].slice(0, Math.max(0, max - 1)).join("")}…`

// Tabs and line breaks in a value would break the alignment (and could forge rows): show them as spaces.
// eslint-disable-next-line no-control-regex -- the control characters are exactly what this replaces
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, " ")

/** The table as lines of text: a header row, then one row per item; columns two spaces apart. */
export const render = <A>(columns: ReadonlyArray<Column<A>>, rows: ReadonlyArray<A>): string => {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = oneLine(c.value(row))
      return c.max === undefined ? text : truncate(text, c.max)
    })
  )
  const widths = columns.map((c, i) => Math.max([...c.header].length, ...cells.map((r) => [...r[i]!].length)))
  const line = (values: ReadonlyArray<string>) =>
    values.map((v, i) => (i === values.length - 1 ? v : v + " ".repeat(widths[i]! - [...v].length))).join("  ")
      .trimEnd()
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n")
}

const pad = (n: number) => String(n).padStart(2, "0")

/**
 * An ISO timestamp in local time with the zone's short name: `2026-11-27 14:05:09 CET`. `timeZone` defaults to
 * the process's (`TZ`). Text that is not a time is shown as it is.
 */
export const localTime = (iso: string, timeZone?: string): string => {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short"
    }).formatToParts(date).map((p) => [p.type, p.value])
  )
  const time = `${parts.year}-${parts.month}-${parts.day} ${pad(Number(parts.hour))}:${parts.minute}:${parts.second}`
  return parts.timeZoneName === undefined ? time : `${time} ${parts.timeZoneName}`
}
