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
 * The headers of one attempt: signed over the exact body, stamped with the attempt's dispatch time.
 *
 * @internal
 */
export const deliveryHeaders = (
  body: string,
  secret: Redacted.Redacted<string>,
  eventId: string,
  nowMillis: number
): Record<string, string> => ({
  "content-type": "application/json",
  ...WebhookSignature.sign(body, secret, Math.floor(nowMillis / 1000)),
  "Heygen-Event-Id": eventId
})
