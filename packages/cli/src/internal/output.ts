// How commands print results: one JSON document, a stream of items as NDJSON (one per line, printed as pages
// arrive), or a table for `--human`. A listing ends quietly when the reader of stdout goes away (`--all | head -1`):
// the stream is cut at the next item and the command exits 0, with no EPIPE trace.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Io } from "../Io.js"
import * as Table from "./table.js"

/** Prints one JSON document on a line. */
export const json = (value: unknown): Effect.Effect<void, never, Io> =>
  Effect.map(Io, (io) => io.stdout(`${JSON.stringify(value)}\n`))

/** Prints text as it is, with a final newline. */
export const text = (value: string): Effect.Effect<void, never, Io> =>
  Effect.map(Io, (io) => io.stdout(value.endsWith("\n") ? value : `${value}\n`))

/** How to print the items of a listing. */
export interface Listing<A> {
  /** The command, for the `--human` line that says how to get the next page. */
  readonly command: string
  /** Plural, for the progress line and an empty table: "endpoints". */
  readonly noun: string
  readonly human: boolean
  readonly toJson: (item: A) => unknown
  readonly columns: ReadonlyArray<Table.Column<A>>
}

/** The page flags, as core's list parameters. */
export const pageParams = (
  flags: { readonly limit: Option.Option<number>; readonly token: Option.Option<string> }
): { limit?: number; token?: string } => ({
  ...(Option.isSome(flags.limit) ? { limit: flags.limit.value } : {}),
  ...(Option.isSome(flags.token) ? { token: flags.token.value } : {})
})

const table = <A>(listing: Listing<A>, items: ReadonlyArray<A>) =>
  items.length === 0 ? `(no ${listing.noun})` : Table.render(listing.columns, items)

/** Prints one page: `{data, has_more, next_token}`, or a table with how to get the next page. */
export const page = <A>(
  result: { readonly data: ReadonlyArray<A>; readonly hasMore: boolean; readonly nextToken: string | null },
  listing: Listing<A>
): Effect.Effect<void, never, Io> =>
  listing.human
    ? text(`${table(listing, result.data)}${
      result.hasMore && result.nextToken !== null
        ? `\nMore: effect-heygen ${listing.command} --token ${result.nextToken}  (or --all for every page)`
        : ""
    }`)
    : json({ data: result.data.map(listing.toJson), has_more: result.hasMore, next_token: result.nextToken })

/**
 * Prints every item of `stream`: NDJSON as pages arrive, or (with `--human`) one table once all have arrived,
 * since column widths come from the data. While pages arrive, a progress line is kept on stderr when it is a
 * terminal.
 */
export const all = <A, E, R>(stream: Stream.Stream<A, E, R>, listing: Listing<A>): Effect.Effect<void, E, R | Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const progress = io.stderrIsTerminal === true
    let count = 0
    const collected: Array<A> = []
    const cut = io.stdoutClosed === undefined ? stream : Stream.interruptWhen(stream, io.stdoutClosed)
    yield* Stream.runForEachChunk(cut, (chunk) =>
      Effect.sync(() => {
        count += chunk.length
        if (progress) io.stderr(`\r\u001b[Kfetched ${count} ${listing.noun}…`)
        if (listing.human) {
          for (const item of chunk) collected.push(item)
        } else {
          let lines = ""
          for (const item of chunk) lines += `${JSON.stringify(listing.toJson(item))}\n`
          if (lines !== "") io.stdout(lines)
        }
      })).pipe(Effect.ensuring(Effect.sync(() => progress && io.stderr("\r\u001b[K"))))
    if (listing.human) io.stdout(`${table(listing, collected)}\n`)
  })
