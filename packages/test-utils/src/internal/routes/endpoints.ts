/**
 * The webhook endpoint routes: create, list, update, delete, rotate-secret. Each is a synchronous handler over the
 * store (see `route.ts`); HeyGen's documented facts the spec does not carry are noted where they apply.
 */
import type * as FakeHeyGen from "../../FakeHeyGen.js"
import * as Store from "../store.js"
import { parseLimit, validateBody, validateUpdateBody } from "../validation.js"
import type { Answer, Context, Route } from "./route.js"
import { decodeToken, error, invalid, invalidToken, notFound, notJson, ok, page, parseJson } from "./route.js"

const conflict: Answer = error(409, "conflict", "A webhook endpoint with this URL already exists for this account.")

/** The JSON form of an endpoint; `secret` only where the docs say it is shown (create, rotate), else null. */
const render = (endpoint: FakeHeyGen.StoredEndpoint, withSecret: boolean) => ({
  endpoint_id: endpoint.endpoint_id,
  url: endpoint.url,
  events: endpoint.events,
  status: endpoint.status,
  created_at: endpoint.created_at,
  secret: withSecret ? endpoint.secret : null
})

const create = (context: Context): Answer => {
  const parsed = parseJson(context.body)
  if (parsed === undefined) return notJson
  const checked = validateBody(parsed.json)
  if (checked._tag === "Left") return invalid(checked.refusal)
  const body = checked.body
  if (Store.urlOwner(context.store, context.account, body.url) !== undefined) return conflict
  const stored = Store.insertEndpoint(context.store, {
    account: context.account,
    endpoint_id: context.fresh.endpointId,
    url: body.url,
    events: body.events,
    entity_id: body.entity_id,
    status: "enabled",
    created_at: new Date(context.now).toISOString(),
    secret: context.fresh.secret,
    idempotencyKey: context.idempotencyKey,
    createdBy: context.seq
  })
  return ok({ data: render(stored, true) })
}

/** Oldest first (creation order): new endpoints join the end, so a walk through the pages never misses one. */
const list = (context: Context): Answer => {
  const limit = parseLimit(context.query.get("limit"))
  if (typeof limit !== "number") return invalid(limit)
  const token = context.query.get("token")
  const after = token === null ? -1 : decodeToken("endpoints", token)
  if (after === undefined) return invalidToken
  const items = context.store.endpointsByAccount.get(context.account) ?? []
  return ok(page("endpoints", items, after, limit, (e) => render(e, false)))
}

/**
 * PATCH sets absolute values: `events` is replaced, not merged; the URL must not be another endpoint's. The body is
 * checked before the endpoint is looked up, as a framework validates a body before the handler runs.
 */
const update = (context: Context): Answer => {
  const parsed = parseJson(context.body)
  if (parsed === undefined) return notJson
  const checked = validateUpdateBody(parsed.json)
  if (checked._tag === "Left") return invalid(checked.refusal)
  const endpoint = Store.endpointOf(context.store, context.account, context.params[0]!)
  if (endpoint === undefined) return notFound
  const { events, url } = checked.body
  if (url !== null) {
    const owner = Store.urlOwner(context.store, context.account, url)
    if (owner !== undefined && owner !== endpoint.endpoint_id) return conflict
  }
  const next: FakeHeyGen.StoredEndpoint = {
    ...endpoint,
    url: url ?? endpoint.url,
    events: events._tag === "Replace" ? events.events : endpoint.events
  }
  Store.replaceEndpoint(context.store, next)
  return ok({ data: render(next, false) })
}

const remove = (context: Context): Answer => {
  const endpoint = Store.endpointOf(context.store, context.account, context.params[0]!)
  if (endpoint === undefined) return notFound
  Store.removeEndpoint(context.store, endpoint)
  return ok({ error: null, data: {} })
}

/** The old secret is invalid at once: the endpoint holds only the new one. */
const rotate = (context: Context): Answer => {
  const endpoint = Store.endpointOf(context.store, context.account, context.params[0]!)
  if (endpoint === undefined) return notFound
  Store.replaceEndpoint(context.store, { ...endpoint, secret: context.fresh.secret })
  return ok({ data: { endpoint_id: endpoint.endpoint_id, secret: context.fresh.secret } })
}

const base = ["", "v3", "webhooks", "endpoints"]

export const routes: ReadonlyArray<Route> = [
  { method: "POST", pattern: base, keyed: true, mints: true, handle: create },
  { method: "GET", pattern: base, keyed: false, mints: false, handle: list },
  { method: "PATCH", pattern: [...base, null], keyed: false, mints: false, handle: update },
  { method: "DELETE", pattern: [...base, null], keyed: false, mints: false, handle: remove },
  { method: "POST", pattern: [...base, null, "rotate-secret"], keyed: true, mints: true, handle: rotate }
]
