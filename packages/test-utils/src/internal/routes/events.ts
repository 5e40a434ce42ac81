/**
 * The event routes: the event types (one complete page, as HeyGen's docs say) and the account's event log.
 */
import type * as FakeHeyGen from "../../FakeHeyGen.js"
import { eventTypeItems } from "../eventTypes.js"
import { isEventType, parseLimit } from "../validation.js"
import type { Answer, Context, Route } from "./route.js"
import { decodeToken, invalid, invalidToken, ok, page, pageNewestFirst } from "./route.js"

const eventTypes = (): Answer => ok({ data: eventTypeItems, has_more: false, next_token: null })

const render = (event: FakeHeyGen.StoredEvent) => ({
  event_id: event.event_id,
  event_type: event.event_type,
  event_data: event.event_data,
  created_at: event.created_at
})

/**
 * In recording order, oldest first unless the fake lists newest first (`eventOrder`), filtered by `event_type` and
 * `entity_id` when given.
 */
const events = (context: Context): Answer => {
  const limit = parseLimit(context.query.get("limit"))
  if (typeof limit !== "number") return invalid(limit)
  const eventType = context.query.get("event_type")
  if (eventType !== null && !isEventType(eventType)) {
    return invalid({ param: "event_type", message: `Unknown event type ${JSON.stringify(eventType)}.` })
  }
  const entityId = context.query.get("entity_id")
  const token = context.query.get("token")
  const after = token === null ? -1 : decodeToken("events", token)
  if (after === undefined) return invalidToken
  const items = context.store.eventsByAccount.get(context.account) ?? []
  return ok((context.eventOrder === "newestFirst" ? pageNewestFirst : page)(
    "events",
    items,
    after,
    limit,
    render,
    (e) => (eventType === null || e.event_type === eventType) && (entityId === null || e.entity_id === entityId)
  ))
}

export const routes: ReadonlyArray<Route> = [
  { method: "GET", pattern: ["", "v3", "webhooks", "event-types"], keyed: false, mints: false, handle: eventTypes },
  { method: "GET", pattern: ["", "v3", "webhooks", "events"], keyed: false, mints: false, handle: events }
]
