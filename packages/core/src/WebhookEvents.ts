/**
 * The event side of webhooks: the catalogue of event types an endpoint can subscribe to, and the log of events
 * HeyGen sent. Reads only, so every failure that may be transient is retried.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Effect, Stream } from "effect"
 *
 * // Every failed avatar video HeyGen told us about.
 * export const failures = WebhookEvents.stream({ event_type: "avatar_video.fail", limit: 100 }).pipe(
 *   Stream.map((event) => event.event_data["video_id"]),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as HeyGenClient from "./HeyGenClient.js"
import type * as HeyGenError from "./HeyGenError.js"
import * as Follow from "./internal/follow.js"
import * as Paginate from "./internal/paginate.js"
import * as Pipeline from "./internal/pipeline.js"
import type * as Page from "./Page.js"
import * as WebhookEvent from "./WebhookEvent.js"
import type * as WebhookEventType from "./WebhookEventType.js"

/**
 * Per-call options: overrides of the client's retry policy and time limits.
 *
 * @since 0.2.0
 * @category models
 */
export interface RequestOptions extends Pipeline.CallOptions {}

/**
 * The event type catalogue, with HeyGen's descriptions.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListWebhookEventTypesResult {
  readonly data: ReadonlyArray<WebhookEvent.WebhookEventTypeItem>
  readonly requestId: string | null
  readonly attempts: number
}

/**
 * One page of the event log.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListWebhookEventsResult extends Page.Page<WebhookEvent.WebhookEvent> {}

const eventTypesOperation: Pipeline.Operation<
  typeof WebhookEvent.ListWebhookEventTypesResponse.Type,
  typeof WebhookEvent.ListWebhookEventTypesResponse.Encoded,
  never
> = {
  name: "listWebhookEventTypes",
  method: "GET",
  path: "/v3/webhooks/event-types",
  response: WebhookEvent.ListWebhookEventTypesResponse,
  keyed: false,
  documented: []
}

const listOperation: Pipeline.Operation<
  typeof WebhookEvent.ListWebhookEventsResponse.Type,
  typeof WebhookEvent.ListWebhookEventsResponse.Encoded,
  never
> = {
  name: "listWebhookEvents",
  method: "GET",
  path: "/v3/webhooks/events",
  query: WebhookEvent.ListWebhookEventsParams,
  response: WebhookEvent.ListWebhookEventsResponse,
  keyed: false,
  documented: []
}

/**
 * Every event type an endpoint can subscribe to, with a description of when it fires
 * (`GET /v3/webhooks/event-types`: the whole set in one response). `WebhookEventType.values` is the same list as
 * this SDK knows it, without a request.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * export const names = WebhookEvents.listEventTypes().pipe(
 *   Effect.map(({ data }) => data.map((item) => `${item.event_type}: ${item.description}`))
 * )
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const listEventTypes = (
  options?: RequestOptions
): Effect.Effect<ListWebhookEventTypesResult, HeyGenError.ListWebhookEventTypesError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(eventTypesOperation, {}, options), (success) => ({
    data: success.body.data,
    requestId: success.requestId,
    attempts: success.attempts
  }))

/**
 * One page of the events HeyGen sent (`GET /v3/webhooks/events`), optionally only one `event_type` or one
 * `entity_id`. `event_data` keeps every key the server sent.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 *
 * export const recent = WebhookEvents.list({ entity_id: "v_abc123", limit: 10 })
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const list = (
  params: WebhookEvent.ListWebhookEventsParams = {},
  options?: RequestOptions
): Effect.Effect<ListWebhookEventsResult, HeyGenError.ListWebhookEventsError, HeyGenClient.HeyGenClient> =>
  Effect.map(Pipeline.execute(listOperation, { query: params }, options), Paginate.toPage)

/**
 * Every event matching the filters, as a lazy `Stream` that follows `next_token` (see `WebhookEndpoints.stream`
 * for how pages are fetched and how a broken cursor ends it).
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Stream } from "effect"
 *
 * export const count = WebhookEvents.stream({ event_type: "avatar_video.success" }).pipe(Stream.runCount)
 * ```
 *
 * @since 0.2.0
 * @category operations
 */
