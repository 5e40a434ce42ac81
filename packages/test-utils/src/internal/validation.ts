/**
 * The server-side checks of a Create Webhook Endpoint body, written independently of core's Schema on purpose:
 * a fake that reused the client's validator could never catch the client disagreeing with the spec.
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

/** Checks a parsed JSON body against the spec's `CreateWebhookEndpointRequest`. */
export const validateBody = (json: unknown): { readonly _tag: "Right"; readonly body: ValidBody } | {
  readonly _tag: "Left"
  readonly refusal: Refusal
} => {
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
  if (typeof url !== "string") return left(urlRefusal)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return left(urlRefusal)
  }
  if (parsed.protocol !== "https:" || !isPublicHost(parsed.hostname)) return left(urlRefusal)

  const events = record["events"] ?? null
  if (events !== null && !Array.isArray(events)) {
    return left({ param: "events", message: "'events' must be an array of event types or null." })
  }
  if (events !== null) {
    for (const event of events as ReadonlyArray<unknown>) {
      if (typeof event !== "string" || !eventTypes.has(event)) {
        return left({ param: "events", message: `Unknown event type ${JSON.stringify(event)}.` })
      }
    }
  }
  const entityId = record["entity_id"] ?? null
  if (entityId !== null && typeof entityId !== "string") {
    return left({ param: "entity_id", message: "'entity_id' must be a string or null." })
  }
  return {
    _tag: "Right",
    body: { url, events: events === null ? null : [...(events as ReadonlyArray<string>)], entity_id: entityId }
  }
}

/** The spec's Idempotency-Key pattern (shared with core: it is the spec's, not the client's, rule). */
export const isValidIdempotencyKey = (key: string): boolean => IdempotencyKey.pattern.test(key)
