/**
 * `effect-heygen webhook event-types list` and `effect-heygen webhook events list`: flags, help and examples. The
 * handlers (`Events`) load only when a command runs.
 *
 * @since 0.2.0
 */
import * as CommandSpec from "./CommandSpec.js"
import * as Flags from "./Flags.js"

const eventTypesInputs = {
  offline: CommandSpec.boolean("offline", "Print the list built into this CLI: no API key, no network."),
  ...Flags.connection
} as const

const eventTypesList = CommandSpec.leaf("list", eventTypesInputs, {
  summary: "List the event types an endpoint may subscribe to, with what each means.",
  examples: [
    { what: "As a table", command: "effect-heygen webhook event-types list --human" },
    { what: "Without an API key or network", command: "effect-heygen webhook event-types list --offline" }
  ]
}, (flags) => CommandSpec.lazy(() => import("./Events.js"), (m) => m.listEventTypes(flags)))

/**
 * `webhook event-types`.
 *
 * @since 0.2.0
 * @category commands
 */
export const eventTypes = CommandSpec.group("event-types", {
  summary: "The event types webhooks deliver.",
  examples: [{ what: "As a table", command: "effect-heygen webhook event-types list --human" }]
}, [eventTypesList])

const eventsInputs = {
  eventType: CommandSpec.text("event-type", "TYPE", "Only events of this type.", {
    completion: { _tag: "EventTypes", list: false }
  }),
  entityId: Flags.entityId,
  limit: Flags.limit,
  token: Flags.token,
  all: Flags.all,
  ...Flags.connection
} as const

const eventsList = CommandSpec.leaf("list", eventsInputs, {
  summary: "List the events HeyGen sent to your endpoints: one page, or every page with --all.",
  examples: [
    { what: "Recent events as a table", command: "effect-heygen webhook events list --human" },
    {
      what: "Every failure of one video",
      command: "effect-heygen webhook events list --event-type avatar_video.fail --entity-id VIDEO_ID --all"
    }
  ]
}, (flags) => CommandSpec.lazy(() => import("./Events.js"), (m) => m.listEvents(flags)))

/**
 * `webhook events`.
 *
 * @since 0.2.0
 * @category commands
 */
export const events = CommandSpec.group("events", {
  summary: "The log of events HeyGen sent.",
  examples: [{ what: "Recent events as a table", command: "effect-heygen webhook events list --human" }]
}, [eventsList])