export const stream = (
  params: WebhookEvent.ListWebhookEventsParams = {},
  options?: RequestOptions
): Stream.Stream<WebhookEvent.WebhookEvent, HeyGenError.StreamWebhookEventsError, HeyGenClient.HeyGenClient> =>
  Paginate.stream(params.token, (token) => list({ ...params, ...(token === undefined ? {} : { token }) }, options))

/**
 * @since 0.5.0
 * @category models
 */
export interface StreamSinceOptions {
  /** The cut: events created before it are left out. */
  readonly since: Date
  /** Only these event types (one listing of the log per type); default every type. */
  readonly eventTypes?: ReadonlyArray<WebhookEventType.WebhookEventType> | undefined
  /** Only the events of this entity (a video, a translation, a personalized video project). */
  readonly entityId?: string | undefined
  /**
   * Read every listing to its end, never stopping early: for a log whose order you will not have guessed from its
   * first events (the CLI's replay). Default `false`.
   */
  readonly wholeLog?: boolean | undefined
}

/**
 * Every event of the log created at or after `since`, each once, in the order the log lists them: one listing per
 * event type given (the API takes one). HeyGen does not document the log's order, so a listing stops early only
 * once the log is seen newest-first (it went back in time and never forward) and past the cut; otherwise it reads
 * to the end. An event whose `created_at` is not a date is kept: better checked than lost.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Stream } from "effect"
 *
 * export const lastDay = WebhookEvents.streamSince({
 *   since: new Date(Date.now() - 24 * 60 * 60 * 1000),
 *   eventTypes: ["avatar_video.success", "avatar_video.fail"]
 * }).pipe(Stream.runCollect)
 * ```
 *
 * @since 0.5.0
 * @category operations
 */
export const streamSince = (
  options: StreamSinceOptions,
  requestOptions?: RequestOptions
): Stream.Stream<WebhookEvent.WebhookEvent, HeyGenError.StreamWebhookEventsError, HeyGenClient.HeyGenClient> => {
  const cut = options.since.getTime()
  const listing = (eventType: WebhookEventType.WebhookEventType | undefined) =>
    Stream.suspend(() => {
      let forward = false
      let backward = false
      let previous = Number.NaN
      return stream({
        limit: 100,
        ...(eventType === undefined ? {} : { event_type: eventType }),
        ...(options.entityId === undefined ? {} : { entity_id: options.entityId })
      }, requestOptions).pipe(
        Stream.takeWhile((event) => {
          const at = Date.parse(event.created_at)
          if (!Number.isNaN(at)) {
            if (at > previous) forward = true
            if (at < previous) backward = true
            previous = at
          }
          return options.wholeLog === true || !(backward && !forward && at < cut)
        }),
        Stream.filter((event) => {
          const at = Date.parse(event.created_at)
          return Number.isNaN(at) || at >= cut
        })
      )
    })
  const types = options.eventTypes === undefined || options.eventTypes.length === 0
    ? [undefined]
    : [...new Set(options.eventTypes)]
  return Stream.concatAll(Chunk.fromIterable(types.map(listing)))
}

/**
 * @since 0.5.0
 * @category follow
 */
export interface FollowOptions {
  /** Only these event types (one listing of the log per type and poll); default every type. */
  readonly eventTypes?: ReadonlyArray<WebhookEventType.WebhookEventType> | undefined
  /** Only the events of this entity (a video, a translation, a personalized video project). */
  readonly entityId?: string | undefined
  /**
   * Where to start: a duration before the `Clock`'s now (`"1 hour"`, to cover a laptop's sleep), or an instant.
   * Default now: only events HeyGen stamps (`created_at`, its clock) at or after the moment the follower starts.
   */
  readonly since?: Duration.DurationInput | Date | undefined
  /** How long between two polls, the latency of an event: default 5 seconds. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /**
   * What the follower remembers: the ids of the events it emitted whose `created_at` is within this much of the
   * newest event seen (default 1 hour). An event that first appears in the log further back than that is not
   * emitted. Memory is one id per event in the window, whatever the follower's age.
   */
  readonly window?: Duration.DurationInput | undefined
  /** Events per page of the listing, 1 to 100 (default 100). */
  readonly pageSize?: number | undefined
}

/**
 * The default time between two polls of `follow`: 5 seconds.
 *
 * @since 0.5.0
 * @category follow
 */
export const defaultPollInterval: Duration.Duration = Follow.defaultPollInterval

/**
 * The default window of `follow`'s memory: 1 hour.
 *
 * @since 0.5.0
 * @category follow
 */
