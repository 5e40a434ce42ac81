import { WebhookEndpoints, WebhookEvents } from "@effect-heygen/core"
import { Chunk, Effect, Redacted, Stream } from "effect"

// Every endpoint of the account: the stream follows next_token, one page per pull.
export const everyEndpoint = Stream.runCollect(WebhookEndpoints.stream({ limit: 100 })).pipe(
  Effect.map(Chunk.toReadonlyArray)
)

// One page at a time, when you keep the cursor yourself.
export const firstPage = WebhookEndpoints.list({ limit: 10 })

// Replace the events an endpoint receives (the list is replaced, not merged).
export const onlyFailures = (endpointId: string) =>
  WebhookEndpoints.update(endpointId, { events: ["avatar_video.fail"] })

// Rotate a leaked secret: the old one stops working at once, so store the new one now.
export const rotate = (endpointId: string) =>
  WebhookEndpoints.rotateSecret(endpointId).pipe(Effect.map(({ secret }) => Redacted.value(secret)))

// Delete, and treat "already deleted" as done.
export const remove = (endpointId: string) =>
  WebhookEndpoints.delete(endpointId).pipe(
    Effect.as("deleted"),
    Effect.catchTag("NotFound", () => Effect.succeed("was not there"))
  )

// What HeyGen can send, and what it sent about one video.
export const eventTypes = WebhookEvents.listEventTypes().pipe(Effect.map(({ data }) => data.map((t) => t.event_type)))
export const eventsOfVideo = (videoId: string) => WebhookEvents.list({ entity_id: videoId, limit: 100 })
