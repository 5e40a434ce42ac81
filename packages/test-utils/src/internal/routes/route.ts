/**
 * What a route handler is: a synchronous function over the store, run inside one `Effect.sync` (so its checks and
 * changes are atomic), given everything random or timed it needs already drawn.
 */
import type { Store } from "../store.js"
import { firstAfter } from "../store.js"

/** Values drawn before the handler runs (handlers stay synchronous and pure over the store). */
export interface Fresh {
  readonly endpointId: string
  readonly secret: string
}

export interface Context {
  readonly store: Store
  readonly account: string
  /** The path parameters, percent-decoded, in order. */
  readonly params: ReadonlyArray<string>
  readonly query: URLSearchParams
  readonly body: string
  /** Clock time (ms) the API processes the request (after any latency). */
  readonly now: number
  /** The `seq` of the exchange. */
  readonly seq: number
  /** The Idempotency-Key, on routes that take one. */
  readonly idempotencyKey: string | null
  readonly fresh: Fresh
  /** The order the event log is listed in (`FakeHeyGen.Options.eventOrder`). */
  readonly eventOrder: "oldestFirst" | "newestFirst"
}

/** The API's answer, before it becomes a response (the body is JSON-encoded by the caller). */
export interface Answer {
  readonly status: number
  readonly body: unknown
}

export interface Route {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** Path segments; `null` is a path parameter. */
  readonly pattern: ReadonlyArray<string | null>
  /** Whether the route honours `Idempotency-Key` (the spec declares it on create and rotate-secret only). */
  readonly keyed: boolean
  /** Whether the handler needs fresh ids or secrets drawn. */
  readonly mints: boolean
  readonly handle: (context: Context) => Answer
}

export const ok = (body: unknown): Answer => ({ status: 200, body })

export const error = (status: number, code: string, message: string, param: string | null = null): Answer => ({
  status,
  body: { error: { code, message, param, doc_url: null } }
})

export const invalid = (refusal: { readonly param: string | null; readonly message: string }): Answer =>
  error(400, "invalid_parameter", refusal.message, refusal.param)

export const notFound: Answer = error(404, "not_found", "Webhook endpoint not found.")

/** Parses a JSON body; `undefined` when it is not JSON. */
export const parseJson = (body: string): { readonly json: unknown } | undefined => {
  try {
    return { json: JSON.parse(body) as unknown }
  } catch {
    return undefined
  }
}

export const notJson: Answer = error(400, "invalid_parameter", "The request body is not valid JSON.")

/**
 * Pagination tokens are opaque to clients: base64url of the list's kind and the ordinal of the last item served.
 * The next page is what comes after that ordinal, so a page is a binary search away whatever the list's size,
 * and items created or deleted meanwhile never make a page repeat or skip an item that stays.
 */
export type ListKind = "endpoints" | "events"

const kindTag: Record<ListKind, string> = { endpoints: "e", events: "v" }

export const encodeToken = (kind: ListKind, ordinal: number): string =>
  btoa(`${kindTag[kind]}:${ordinal.toString(36)}`).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")

export const decodeToken = (kind: ListKind, token: string): number | undefined => {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return undefined
  let text: string
  try {
    text = atob(token.replace(/-/g, "+").replace(/_/g, "/"))
  } catch {
    return undefined
  }
  const m = /^([ev]):([0-9a-z]{1,12})$/.exec(text)
  if (m === null || m[1] !== kindTag[kind]) return undefined
  return parseInt(m[2]!, 36)
}

export const invalidToken: Answer = error(
  400,
  "invalid_parameter",
  "'token' is not a pagination token this list issued.",
  "token"
)

/** One page of `items` (sorted by ordinal) after `after`, keeping those `keep` accepts, with an accurate has_more. */
export const page = <A extends { readonly ordinal: number }, B>(
  kind: ListKind,
  items: ReadonlyArray<A>,
  after: number,
  limit: number,
  render: (item: A) => B,
  keep: (item: A) => boolean = () => true
): { readonly data: ReadonlyArray<B>; readonly has_more: boolean; readonly next_token: string | null } => {
  const start = firstAfter(items, after)
  return collect(kind, items, limit, render, keep, start, (i) => i < items.length, 1)
}

/**
 * `page` listed the other way round: newest first, the page after `before` (`-1`: the first page) holding items of
 * a lower ordinal. A token still points at the last item served, so an item created while a client pages through
 * lands before the first page and never makes a later page repeat or skip one.
 */
export const pageNewestFirst = <A extends { readonly ordinal: number }, B>(
  kind: ListKind,
  items: ReadonlyArray<A>,
  before: number,
  limit: number,
  render: (item: A) => B,
  keep: (item: A) => boolean = () => true
): { readonly data: ReadonlyArray<B>; readonly has_more: boolean; readonly next_token: string | null } => {
  const start = (before === -1 ? items.length : firstAfter(items, before - 1)) - 1
  return collect(kind, items, limit, render, keep, start, (i) => i >= 0, -1)
}

/** One page of `items` walked from `start` by `step` while `within`; the token names the last item served. */
const collect = <A extends { readonly ordinal: number }, B>(
  kind: ListKind,
  items: ReadonlyArray<A>,
  limit: number,
  render: (item: A) => B,
  keep: (item: A) => boolean,
  start: number,
  within: (i: number) => boolean,
  step: 1 | -1
): { readonly data: ReadonlyArray<B>; readonly has_more: boolean; readonly next_token: string | null } => {
  const data: Array<B> = []
  let last: A | undefined
  let hasMore = false
  for (let i = start; within(i); i += step) {
    const item = items[i]!
    if (!keep(item)) continue
    if (data.length === limit) {
      hasMore = true
      break
    }
    data.push(render(item))
    last = item
  }
  return {
    data,
    has_more: hasMore,
    next_token: hasMore && last !== undefined ? encodeToken(kind, last.ordinal) : null
  }
}
