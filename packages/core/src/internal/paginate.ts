/**
 * A lazy `Stream` over a cursor-paginated list: one page is fetched per pull, each page is its own call (retried on
 * its own by the pipeline), and a broken cursor ends the stream with a `PaginationError` instead of a loop.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as HeyGenError from "../HeyGenError.js"
import type * as Page from "../Page.js"
import type * as Pipeline from "./pipeline.js"

/** A list route's successful call as a `Page`. */
export const toPage = <A>(
  success: Pipeline.Success<
    { readonly data: ReadonlyArray<A>; readonly has_more: boolean; readonly next_token: string | null }
  >
): Page.Page<A> => ({
  data: success.body.data,
  hasMore: success.body.has_more,
  nextToken: success.body.next_token,
  requestId: success.requestId,
  attempts: success.attempts
})

type State =
  | { readonly _tag: "Fetch"; readonly token: string | undefined; readonly page: number }
  | { readonly _tag: "Broken"; readonly error: HeyGenError.PaginationError }

/**
 * Follows `next_token` from `token` (or the first page) until a page says `has_more: false`. A page whose cursor is
 * broken is still emitted: the stream fails only when the next page is pulled, so no item is lost.
 */
export const stream = <A, E, R>(
  token: string | undefined,
  fetch: (token: string | undefined) => Effect.Effect<Page.Page<A>, E, R>
): Stream.Stream<A, E | HeyGenError.PaginationError, R> =>
  // Suspended so that each run of the stream starts with its own memory of the tokens it followed.
  Stream.suspend(() => {
    // Tokens already followed: a cursor that comes back would loop forever. A page count's worth of strings, not items.
    const seen = new Set<string>()
    if (token !== undefined) seen.add(token)
    return Stream.paginateChunkEffect<State, A, E | HeyGenError.PaginationError, R>(
      { _tag: "Fetch", token, page: 1 },
      (state) => {
        if (state._tag === "Broken") return Effect.fail(state.error)
        return Effect.map(fetch(state.token), (result): readonly [Chunk.Chunk<A>, Option.Option<State>] => {
          const items = Chunk.unsafeFromArray(result.data)
          if (!result.hasMore) return [items, Option.none()]
          const next = result.nextToken
          if (next === null || next === "") {
            const error = new HeyGenError.PaginationError({ reason: "MissingToken", token: null, page: state.page })
            return [items, Option.some({ _tag: "Broken", error })]
          }
          if (seen.has(next)) {
            const error = new HeyGenError.PaginationError({ reason: "RepeatedToken", token: next, page: state.page })
            return [items, Option.some({ _tag: "Broken", error })]
          }
          seen.add(next)
          return [items, Option.some({ _tag: "Fetch", token: next, page: state.page + 1 })]
        })
      }
    )
  })
