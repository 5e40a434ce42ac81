/**
 * How commands print results: one JSON document, a stream of items as NDJSON (one per line, printed as pages
 * arrive), or a table for `--human`. Shared so that every command prints the same way.
 *
 * A listing ends quietly when the reader of stdout goes away (`... --all | head -1`): the stream is cut at the
 * next item and the command exits 0, with no EPIPE trace.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { Io } from "../Io.js"
import * as Table from "./table.js"

/**
 * Prints one JSON document on a line.
 *
 * @since 0.2.0
 * @category printing
 */
export const json = (value: unknown): Effect.Effect<void, never, Io> =>
  Effect.map(Io, (io) => io.stdout(`${JSON.stringify(value)}\n`))

/**
 * Prints text as it is, with a final newline.
 *
 * @since 0.2.0
 * @category printing
 */
export const text = (value: string): Effect.Effect<void, never, Io> =>
  Effect.map(Io, (io) => io.stdout(value.endsWith("\n") ? value : `${value}\n`))

/**
 * How to print the items of a listing.
 *
 * @since 0.2.0
 * @category models
 */
export interface Listing<A> {
  /** Plural, for the progress line: "endpoints". */
  readonly noun: string
  readonly human: boolean
  readonly toJson: (item: A) => unknown
  readonly columns: ReadonlyArray<Table.Column<A>>
}

/**
 * Prints every item of `stream`: NDJSON as pages arrive, or (with `--human`) one table once all have arrived,
 * since column widths come from the data. While pages arrive, a progress line is kept on stderr when it is a
 * terminal (and nothing is added when it is not).
 *
 * @since 0.2.0
 * @category printing
 */
export const all = <A, E, R>(stream: Stream.Stream<A, E, R>, listing: Listing<A>): Effect.Effect<void, E, R | Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const progress = io.stderrIsTerminal === true
    const count = yield* Ref.make(0)
    const collected: Array<A> = []
    const counted = Stream.mapChunksEffect(
      stream,
      (chunk) =>
        Effect.map(Ref.updateAndGet(count, (n) => n + chunk.length), (n) => {
          if (progress) io.stderr(`\r\u001b[Kfetched ${n} ${listing.noun}…`)
          return chunk
        })
    )
    const cut = io.stdoutClosed === undefined ? counted : Stream.interruptWhen(counted, io.stdoutClosed)
    yield* Stream.runForEachChunk(cut, (chunk) =>
      Effect.sync(() => {
        if (listing.human) {
          for (const item of chunk) collected.push(item)
        } else {
          let lines = ""
          for (const item of chunk) lines += `${JSON.stringify(listing.toJson(item))}\n`
          if (lines !== "") io.stdout(lines)
        }
      })).pipe(Effect.ensuring(Effect.sync(() => progress && io.stderr("\r\u001b[K"))))
    if (listing.human) {
      io.stdout(`${collected.length === 0 ? `(no ${listing.noun})` : Table.render(listing.columns, collected)}\n`)
    }
  })
