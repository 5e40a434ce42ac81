/**
 * Following HeyGen's event log (`WebhookEvents.follow`): poll it, emit each event once, oldest first.
 *
 * What a follower assumes of the log, since HeyGen documents neither its order nor its paging over time: it is
 * append-only at its newest end (an event, once listed, keeps its place relative to the others, and new events are
 * added after the newest), and its `next_token` cursors stay valid while the log grows. The order is read from the
 * log itself, as the catch-up does: a listing seen going back in time and never forward is newest first, one going
 * forward and never back oldest first; until then (or if it does both) nothing is assumed.
 *
 * - newest first: a poll reads from the head and stops at the first event it already has (or one older than the
 *   horizon): an idle log costs one request per poll and listing;
 * - oldest first: a poll resumes from the cursor of the last page the previous poll read (that page again, then
 *   whatever follows it); a cursor the API refuses is dropped and the log read from its start;
 * - unknown: the whole log is read on every poll (only while it is too short to tell).
 *
 * A poll is all or nothing: its events are emitted, and remembered, only once every page of it was read, so a poll
 * that fails part way loses nothing (the next one reads those pages again).
 *
 * Memory: the ids of the events emitted whose `created_at` is within `window` of the newest event seen (the
 * horizon), pruned after every poll. An event that first appears in the log older than the horizon is not
 * emitted: it cannot be told apart from one emitted and forgotten.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as HeyGenClient from "../HeyGenClient.js"
import * as HeyGenError from "../HeyGenError.js"
import * as RetryPolicy from "../RetryPolicy.js"
import type * as WebhookEvent from "../WebhookEvent.js"
import type * as WebhookEvents from "../WebhookEvents.js"
import type * as WebhookEventType from "../WebhookEventType.js"

/** The options of `WebhookEvents.follow` (documented there). */
export type Options = WebhookEvents.FollowOptions

export const defaultPollInterval: Duration.Duration = Duration.seconds(5)
export const defaultWindow: Duration.Duration = Duration.hours(1)
export const defaultPageSize = 100
const idleLimit = 10

/** One page of the log, as `WebhookEvents.list` gives it. */
export type ListPage = (
  params: WebhookEvent.ListWebhookEventsParams
) => Effect.Effect<
  {
    readonly data: ReadonlyArray<WebhookEvent.WebhookEvent>
    readonly hasMore: boolean
    readonly nextToken: string | null
  },
  HeyGenError.ListWebhookEventsError,
  HeyGenClient.HeyGenClient
>

/** One poll: what `WebhookEvents.followPolls` emits (documented there). */
export interface Poll {
  readonly events: ReadonlyArray<WebhookEvent.WebhookEvent>
  readonly remembered: number
  readonly horizon: Date
  readonly failure: HeyGenError.StreamWebhookEventsError | null
}

interface Listing {
  readonly eventType: WebhookEventType.WebhookEventType | undefined
  /** Seen going forward in time / back in time between two consecutive events. */
  forward: boolean
  backward: boolean
  /** The cursor of the last page read by the last poll that read to the end. */
  resume: string | undefined
}

const newestFirst = (l: { readonly forward: boolean; readonly backward: boolean }) => l.backward && !l.forward
const oldestFirst = (l: { readonly forward: boolean; readonly backward: boolean }) => l.forward && !l.backward

interface Fresh {
  readonly event: WebhookEvent.WebhookEvent
  readonly at: number
  /** Place in the order the event happened among equal `created_at`s, as far as the listing tells. */
  readonly rank: number
}

/** A failure a later poll may not meet: a 5xx, a dropped connection, a timeout, a 429. */
const isTransient = (error: HeyGenError.StreamWebhookEventsError): boolean =>
  error._tag !== "ValidationError" && error._tag !== "PaginationError" && RetryPolicy.isTransient(error)

const refusedToken = (error: HeyGenError.StreamWebhookEventsError) =>
  error._tag === "InvalidParameter" && error.param === "token"

const invalid = (field: string, message: string) => Effect.fail(new HeyGenError.ValidationError({ field, message }))

