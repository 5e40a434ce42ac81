import { DeliveryLog, WebhookEvents, WebhookReceiver } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import { recover } from "../examples/catchUp.js"
import { clientLayer, makeFake, respond } from "./fixtures.js"

// The catch-up's listing, against scripted pages of the event log. The end-to-end laws (exactly once with live
// deliveries, resumable, a delivery with no id) are in test-utils' CatchUp.test.ts, against the fake HeyGen.

const NOW = Date.parse("2026-12-03T12:00:00Z")
const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString()
const event = (id: string, h: number, type = "avatar_video.success") => ({
  event_id: id,
  event_type: type,
  event_data: { video_id: `v_${id}`, url: `https://cdn.example/${id}.mp4` },
  created_at: hoursAgo(h)
})
const page = (items: ReadonlyArray<unknown>, next: string | null) =>
  respond(200, { data: items, has_more: next !== null, next_token: next })

const run = (pages: ReadonlyArray<ReturnType<typeof page>>, since: Duration.DurationInput = "48 hours") =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const fake = makeFake(pages)
    const handled: Array<string> = []
    const report = yield* WebhookReceiver.catchUp(
      (d) => Effect.sync(() => handled.push(d.eventId)),
      { since }
    ).pipe(Effect.provide(DeliveryLog.layerMemory()), Effect.provide(clientLayer(fake)))
    return { report, handled, requests: fake.requests.length }
  })

describe("WebhookReceiver.catchUp: walking the log", () => {
  it.effect("a log seen newest first ends its listing at the first event before the cut: later pages are not fetched", () =>
    Effect.gen(function*() {
      const { handled, report, requests } = yield* run([
        page([event("e1", 1), event("e2", 10)], "t2"),
        page([event("e3", 47), event("e4", 49)], "t3"),
        page([event("e5", 60)], null)
      ])
      expect(requests).toBe(2)
      expect(report.seen).toBe(3)
      expect(handled).toEqual(["e3", "e2", "e1"])
    }))

  it.effect("a log in any other order is listed to its end, and only the window is handled, oldest first", () =>
    Effect.gen(function*() {
      const { handled, report, requests } = yield* run([
        page([event("old", 72), event("e1", 30)], "t2"),
        page([event("e2", 2), event("older", 90)], "t3"),
        page([event("e3", 1)], null)
      ])
      expect(requests).toBe(3)
      expect(report).toMatchObject({ seen: 3, handledNow: 3, reached: hoursAgo(1) })
      expect(handled).toEqual(["e1", "e2", "e3"])
    }))

  it.effect("since may be an instant; an event whose created_at is not a date is kept (handled last)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const fake = makeFake([page([{ ...event("odd", 0), created_at: "yesterday-ish" }, event("e1", 5)], null)])
      const handled: Array<string> = []
      const report = yield* WebhookReceiver.catchUp((d) => Effect.sync(() => handled.push(d.eventId)), {
        since: new Date(NOW - 6 * 3600_000)
      }).pipe(Effect.provide(DeliveryLog.layerMemory()), Effect.provide(clientLayer(fake)))
      expect(report.since.toISOString()).toBe(hoursAgo(6))
      expect(handled).toEqual(["e1", "odd"])
    }))

  it.effect("several event types: one listing per type, with the type as the log's filter", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const fake = makeFake([page([event("s", 1)], null), page([event("f", 2, "avatar_video.fail")], null)])
      const report = yield* WebhookReceiver.catchUp(() => Effect.void, {
        since: "1 day",
        eventTypes: ["avatar_video.success", "avatar_video.fail"],
        entityId: "v_s"
      }).pipe(Effect.provide(DeliveryLog.layerMemory()), Effect.provide(clientLayer(fake)))
      expect(report.seen).toBe(2)
      const queries = fake.requests.map((r) => new URL(r.url).searchParams)
      expect(queries.map((q) => [q.get("event_type"), q.get("entity_id")])).toEqual([
        ["avatar_video.success", "v_s"],
        ["avatar_video.fail", "v_s"]
      ])
    }))
})

