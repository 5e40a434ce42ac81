// Following the event log (core's `WebhookEvents.follow`) against the fake HeyGen, in virtual time: fast-check
// draws a script of events logged (several at one instant: ties in `created_at`), clock advances (polls) and faults
// (5xx, dropped connections, 429 with Retry-After), and the listing order, page size, retries and filters. The log
// grows while it is followed.
//
// Laws, at the end of every script (after the faults are cleared and two poll intervals have passed):
// - every event logged that matches the filters is emitted, exactly once, none other;
// - emitted in the order they happened: `created_at` never goes back;
// - memory: after every poll the follower remembers at most the events within its window of the newest event seen,
//   and the poll's horizon is never further back than that window.
import type { WebhookEventType } from "@effect-heygen/core"
import { HeyGenClient, WebhookEvents } from "@effect-heygen/core"
import { FakeHeyGen, Fault } from "@effect-heygen/test-utils"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

const runs = Number(process.env["FOLLOW_RUNS"] ?? 25)
const NOW = Date.parse("2026-12-06T12:00:00Z")
const WINDOW = 20_000
const INTERVAL = 5_000

const types = ["avatar_video.success", "avatar_video.fail", "video_translate.success"] as const

type Step =
  | { readonly _tag: "Log"; readonly types: ReadonlyArray<number> }
  | { readonly _tag: "Advance"; readonly ms: number }
  | { readonly _tag: "Fault"; readonly fault: Fault.Fault }

const faultArb: FastCheck.Arbitrary<Fault.Fault> = FastCheck.oneof(
  FastCheck.constantFrom(500, 502, 503).map((status) => Fault.Fault.ServerError({ status, body: "json" })),
  FastCheck.constant(Fault.Fault.DropBeforeCommit()),
  FastCheck.constant(Fault.Fault.TruncatedBody()),
  FastCheck.integer({ min: 1, max: 30 }).map((seconds) =>
    Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.Seconds({ seconds }) })
  )
)

const stepArb: FastCheck.Arbitrary<Step> = FastCheck.oneof(
  // One to four events at the current instant: ties in created_at.
  FastCheck.array(FastCheck.integer({ min: 0, max: types.length - 1 }), { minLength: 1, maxLength: 4 }).map((
    t
  ): Step => ({ _tag: "Log", types: t })),
  FastCheck.oneof(FastCheck.constant(0), FastCheck.integer({ min: 1, max: 12_000 })).map((ms): Step => ({
    _tag: "Advance",
    ms
  })),
  faultArb.map((fault): Step => ({ _tag: "Fault", fault }))
)

const setupArb = FastCheck.record({
  order: FastCheck.constantFrom("oldestFirst" as const, "newestFirst" as const),
  // 12: a newest-first poll asks for a first page of 10, then pages of 12.
  pageSize: FastCheck.oneof(FastCheck.integer({ min: 1, max: 4 }), FastCheck.constant(12)),
  maxRetries: FastCheck.integer({ min: 0, max: 2 }),
  filter: FastCheck.boolean(),
  steps: FastCheck.array(stepArb, { minLength: 4, maxLength: 40, size: "max" })
})

/** Advances the clock by `ms`: TestClock wakes every sleep due on the way at its own time, in order. */
const advance = (ms: number) => Effect.zipRight(TestClock.adjust(ms), Effect.yieldNow())