export const polls = (
  list: ListPage,
  options: Options
): Stream.Stream<Poll, HeyGenError.StreamWebhookEventsError, HeyGenClient.HeyGenClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const interval = Duration.decode(options.pollInterval ?? defaultPollInterval)
    if (!Duration.isFinite(interval) || Duration.toMillis(interval) <= 0) {
      return yield* invalid("pollInterval", "the poll interval must be a finite duration above zero")
    }
    const window = Duration.decode(options.window ?? defaultWindow)
    if (!Duration.isFinite(window) || Duration.toMillis(window) < 0) {
      return yield* invalid("window", "the window must be a finite duration, zero or more")
    }
    const windowMillis = Duration.toMillis(window)
    const now = yield* Clock.currentTimeMillis
    const cut = options.since === undefined
      ? now
      : options.since instanceof Date
      ? options.since.getTime()
      : now - Duration.toMillis(Duration.decode(options.since))
    if (Number.isNaN(cut)) return yield* invalid("since", "since is not a valid date")
    const limit = options.pageSize ?? defaultPageSize

    const types = options.eventTypes === undefined || options.eventTypes.length === 0
      ? [undefined]
      : [...new Set(options.eventTypes)]
    const listings: Array<Listing> = types.map((eventType) => ({
      eventType,
      forward: false,
      backward: false,
      resume: undefined
    }))
    // id -> created_at (ms) of every event emitted and not yet behind the horizon.
    const known = new Map<string, number>()
    let newest = Number.NEGATIVE_INFINITY
    const horizonOf = () => Math.max(cut, newest - windowMillis)

    /**
     * One listing's new events, and what it learnt of the log, without changing the follower's state: `taken` (the
     * ids earlier listings of the poll found) grows only once the whole listing was read, so a listing read again
     * after a failure part way finds its events afresh.
     */
    const read = (listing: Listing, from: string | undefined, horizon: number, taken: Set<string>) =>
      Effect.gen(function*() {
        const order = { forward: listing.forward, backward: listing.backward }
        const fresh: Array<Fresh> = []
        const mine = new Set<string>()
        const followed = new Set<string>()
        let token = from
        let index = 0
        let ended = false
        let previous = Number.NaN
        for (let page = 1;; page++) {
          const result = yield* list({
            ...(listing.eventType === undefined ? {} : { event_type: listing.eventType }),
            ...(options.entityId === undefined ? {} : { entity_id: options.entityId }),
            // Newest first, a poll's first page is mostly events it has: a short one is enough when the log is idle.
            limit: page === 1 && newestFirst(listing) ? Math.min(limit, idleLimit) : limit,
            ...(token === undefined ? {} : { token })
          })
          let stop = false
          for (const event of result.data) {
            const at = Date.parse(event.created_at)
            if (!Number.isNaN(at) && !Number.isNaN(previous)) {
              if (at > previous) order.forward = true
              if (at < previous) order.backward = true
            }
            if (!Number.isNaN(at)) previous = at
            const had = known.has(event.event_id) || taken.has(event.event_id) || mine.has(event.event_id)
            if (newestFirst(order) && (had || at < horizon)) {
              stop = true
              break
            }
            if (had || at < horizon) continue
            mine.add(event.event_id)
            fresh.push({ event, at, rank: index++ })
          }
          if (stop) break
          if (!result.hasMore) {
            ended = true
            break
          }
          const next = result.nextToken
          if (next === null || next === "") {
            return yield* new HeyGenError.PaginationError({ reason: "MissingToken", token: null, page })
          }
          if (followed.has(next) || next === from) {
            return yield* new HeyGenError.PaginationError({ reason: "RepeatedToken", token: next, page })
          }
          followed.add(next)
          token = next
        }
        for (const id of mine) taken.add(id)
        // Listed newest first: the later an event came in the listing, the earlier it happened.
        const ranked = newestFirst(order) ? fresh.map((f) => ({ ...f, rank: -f.rank })) : fresh
        return { fresh: ranked, order, resume: ended ? token : listing.resume }
      })

    const poll = Effect.gen(function*() {
      const horizon = horizonOf()
      const taken = new Set<string>()
      const results = yield* Effect.forEach(listings, (listing) => {
        const from = oldestFirst(listing) ? listing.resume : undefined
        const fromStart = read(listing, undefined, horizon, taken)
        return from === undefined ? fromStart : read(listing, from, horizon, taken).pipe(
          // A cursor kept between polls that the API no longer takes: read the log from its start instead.
          Effect.catchIf(refusedToken, () => fromStart)
        )
      })
      // The whole poll was read: now it counts.
      const fresh: Array<Fresh> = []
      results.forEach((result, i) => {
        const listing = listings[i]!
        listing.forward = result.order.forward
        listing.backward = result.order.backward
        listing.resume = result.resume
        fresh.push(...result.fresh)
      })
      // Oldest first; an event without a readable date after the dated ones. Stable.
      fresh.sort((a, b) =>
        (Number.isNaN(a.at) ? 1 : 0) - (Number.isNaN(b.at) ? 1 : 0) || (a.at - b.at) || a.rank - b.rank
      )
      for (const { at } of fresh) if (at > newest) newest = at
      // An undated event is remembered as of the newest seen, so it too leaves memory one window later.
      const undatedAt = Number.isFinite(newest) ? newest : cut
      for (const { at, event } of fresh) known.set(event.event_id, Number.isNaN(at) ? undatedAt : at)
      const after = horizonOf()
      for (const [id, at] of known) if (at < after) known.delete(id)
      return { events: fresh.map((f) => f.event), remembered: known.size, horizon: new Date(after), failure: null }
    })

    // A poll that fails in a way the next one may not (after the call's own retries) is logged and tried again at
    // the next interval, or after the 429's Retry-After if longer: a follower outlives an outage of the API.
    let wait: Duration.Duration = Duration.zero
    const next = Effect.suspend(() => Effect.zipRight(Effect.sleep(wait), poll)).pipe(
      Effect.zipLeft(Effect.sync(() => {
        wait = interval
      })),
      Effect.catchIf(isTransient, (error) => {
        const retryAfter = error._tag === "RateLimited" ? Option.getOrUndefined(error.retryAfter) : undefined
        wait = retryAfter === undefined ? interval : Duration.max(interval, retryAfter)
        return Effect.as(
          Effect.logWarning(`polling HeyGen's event log failed (${error._tag}); next poll in ${Duration.format(wait)}`),
          { events: [], remembered: known.size, horizon: new Date(horizonOf()), failure: error } satisfies Poll
        )
      })
    )
    return Stream.repeatEffect(next)
  }))