export const defaultFollowWindow: Duration.Duration = Follow.defaultWindow

/**
 * One poll of `followPolls`: the new events it found, oldest first, and the follower's state after it.
 *
 * @since 0.5.0
 * @category follow
 */
export interface FollowPoll {
  /** The events that appeared since the previous poll, oldest first (empty when the log was idle). */
  readonly events: ReadonlyArray<WebhookEvent.WebhookEvent>
  /** How many event ids the follower remembers now: those within `window` of the newest event seen. */
  readonly remembered: number
  /** Events created before this instant are not emitted any more: `since`, or `window` before the newest seen. */
  readonly horizon: Date
  /**
   * The transient failure this poll ended with (after the call's own retries), if it did: the next poll comes
   * after the interval, or the 429's `Retry-After` if longer.
   */
  readonly failure: HeyGenError.StreamWebhookEventsError | null
}

/**
 * `follow` one poll at a time: each element is a poll, with the events it found (often none) and what the follower
 * remembers after it, so a caller can tell an idle log from a stalled follower, and watch its memory.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Effect, Stream } from "effect"
 *
 * export const heartbeat = WebhookEvents.followPolls({ pollInterval: "10 seconds" }).pipe(
 *   Stream.runForEach((poll) =>
 *     Effect.log(`${poll.events.length} new, ${poll.remembered} remembered, ${poll.failure?._tag ?? "ok"}`)
 *   )
 * )
 * ```
 *
 * @since 0.5.0
 * @category follow
 */
export const followPolls = (
  options: FollowOptions = {},
  requestOptions?: RequestOptions
): Stream.Stream<FollowPoll, HeyGenError.StreamWebhookEventsError, HeyGenClient.HeyGenClient> =>
  Follow.polls((params) => list(params, requestOptions), options)

/**
 * The events that appear in HeyGen's event log from `since` on, each once, oldest first, as a `Stream` that polls
 * the log every `pollInterval` and never ends by itself: the way to receive events without a public endpoint.
 *
 * How it reads the log: HeyGen does not document its order, so the follower reads it off the log (as
 * `WebhookReceiver.catchUp` does). Seen newest first (it went back in time and never forward), each poll stops at
 * the first event it already has, so an idle log costs one request per poll (and event type). Seen oldest first,
 * each poll resumes from the cursor of the last page it read. In an order it cannot tell, every poll reads the
 * whole log, which must then be right and stays so. It assumes the log only grows at its newest end and that its
 * `next_token` cursors stay valid (one that is refused is dropped: the log is read from its start).
 *
 * Each poll's new events are emitted together, oldest first by `created_at` (equal ones in the order the log
 * implies), and only once every page of the poll was read. The follower remembers the ids of the events it emitted
 * within `window` of the newest one, and nothing else: memory stays bounded however long it runs. It de-duplicates
 * on `event_id` (HeyGen calls it the id of "this event delivery"; integrations find it names the event).
 *
 * Failures: each listing call has the client's retry policy (5xx, dropped connections and timeouts retried, a 429
 * not before its `Retry-After`). A poll that still fails that way is logged as a warning and tried again at the
 * next interval (or after the 429's `Retry-After`, if longer), for as long as the stream runs. Any other failure
 * (401, a refused parameter, a broken cursor, a body that does not decode) ends the stream with its typed error.
 * `followPolls` gives the same, one poll at a time.
 *
 * @example
 * ```ts
 * import { WebhookEvents } from "@effect-heygen/core"
 * import { Effect, Stream } from "effect"
 *
 * // Every video that fails from now on, within 5 seconds of HeyGen logging it.
 * export const failures = WebhookEvents.follow({ eventTypes: ["avatar_video.fail"] }).pipe(
 *   Stream.runForEach((event) => Effect.logWarning(`video ${String(event.event_data["video_id"])} failed`))
 * )
 * // provide a HeyGenClient; it runs until interrupted
 * ```
 *
 * @since 0.5.0
 * @category follow
 */
export const follow = (
  options: FollowOptions = {},
  requestOptions?: RequestOptions
): Stream.Stream<WebhookEvent.WebhookEvent, HeyGenError.StreamWebhookEventsError, HeyGenClient.HeyGenClient> =>
  Stream.mapConcat(followPolls(options, requestOptions), (poll) => poll.events)
