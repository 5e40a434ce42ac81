/**
 * The server-side checks of request bodies and query parameters, written independently of core's Schema on
 * purpose: a fake that reused the client's validator could never catch the client disagreeing with the spec.
 */
import { IdempotencyKey, WebhookEventType } from "@effect-heygen/core"

/** A body that passed, normalised as the server stores it. */
export interface ValidBody {
  readonly url: string
  readonly events: ReadonlyArray<string> | null
  readonly entity_id: string | null
}

/** Why a request is refused with 400 `invalid_parameter`. */
export interface Refusal {
  readonly param: string | null
  readonly message: string
}

const allowedKeys = new Set(["url", "events", "entity_id"])
const eventTypes: ReadonlySet<string> = new Set(WebhookEventType.values)

const isPrivateIpv4 = (host: string): boolean => {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host)
  if (m === null) return false
  const a = Number(m[1])
  const b = Number(m[2])
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
}

/** The spec says "publicly accessible": loopback, private and link-local hosts cannot receive HeyGen's calls. */
const isPublicHost = (hostname: string): boolean =>
  hostname !== "" && hostname !== "localhost" && !hostname.endsWith(".localhost") && !hostname.startsWith("[") &&
  !isPrivateIpv4(hostname)

const urlRefusal: Refusal = { param: "url", message: "'url' must be a publicly accessible HTTPS URL." }

type Checked<A> = { readonly _tag: "Right"; readonly body: A } | { readonly _tag: "Left"; readonly refusal: Refusal }

const checkUrl = (url: unknown): Refusal | null => {
  if (typeof url !== "string") return urlRefusal
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return urlRefusal
  }
  return parsed.protocol !== "https:" || !isPublicHost(parsed.hostname) ? urlRefusal : null
}

const checkEvents = (events: unknown): Refusal | null => {
  if (events === null) return null
  if (!Array.isArray(events)) return { param: "events", message: "'events' must be an array of event types or null." }
  for (const event of events as ReadonlyArray<unknown>) {
    if (typeof event !== "string" || !eventTypes.has(event)) {
      return { param: "events", message: `Unknown event type ${JSON.stringify(event)}.` }
    }
  }
  return null
}

/** Checks a parsed JSON body against the spec's `CreateWebhookEndpointRequest`. */
export const validateBody = (json: unknown): Checked<ValidBody> => {
  const left = (refusal: Refusal) => ({ _tag: "Left" as const, refusal })
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return left({ param: null, message: "The request body must be a JSON object." })
  }
  const record = json as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!allowedKeys.has(key)) return left({ param: key, message: `Unknown parameter '${key}'.` })
  }
  const url = record["url"]
  if (url === undefined) return left({ param: "url", message: "'url' is required." })
  const badUrl = checkUrl(url)
  if (badUrl !== null) return left(badUrl)
  const events = record["events"] ?? null
  const badEvents = checkEvents(events)
  if (badEvents !== null) return left(badEvents)
  const entityId = record["entity_id"] ?? null
  if (entityId !== null && typeof entityId !== "string") {
    return left({ param: "entity_id", message: "'entity_id' must be a string or null." })
  }
  return {
    _tag: "Right",
    body: {
      url: url as string,
      events: events === null ? null : [...(events as ReadonlyArray<string>)],
      entity_id: entityId
    }
  }
}

/** A PATCH body that passed: `url` absent (or null) keeps the URL; `events` present replaces the list. */
export interface ValidUpdate {
  readonly url: string | null
  readonly events: { readonly _tag: "Keep" } | {
    readonly _tag: "Replace"
    readonly events: ReadonlyArray<string> | null
  }
}

const updateKeys = new Set(["url", "events"])

/**
 * Checks a parsed JSON body against the spec's `UpdateWebhookEndpointRequest` and HeyGen's docs: both fields
 * optional, at least one required. The spec types `url` as string-or-null: null (like absence) keeps the URL, so
 * `{"url": null}` alone changes nothing and is refused. `events: null` is a value (all events), so it counts.
 */
export const validateUpdateBody = (json: unknown): Checked<ValidUpdate> => {
  const left = (refusal: Refusal) => ({ _tag: "Left" as const, refusal })
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return left({ param: null, message: "The request body must be a JSON object." })
  }
  const record = json as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!updateKeys.has(key)) return left({ param: key, message: `Unknown parameter '${key}'.` })
  }
  const url = record["url"] ?? null
  if (url !== null) {
    const badUrl = checkUrl(url)
    if (badUrl !== null) return left(badUrl)
  }
  const hasEvents = "events" in record
  if (url === null && !hasEvents) {
    return left({ param: null, message: "At least one of 'url' or 'events' must be provided." })
  }
  const events = hasEvents ? record["events"] ?? null : null
  const badEvents = checkEvents(events)
  if (badEvents !== null) return left(badEvents)
  return {
    _tag: "Right",
    body: {
      url: url as string | null,
      events: hasEvents
        ? { _tag: "Replace", events: events === null ? null : [...(events as ReadonlyArray<string>)] }
        : { _tag: "Keep" }
    }
  }
}

/** Whether a string is one of the spec's event types. */
export const isEventType = (s: string): boolean => eventTypes.has(s)

/** The `limit` query parameter: absent is 10; otherwise an integer 1-100 written in decimal digits. */
export const parseLimit = (raw: string | null): number | Refusal => {
  if (raw === null) return 10
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN
  return n >= 1 && n <= 100 ? n : { param: "limit", message: "'limit' must be between 1 and 100." }
}

/** The spec's Idempotency-Key pattern (shared with core: it is the spec's, not the client's, rule). */
export const isValidIdempotencyKey = (key: string): boolean => IdempotencyKey.pattern.test(key)
