// `webhook event-types list` and `webhook events list|replay|listen`: their flags, help and examples, and the
// handlers of the two lists, one call to core's `WebhookEvents` each. `event-types list --offline` prints the list
// built into this CLI, with no key. Replay's and listen's handlers load only when they run.
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Call from "./call.js"
import * as Flags from "./flags.js"
import * as Output from "./output.js"
import * as Table from "./table.js"

const listEventTypes = (flags: Flags.Input<typeof eventTypesInputs>) =>
  Effect.gen(function*() {
    const rows: ReadonlyArray<{ readonly event_type: string; readonly description: string | null }> = flags.offline
      // The built-in list has the names only: descriptions come from the API.
      ? WebhookEventType.values.map((event_type) => ({ event_type, description: null }))
      : yield* Effect.flatMap(Call.connection(flags), (conn) =>
        Effect.map(Call.run(conn, WebhookEvents.listEventTypes(conn.limits)), (result) => result.data))
    yield* flags.human
      ? Output.text(Table.render([
        {
          header: "event type",
          value: (t) =>
            t.event_type
        },
        { header: "description", value: (t) => t.description ?? "", max: 80 }
      ], rows))
      : Output.json({ data: rows })
  })

const listing = (human: boolean): Output.Listing<WebhookEvent.WebhookEvent> => ({
  command: "webhook events list",
  noun: "events",
  human,
  toJson: (event) => event,
  columns: [
    { header: "event id", value: (e) => e.event_id },
    { header: "event type", value: (e) => e.event_type },
    { header: "created", value: (e) => Table.localTime(e.created_at) },
    { header: "data", value: (e) => JSON.stringify(e.event_data), max: 60 }
  ]
})

const listEvents = (flags: Flags.Input<typeof eventsInputs>) =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    // Untyped text from flags: core validates `event_type` against the known types before sending.
    const params = {
      ...Output.pageParams(flags),
      ...(Option.isSome(flags.eventType) ? { event_type: flags.eventType.value } : {}),
      ...(Option.isSome(flags.entityId) ? { entity_id: flags.entityId.value } : {})
    } as unknown as WebhookEvent.ListWebhookEventsParams
    yield* flags.all
      ? Call.run(conn, Output.all(WebhookEvents.stream(params, conn.limits), listing(flags.human)))
      : Effect.flatMap(Call.run(conn, WebhookEvents.list(params, conn.limits)), (page) =>
        Output.page(page, listing(flags.human)))
  })

const eventTypesInputs = {
  offline: Flags.boolean("offline", "Print the list built into this CLI: no API key, no network."),
  ...Flags.connection
} as const

const eventTypesList = Flags.command("list", eventTypesInputs, {
  summary: "List the event types an endpoint may subscribe to, with what each means.",
  examples: [
    ["As a table", "effect-heygen webhook event-types list --human"],
    ["Without an API key or network", "effect-heygen webhook event-types list --offline"]
  ]
}, listEventTypes)

/** `webhook event-types`. */
export const eventTypes = Flags.group("event-types", {
  summary: "The event types webhooks deliver.",
  examples: [["As a table", "effect-heygen webhook event-types list --human"]]
}, [eventTypesList])

const entityId = Flags.text("entity-id", "ID", "Only events about this resource (a video id, say).")

const eventsInputs = {
  eventType: Flags.text("event-type", "TYPE", "Only events of this type."),
  entityId,
  ...Flags.page,
  ...Flags.connection
} as const

const eventsList = Flags.command("list", eventsInputs, {
  summary: "List the events HeyGen sent to your endpoints: one page, or every page with --all.",
  examples: [
    ["Recent events as a table", "effect-heygen webhook events list --human"],
    [
      "Every failure of one video",
      "effect-heygen webhook events list --event-type avatar_video.fail --entity-id VIDEO_ID --all"
    ]
  ]
}, listEvents)

export const replayInputs = {
  since: Flags.since("Replay events created at or after this: an age (48h, 90m, 7d) or an ISO 8601 time. Required."),
  forwardTo: Flags.forwardTo(
    "Your receiver, e.g. https://example.com/hooks/heygen or http://127.0.0.1:3000/hooks/heygen. Required unless --dry-run."
  ),
  secretFile: Flags.text(
    "secret-file",
    "FILE",
    "Your receiver's signing secret (the first line, if several); never printed. Required unless --dry-run."
  ),
  eventTypes: Flags.eventTypes("event-types", "Only these event types, comma-separated or repeated (default: all)."),
  entityId,
  dryRun: Flags.boolean("dry-run", "Only list the events that would be sent: nothing is sent, no secret needed."),
  ...Flags.connection
} as const

