// The event log's `event_type` filter against the repo's spec: HeyGen's filter takes all 30 event types (the
// repo's copy of the spec once listed 23 there, so a spec-driven mock refused the SDK's correct filter by
// `hyperframes_video.success`).
import { WebhookEvent, WebhookEvents, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as JSONSchema from "effect/JSONSchema"
import { clientLayer, makeFake, respond, runToEnd } from "./fixtures.js"
import { inline, type Json, queryParameter } from "./spec.js"

const specFilter = (queryParameter("/v3/webhooks/events", "get", "event_type") as { enum: Array<string> }).enum

describe("ListWebhookEventsParams.event_type", () => {
  it("is the spec's filter enum: the 30 event types, in the spec's order", () => {
    expect(specFilter).toHaveLength(30)
    expect(specFilter).toEqual([...WebhookEventType.values])
    const made = JSONSchema.make(WebhookEvent.ListWebhookEventsParams) as unknown as Record<string, Json>
    const mine = inline(made, (made["$defs"] ?? {}) as Record<string, Json>) as {
      properties: Record<string, { enum?: Array<string> }>
    }
    expect(mine.properties["event_type"]!.enum).toEqual(specFilter)
  })

  it.effect("WebhookEvents.list sends every value of the spec's filter, hyperframes_video.success included", () =>
    Effect.gen(function*() {
      expect(specFilter).toContain("hyperframes_video.success")
      for (const eventType of specFilter) {
        const fake = makeFake([respond(200, { data: [], has_more: false, next_token: null })])
        const exit = yield* Effect.flatten(runToEnd(
          WebhookEvents.list({ event_type: eventType as WebhookEventType.WebhookEventType }).pipe(
            Effect.provide(clientLayer(fake))
          )
        )).pipe(Effect.exit)
        expect(Exit.isSuccess(exit), eventType).toBe(true)
        expect(new URL(fake.requests[0]!.url).searchParams.get("event_type")).toBe(eventType)
      }
    }))
})
