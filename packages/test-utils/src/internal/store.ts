/**
 * What the fake API holds: endpoints, the event log and the idempotency records, indexed so that every route is
 * cheap (a list page is a binary search plus `limit` items, never a scan of the account). Plain synchronous
 * functions: the caller runs each change inside one `Effect.sync`, so it is atomic to concurrent fibers.
 */
import type * as FakeHeyGen from "../FakeHeyGen.js"

/** A response recorded against an Idempotency-Key. */
export type KeyRecord =
  | { readonly _tag: "InFlight" }
  | {
    readonly _tag: "Done"
    readonly account: string
    readonly route: string
    readonly key: string
    readonly response: FakeHeyGen.Response
    readonly at: number
  }

export interface Store {
  /** The next ordinal: one counter orders endpoints and events, and tokens point into it. */
  nextOrdinal: number
  /** Per account, in ordinal (creation) order. */
  readonly endpointsByAccount: Map<string, Array<FakeHeyGen.StoredEndpoint>>
  readonly endpointsById: Map<string, FakeHeyGen.StoredEndpoint>
  /** `account \0 url` -> endpoint id: the URL uniqueness check of create and update in O(1). */
  readonly urls: Map<string, string>
  /** Per account, in ordinal (recording) order. */
  readonly eventsByAccount: Map<string, Array<FakeHeyGen.StoredEvent>>
  /** `account \0 METHOD path \0 key` -> record. The path holds the path parameters, so the scope includes them. */
  readonly keys: Map<string, KeyRecord>
}

export const empty = (): Store => ({
  nextOrdinal: 0,
  endpointsByAccount: new Map(),
  endpointsById: new Map(),
  urls: new Map(),
  eventsByAccount: new Map(),
  keys: new Map()
})

const urlSlot = (account: string, url: string) => `${account}\u0000${url}`
export const keySlot = (account: string, route: string, key: string) => `${account}\u0000${route}\u0000${key}`

const listOf = <A>(map: Map<string, Array<A>>, account: string): Array<A> => {
  const existing = map.get(account)
  if (existing !== undefined) return existing
  const fresh: Array<A> = []
  map.set(account, fresh)
  return fresh
}

/** The index of the first item whose ordinal is greater than `after` (binary search: items are sorted). */
export const firstAfter = <A extends { readonly ordinal: number }>(items: ReadonlyArray<A>, after: number): number => {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (items[mid]!.ordinal <= after) lo = mid + 1
    else hi = mid
  }
  return lo
}

const indexOf = <A extends { readonly ordinal: number }>(items: ReadonlyArray<A>, ordinal: number): number => {
  const i = firstAfter(items, ordinal - 1)
  return items[i]?.ordinal === ordinal ? i : -1
}

/** The endpoint with this id, if the account holds it (another account's endpoint is as invisible as none). */
export const endpointOf = (store: Store, account: string, id: string): FakeHeyGen.StoredEndpoint | undefined => {
  const endpoint = store.endpointsById.get(id)
  return endpoint?.account === account ? endpoint : undefined
}

/** The id of the endpoint of this account that has this URL, if any. */
export const urlOwner = (store: Store, account: string, url: string): string | undefined =>
  store.urls.get(urlSlot(account, url))

export const insertEndpoint = (
  store: Store,
  endpoint: Omit<FakeHeyGen.StoredEndpoint, "ordinal">
): FakeHeyGen.StoredEndpoint => {
  const stored: FakeHeyGen.StoredEndpoint = { ...endpoint, ordinal: store.nextOrdinal++ }
  listOf(store.endpointsByAccount, stored.account).push(stored)
  store.endpointsById.set(stored.endpoint_id, stored)
  store.urls.set(urlSlot(stored.account, stored.url), stored.endpoint_id)
  return stored
}

/** Replaces a stored endpoint by a changed copy (same id, account and ordinal). */
export const replaceEndpoint = (store: Store, next: FakeHeyGen.StoredEndpoint): void => {
  const previous = store.endpointsById.get(next.endpoint_id)
  if (previous === undefined) return
  const list = listOf(store.endpointsByAccount, next.account)
  const i = indexOf(list, next.ordinal)
  if (i >= 0) list[i] = next
  store.endpointsById.set(next.endpoint_id, next)
  if (previous.url !== next.url) {
    store.urls.delete(urlSlot(previous.account, previous.url))
    store.urls.set(urlSlot(next.account, next.url), next.endpoint_id)
  }
}

export const removeEndpoint = (store: Store, endpoint: FakeHeyGen.StoredEndpoint): void => {
  const list = listOf(store.endpointsByAccount, endpoint.account)
  const i = indexOf(list, endpoint.ordinal)
  if (i >= 0) list.splice(i, 1)
  store.endpointsById.delete(endpoint.endpoint_id)
  store.urls.delete(urlSlot(endpoint.account, endpoint.url))
}

export const insertEvent = (store: Store, event: Omit<FakeHeyGen.StoredEvent, "ordinal">): FakeHeyGen.StoredEvent => {
  const stored: FakeHeyGen.StoredEvent = { ...event, ordinal: store.nextOrdinal++ }
  listOf(store.eventsByAccount, stored.account).push(stored)
  return stored
}

export const endpointsOf = (store: Store, account?: string): ReadonlyArray<FakeHeyGen.StoredEndpoint> =>
  account === undefined
    ? [...store.endpointsByAccount.values()].flat().sort((a, b) => a.ordinal - b.ordinal)
    : [...(store.endpointsByAccount.get(account) ?? [])]

export const eventsOf = (store: Store, account?: string): ReadonlyArray<FakeHeyGen.StoredEvent> =>
  account === undefined
    ? [...store.eventsByAccount.values()].flat().sort((a, b) => a.ordinal - b.ordinal)
    : [...(store.eventsByAccount.get(account) ?? [])]

/** A JSON-serialisable copy of what the store holds (idempotency records still inside their window). */
export const snapshot = (store: Store, now: number, keyWindow: number): FakeHeyGen.State => ({
  version: 1,
  nextOrdinal: store.nextOrdinal,
  endpoints: endpointsOf(store),
  events: eventsOf(store),
  idempotency: [...store.keys.values()].flatMap((record) =>
    record._tag === "Done" && now - record.at < keyWindow
      ? [{ account: record.account, route: record.route, key: record.key, at: record.at, response: record.response }]
      : []
  )
})

/** A store holding what a snapshot held. */
export const restore = (state: FakeHeyGen.State): Store => {
  const store = empty()
  const byOrdinal = <A extends { readonly ordinal: number }>(items: ReadonlyArray<A>) =>
    [...items].sort((a, b) => a.ordinal - b.ordinal)
  for (const endpoint of byOrdinal(state.endpoints)) {
    listOf(store.endpointsByAccount, endpoint.account).push(endpoint)
    store.endpointsById.set(endpoint.endpoint_id, endpoint)
    store.urls.set(urlSlot(endpoint.account, endpoint.url), endpoint.endpoint_id)
  }
  for (const event of byOrdinal(state.events)) listOf(store.eventsByAccount, event.account).push(event)
  for (const record of state.idempotency) {
    store.keys.set(keySlot(record.account, record.route, record.key), { _tag: "Done", ...record })
  }
  // Never hand out an ordinal already used, whatever the snapshot says: tokens would point at the wrong item.
  const highest = [...state.endpoints, ...state.events].reduce((max, item) => Math.max(max, item.ordinal), -1)
  store.nextOrdinal = Math.max(state.nextOrdinal, highest + 1)
  return store
}