const eventsReplay = Flags.command("replay", replayInputs, {
  summary:
    "Send the logged events since --since to your receiver again, signed, so it catches up on what it missed (exit 1 if any failed).",
  description: [
    "Each event goes as a documented delivery: Heygen-Event-Id is the log's event_id and the body is",
    "{event_id, event_type, created_at, event_data}, so a receiver that de-duplicates on the event id (as",
    "effect-heygen's WebhookReceiver does) skips what it handled and handles what it missed, once. This assumes",
    "the log's event_id is the id the deliveries carried: HeyGen does not document it (integrations found it so);",
    "deliveries that carried no id at all cannot be matched over HTTP (core's WebhookReceiver.catchUp can).",
    "The log's order is not documented: all of it is read, and events are sent oldest first, one at a time.",
    "One JSON line per event, outcome: delivered (a 2xx: accepted, which for a de-duplicating receiver may mean",
    "already handled: its answer does not say), duplicate (its event_id listed again: sent once), failed (no 2xx",
    "after 3 attempts), listed (--dry-run). Safe to run again: handled events are skipped by the receiver."
  ],
  examples: [
    [
      "Your receiver was down: send it the last two days again",
      "effect-heygen webhook events replay --since 48h --forward-to https://example.com/hooks/heygen --secret-file ./whsec --human"
    ],
    [
      "See what would be sent, nothing sent",
      "effect-heygen webhook events replay --since 2026-01-31T00:00:00Z --event-types avatar_video.success --dry-run"
    ],
    [
      "Try it on the sandbox's log and a receiver on your machine",
      "effect-heygen webhook events replay --sandbox --since 1h --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec"
    ]
  ]
}, (flags) => Flags.lazy(() => import("./replay.js"), (m) => m.run(flags)))

export const listenInputs = {
  forwardTo: Flags.forwardTo(
    "Your receiver, e.g. http://127.0.0.1:3000/hooks/heygen: each new event is POSTed there, signed. Required."
  ),
  secretFile: Flags.text(
    "secret-file",
    "FILE",
    "Your receiver's signing secret (the first line, if several); never printed. Required."
  ),
  eventTypes: Flags.eventTypes("event-types", "Only these event types, comma-separated or repeated (default: all)."),
  entityId,
  since: Flags.since(
    "Also forward events created since then: an age (1h after a laptop slept) or an ISO 8601 time (default: now)."
  ),
  interval: Flags.duration("interval", "How long between two reads of the event log (default 5s): the latency."),
  ...Flags.connection
} as const

const eventsListen = Flags.command("listen", listenInputs, {
  summary:
    "Follow the event log and forward each new event to your receiver, signed: receiving with no public endpoint.",
  description: [
    "HeyGen has no relay to a laptop; its event log is read every --interval instead, and each event that appears",
    "is POSTed to --forward-to as a documented delivery (Heygen-Event-Id is the log's event_id), once. A refused",
    "or unreachable forward is printed and tried again (1s, 2s, ... every 30s) for as long as listen runs: no",
    "event is dropped. A first line says it started; then one JSON line per answer: delivered, retrying, or failed (a 404 or 405 stops at once).",
    "Ctrl-C lets the attempt in flight finish, prints a summary (with --since to resume, if an event was still",
    "waiting) and exits 0. An idle log costs one request per --interval and event type (720 an hour at 5s)."
  ],
  examples: [
    [
      "Your account's events to a receiver on your machine",
      "effect-heygen webhook events listen --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec --human"
    ],
    [
      "After the laptop slept: pick up the last hour too",
      "effect-heygen webhook events listen --since 1h --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec"
    ],
    [
      "The sandbox's log (sandbox trigger in another shell logs events)",
      "effect-heygen webhook events listen --sandbox --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec"
    ]
  ]
}, (flags) => Flags.lazy(() => import("./listen.js"), (m) => m.run(flags)))

/** `webhook events`. */
export const events = Flags.group("events", {
  summary: "The log of events HeyGen sent: list it, replay it to a receiver that missed some, or follow it.",
  examples: [
    ["Recent events as a table", "effect-heygen webhook events list --human"],
    [
      "Catch your receiver up on the last day",
      "effect-heygen webhook events replay --since 24h --forward-to https://example.com/hooks/heygen --secret-file ./whsec"
    ]
  ]
}, [eventsList, eventsReplay, eventsListen])