describe("WebhookEvents.streamSince", () => {
  const since = new Date(NOW - 48 * 3600_000)
  const ids = (pages: ReadonlyArray<ReturnType<typeof page>>, eventTypes?: ReadonlyArray<"avatar_video.success">) =>
    Effect.gen(function*() {
      const fake = makeFake(pages)
      const events = yield* Stream.runCollect(WebhookEvents.streamSince({ since, eventTypes })).pipe(
        Effect.provide(clientLayer(fake))
      )
      return { ids: [...events].map((e) => e.event_id), requests: fake.requests.length }
    })

  it.effect("yields the events at or after the cut in the log's order; newest first, it stops past the cut", () =>
    Effect.gen(function*() {
      const atCut = { ...event("at_cut", 0), created_at: since.toISOString() }
      expect(
        yield* ids([
          page([event("e1", 1), atCut], "t2"),
          page([event("e3", 49), event("e4", 2)], "t3"),
          page([event("e5", 60)], null)
        ])
      ).toEqual({ ids: ["e1", "at_cut"], requests: 2 })
    }))

  it.effect("in any other order it reads to the end, keeping the window and undated events", () =>
    Effect.gen(function*() {
      const odd = { ...event("odd", 0), created_at: "not a date" }
      expect(
        yield* ids([
          page([event("old", 72), event("e1", 30)], "t2"),
          page([odd, event("older", 90), event("e2", 1)], null)
        ])
      ).toEqual({ ids: ["e1", "odd", "e2"], requests: 2 })
    }))

  it.effect("wholeLog reads a log that looks newest first to its end: the replay's reading", () =>
    Effect.gen(function*() {
      const pages = [
        page([event("e1", 20), event("old", 72)], "t2"),
        page([event("e2", 40), event("e3", 1)], null)
      ]
      const fake = makeFake(pages)
      const events = yield* Stream.runCollect(WebhookEvents.streamSince({ since, wholeLog: true })).pipe(
        Effect.provide(clientLayer(fake))
      )
      expect([...events].map((e) => e.event_id)).toEqual(["e1", "e2", "e3"])
      // Without it the same log ends at "old", which looked like the first event past the cut of a newest-first log.
      expect(yield* ids(pages)).toEqual({ ids: ["e1"], requests: 1 })
    }))

  it.effect("one listing per event type, each once however often it is given", () =>
    Effect.gen(function*() {
      const fake = makeFake([page([event("s", 1)], null)])
      const events = yield* Stream.runCollect(
        WebhookEvents.streamSince({ since, eventTypes: ["avatar_video.success", "avatar_video.success"] })
      ).pipe(Effect.provide(clientLayer(fake)))
      expect([...events].map((e) => e.event_id)).toEqual(["s"])
      expect(fake.requests.map((r) => new URL(r.url).searchParams.get("event_type"))).toEqual(["avatar_video.success"])
    }))
})

describe("README catch-up example", () => {
  it("is in both READMEs verbatim", () => {
    const example = fs.readFileSync(new URL("../examples/catchUp.ts", import.meta.url), "utf8")
    for (const p of ["../../../README.md", "../README.md"]) {
      expect(fs.readFileSync(new URL(p, import.meta.url), "utf8")).toContain("```ts\n" + example + "```")
    }
  })

  it.effect("runs the receiver's handler on the missed events and logs what it did", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const lines: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
      const fake = makeFake([
        page([event("e1", 3), {
          ...event("e2", 2, "avatar_video.fail"),
          event_data: { video_id: "v_e2", msg: "quota" }
        }], null)
      ])
      yield* recover.pipe(
        Effect.provide(DeliveryLog.layerMemory()),
        Effect.provide(clientLayer(fake)),
        Effect.provide(logger)
      )
      expect(lines).toEqual([
        "video v_e1 is ready: https://cdn.example/e1.mp4",
        "video v_e2 failed: quota",
        "caught up: 2 handled now, 0 already handled, 0 failed (run it again to retry those)"
      ])
    }))

  it.effect("a log that cannot be listed is logged as stopped, not a failure of the program", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const lines: Array<string> = []
      const logger = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))
      const fake = makeFake([respond(401, { error: { code: "authentication_failed", message: "bad key" } })])
      yield* recover.pipe(
        Effect.provide(DeliveryLog.layerMemory()),
        Effect.provide(clientLayer(fake)),
        Effect.provide(logger)
      )
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^catch-up stopped: the event log could not be listed/)
    }))
})