describe("WebhookEvents.follow against the fake's growing log", () => {
  it.effect.prop(
    "every event once, none skipped, oldest first, memory within the window: any order, page size, ties and faults",
    [setupArb],
    ([setup]) =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW)
        const fake = yield* FakeHeyGen.make({ eventOrder: setup.order, recordExchanges: false })
        const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: setup.maxRetries }).pipe(
          Layer.provide(FakeHeyGen.layerHttpClient(fake))
        )
        const followed: ReadonlyArray<WebhookEventType.WebhookEventType> | undefined = setup.filter
          ? ["avatar_video.success", "video_translate.success"]
          : undefined
        const polls: Array<WebhookEvents.FollowPoll> = []
        const fiber = yield* WebhookEvents.followPolls({
          pageSize: setup.pageSize,
          window: `${WINDOW} millis`,
          pollInterval: `${INTERVAL} millis`,
          ...(followed === undefined ? {} : { eventTypes: followed })
        }).pipe(
          Stream.runForEach((poll) => Effect.sync(() => polls.push(poll))),
          Effect.provide(client),
          Effect.fork
        )
        yield* advance(0)
        let n = 0
        for (const step of setup.steps) {
          if (step._tag === "Log") {
            for (const t of step.types) {
              yield* fake.recordEvent({ eventType: types[t]!, eventId: `evt_${n++}`, eventData: { n } })
            }
          } else if (step._tag === "Advance") {
            yield* advance(step.ms)
          } else {
            yield* fake.enqueueFaults([step.fault])
          }
        }
        yield* fake.clearFaults
        // Long enough for a poll held back by the last fault (a Retry-After of 30 s at most, or two backoffs of 8 s at
        // most) and then two more polls.
        yield* advance(30_000 + 2 * 8_000 + 2 * INTERVAL)
        const exit = yield* Fiber.poll(fiber)
        expect(exit._tag).toBe("None")
        yield* Fiber.interrupt(fiber)

        const logged = yield* fake.events()
        const expected = logged.filter((e) => followed === undefined || followed.some((t) => t === e.event_type))
        const emitted = polls.flatMap((p) => p.events)
        const ids = emitted.map((e) => e.event_id)
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort()).toEqual(expected.map((e) => e.event_id).sort())
        const times = emitted.map((e) => Date.parse(e.created_at))
        expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true)

        // Memory: what the follower remembers is at most what it emitted within the window of the newest event.
        let newest = Number.NEGATIVE_INFINITY
        const sofar: Array<number> = []
        for (const poll of polls) {
          for (const e of poll.events) {
            newest = Math.max(newest, Date.parse(e.created_at))
            sofar.push(Date.parse(e.created_at))
          }
          expect(poll.remembered).toBeLessThanOrEqual(sofar.filter((at) => at >= newest - WINDOW).length)
          expect(poll.horizon.getTime()).toBeGreaterThanOrEqual(Math.max(NOW, newest - WINDOW))
        }
      }),
    { fastCheck: { numRuns: runs }, timeout: 120_000 }
  )

  const idleFollower = (order: "oldestFirst" | "newestFirst", options: WebhookEvents.FollowOptions = {}) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const fake = yield* FakeHeyGen.make({ eventOrder: order })
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const polls: Array<WebhookEvents.FollowPoll> = []
      const fiber = yield* WebhookEvents.followPolls(options).pipe(
        Stream.runForEach((poll) => Effect.sync(() => polls.push(poll))),
        Effect.provide(client),
        Effect.fork
      )
      yield* advance(0)
      return { fake, polls, fiber }
    })

  for (const order of ["oldestFirst", "newestFirst"] as const) {
    it.effect(`${order}: half an hour of an event every 20 s; memory stays at the window's events, one request per poll`, () =>
      Effect.gen(function*() {
        const { fake, fiber, polls } = yield* idleFollower(order, { window: "1 minute" })
        // A history before the follower started: read once (oldest first) and never emitted.
        for (let i = 0; i < 250; i++) {
          const createdAt = new Date(NOW - 1000 * (250 - i)).toISOString()
          yield* fake.recordEvent({ eventType: "avatar_video.success", createdAt })
        }
        for (let i = 0; i < 90; i++) {
          yield* fake.recordEvent({ eventType: "avatar_video.success", eventId: `evt_${i}` })
          yield* advance(20_000)
        }
        const before = (yield* fake.exchanges).length
        yield* advance(60_000)
        const idle = (yield* fake.exchanges).length - before
        yield* Fiber.interrupt(fiber)
        const emitted = polls.flatMap((p) => p.events.map((e) => e.event_id))
        expect(emitted).toEqual(Array.from({ length: 90 }, (_, i) => `evt_${i}`))
        // An event every 20 s and a window of 60 s: at most 4 ids, however long it runs.
        expect(Math.max(...polls.map((p) => p.remembered))).toBeLessThanOrEqual(4)
        // Idle: one request per poll at the default interval, whatever the length of the log.
        expect(idle).toBe(12)
      }))
  }

  it.effect("since reaches back before the start; events older than it are never emitted", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const fake = yield* FakeHeyGen.make({ eventOrder: "newestFirst" })
      for (const [id, minutes] of [["old", 90], ["recent", 30], ["just", 1]] as const) {
        yield* fake.recordEvent({
          eventType: "avatar_video.success",
          eventId: id,
          createdAt: new Date(NOW - minutes * 60_000).toISOString()
        })
      }
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const first = yield* WebhookEvents.follow({ since: "1 hour" }).pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.provide(client)
      )
      expect(Chunk.toReadonlyArray(first).map((e) => e.event_id)).toEqual(["recent", "just"])
    }))

  it.effect("a failure that is not transient (401) ends the stream with its typed error", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const client = HeyGenClient.layer({ apiKey: "not-a-key-of-the-fake" }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const exit = yield* WebhookEvents.follow().pipe(Stream.runDrain, Effect.provide(client), Effect.exit)
      expect(Exit.isFailure(exit) && Exit.causeOption(exit)).toBeTruthy()
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        expect(Option.map(error, (e) => e._tag)).toEqual(Option.some("AuthenticationFailed"))
      }
    }))

  it.effect("the fake lists newest first on request: pages walk back, and events added meanwhile go before the first", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ eventOrder: "newestFirst" })
      for (let i = 0; i < 5; i++) yield* fake.recordEvent({ eventType: "avatar_video.success", eventId: `e${i}` })
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const first = yield* WebhookEvents.list({ limit: 2 }).pipe(Effect.provide(client))
      yield* fake.recordEvent({ eventType: "avatar_video.success", eventId: "e5" })
      const rest = yield* WebhookEvents.stream({ limit: 2, token: first.nextToken! }).pipe(
        Stream.runCollect,
        Effect.provide(client)
      )
      expect(first.data.map((e) => e.event_id)).toEqual(["e4", "e3"])
      expect(Chunk.toReadonlyArray(rest).map((e) => e.event_id)).toEqual(["e2", "e1", "e0"])
      const again = yield* WebhookEvents.list({ limit: 10 }).pipe(Effect.provide(client))
      expect(again.data.map((e) => e.event_id)).toEqual(["e5", "e4", "e3", "e2", "e1", "e0"])
    }))
})
