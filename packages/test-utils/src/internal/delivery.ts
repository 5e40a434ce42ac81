/**
 * Pieces of the delivery engine that are not its public face: where a delivery may go, and what it looks like
 * on the wire.
 */
import { WebhookSignature } from "@effect-heygen/core"
import type * as Redacted from "effect/Redacted"

const isPrivateIpv4 = (hostname: string): boolean => {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(hostname)
  if (m === null) return false
  const a = Number(m[1])
  const b = Number(m[2])
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
}

/**
 * HeyGen delivers only to publicly reachable hosts (the same rule the fake applies to Create's `url`; kept
 * here too so that the engine does not depend on the model's validation internals).
 *
 * @internal
 */
export const isPublicUrl = (url: string): boolean => {
  let hostname: string
  try {
    hostname = new URL(url).hostname
  } catch {
    return false
  }
  return hostname !== "" && hostname !== "localhost" && !hostname.endsWith(".localhost") &&
    !hostname.startsWith("[") && !isPrivateIpv4(hostname)
}

/**
 * The two forms a delivery's headers come in. `documented`: what HeyGen's docs describe (`Heygen-Signature`,
 * `Heygen-Timestamp`, `Heygen-Event-Id`). `legacy`: what production integrations report receiving (a plain
 * `signature` header, the hex HMAC-SHA256 of the raw body, and nothing else: no timestamp, no event-id header;
 * the event id travels in the body).
 *
 * @internal
 */
export type HeaderStyle = "documented" | "legacy"

/**
 * A delivery's body, as HeyGen's v3 docs show it: the event's id and creation time beside its type and data, in
 * both header styles. Serialised once, so that every attempt sends (and signs) the same bytes.
 *
 * @internal
 */
export const deliveryBody = (event: {
  readonly eventId: string
  readonly eventType: string
  readonly createdAt: string
  readonly eventData: unknown
}): string =>
  JSON.stringify({
    event_id: event.eventId,
    event_type: event.eventType,
    created_at: event.createdAt,
    event_data: event.eventData
  })

/**
 * The headers of one attempt in `style`, signed over the exact body. A documented attempt is stamped with its
 * dispatch time; a legacy one carries the signature alone.
 *
 * @internal
 */
export const deliveryHeaders = (
  style: HeaderStyle,
  body: string,
  secret: Redacted.Redacted<string>,
  eventId: string,
  nowMillis: number
): Record<string, string> =>
  style === "legacy"
    ? { "content-type": "application/json", "signature": WebhookSignature.computeSignature(body, secret) }
    : {
      "content-type": "application/json",
      "Heygen-Signature": WebhookSignature.computeSignature(body, secret),
      "Heygen-Timestamp": String(Math.floor(nowMillis / 1000)),
      "Heygen-Event-Id": eventId
    }
