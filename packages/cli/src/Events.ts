/**
 * `webhook event-types list` and `webhook events list`: one call to core's `WebhookEvents` each, printed as JSON
 * or (`--human`) as a table. `event-types list --offline` prints the list built into this CLI, with no key.
 *
 * @since 0.2.0
 */
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Call from "./Call.js"
import * as Endpoints from "./Endpoints.js"
import type * as Failure from "./Failure.js"
import type { Io } from "./Io.js"
import * as Output from "./Output.js"
import * as Table from "./Table.js"

interface EventTypeRow {
  readonly event_type: string
  readonly description: string | null
}

const eventTypeColumns: ReadonlyArray<Table.Column<EventTypeRow>> = [
  { header: "event type", value: (t) => t.event_type },
  { header: "description", value: (t) => t.description ?? "", max: 80 }
]

const printEventTypes = (rows: ReadonlyArray<EventTypeRow>, human: boolean) =>
  human ? Output.text(Table.render(eventTypeColumns, rows)) : Output.json({ data: rows })

/**
 * `webhook event-types list`.
 *
 * @since 0.2.0
 * @category commands
 */
export const listEventTypes = (
  flags: Call.ConnectionFlags & { readonly offline: boolean }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    if (flags.offline) {
      // The built-in list has the names only: descriptions come from the API.
      return yield* printEventTypes(
        WebhookEventType.values.map((event_type) => ({ event_type, description: null })),
        flags.human
      )
    }
    const conn = yield* Call.connection(flags)
    const result = yield* Call.run(conn, WebhookEvents.listEventTypes(conn.limits))
    yield* printEventTypes(result.data, flags.human)
  })

/**
 * An event as printed: HeyGen's JSON field names.
 *
 * @since 0.2.0
 * @category rendering
 */
export const toJson = (event: WebhookEvent.WebhookEvent) => event

/**
 * The columns of an events table.
 *
 * @since 0.2.0
 * @category rendering
 */
export const columns: ReadonlyArray<Table.Column<WebhookEvent.WebhookEvent>> = [
  { header: "event id", value: (e) => e.event_id },
  { header: "event type", value: (e) => e.event_type },
  { header: "created", value: (e) => Table.localTime(e.created_at) },
  { header: "data", value: (e) => JSON.stringify(e.event_data), max: 60 }
]

/**
 * `webhook events list`.
 *
 * @since 0.2.0
 * @category commands
 */
export const listEvents = (
  flags: Call.ConnectionFlags & {
    readonly eventType: Option.Option<string>
    readonly entityId: Option.Option<string>
    readonly limit: Option.Option<number>
    readonly token: Option.Option<string>
    readonly all: boolean
  }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const page = Endpoints.pageParams(flags)
    // Untyped text from flags: core validates `event_type` against the known types before sending.
    const params = {
      ...page,
      ...(Option.isSome(flags.eventType) ? { event_type: flags.eventType.value } : {}),
      ...(Option.isSome(flags.entityId) ? { entity_id: flags.entityId.value } : {})
    } as unknown as WebhookEvent.ListWebhookEventsParams
    if (flags.all) {
      return yield* Call.run(
        conn,
        Output.all(WebhookEvents.stream(params, conn.limits), { noun: "events", human: flags.human, toJson, columns })
      )
    }
    const result = yield* Call.run(conn, WebhookEvents.list(params, conn.limits))
    if (flags.human) {
      const table = result.data.length === 0 ? "(no events)" : Table.render(columns, result.data)
      return yield* Output.text(
        `${table}${Endpoints.moreLine("webhook events list", result.hasMore ? result.nextToken : null)}`
      )
    }
    yield* Output.json({ data: result.data.map(toJson), has_more: result.hasMore, next_token: result.nextToken })
  })
