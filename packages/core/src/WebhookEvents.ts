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
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as HeyGenClient from "./HeyGenClient.js"
import type * as HeyGenError from "./HeyGenError.js"
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
          return !(backward && !forward && at < cut)
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
