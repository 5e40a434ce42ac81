// WebhookEvents.follow and WebhookReceiver.follow against a scripted event log (core's own fake HttpClient): the
// cases a faithful fake does not produce (a refused cursor, an order that flips, an undated event, a broken cursor)
// and the typed errors. The growing-log property is in test-utils' Follow.test.ts, against the fake HeyGen.
import { DeliveryLog, WebhookEvents, WebhookReceiver } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { apiError, clientLayer, makeFake, respond } from "./fixtures.js"
import { failingLog } from "./receiverSupport.js"

const NOW = Date.parse("2026-12-06T12:00:00Z")
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString()
const event = (id: string, seconds: number) => ({
  event_id: id,
  event_type: "avatar_video.success",
  event_data: { video_id: `v_${id}` },
  created_at: at(seconds)
})
type Event = ReturnType<typeof event>

/**
 * A log served from `events` in the given order, in pages of `size` with offset tokens `o<n>` (`o<n>@<epoch>` once
 * `epoch` says so); `refuse` answers a token with 400, as an expired cursor would.
 */
const served = (
  events: Array<Event>,
  options: {
    readonly order: "oldest" | "newest"
    readonly size: number
    readonly refuse?: (token: string) => boolean
    readonly epoch?: () => number
  }
) => {
  const fake = makeFake((n) => {
    const url = new URL(fake.requests[n]!.url)
    const token = url.searchParams.get("token")
    if (token !== null && options.refuse?.(token)) {
      return apiError(400, "invalid_parameter", "'token' is not valid", { param: "token" })
    }
    const list = options.order === "oldest" ? events : [...events].reverse()
    const from = token === null ? 0 : parseInt(token.slice(1), 10)
    const data = list.slice(from, from + options.size)
    const more = from + options.size < list.length
    const epoch = options.epoch?.() ?? 0
    const next = `o${from + options.size}${epoch === 0 ? "" : `@${epoch}`}`
    return respond(200, { data, has_more: more, next_token: more ? next : null })
  })
  return fake
}

/** Follows with `options` for `seconds` of virtual time while `during` runs; the polls and the requests. */
const follow = (
  fake: ReturnType<typeof makeFake>,
  options: WebhookEvents.FollowOptions,
  script: ReadonlyArray<readonly [seconds: number, act: () => void]>
) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const polls: Array<WebhookEvents.FollowPoll> = []
    const fiber = yield* WebhookEvents.followPolls(options).pipe(
      Stream.runForEach((poll) => Effect.sync(() => polls.push(poll))),
      Effect.provide(clientLayer(fake, { maxRetries: 0 })),
      Effect.fork
    )
    yield* TestClock.adjust(0)
    for (const [seconds, act] of script) {
      act()
      yield* TestClock.adjust(seconds * 1000)
    }
    const exit = yield* Fiber.poll(fiber)
    yield* Fiber.interrupt(fiber)
    return { polls, emitted: polls.flatMap((p) => p.events.map((e) => e.event_id)), exit }
  })

describe("WebhookEvents.follow: reading the log", () => {
  it.effect("newest first: each poll stops at the first event it has; an idle poll is one request", () =>
    Effect.gen(function*() {
      const log = [event("old", -60), event("e1", 1), event("e2", 2), event("e3", 2)]
      const fake = served(log, { order: "newest", size: 2 })
      const { emitted } = yield* follow(fake, { pollInterval: "5 seconds" }, [
        [5, () => {}],
        [5, () => log.push(event("e4", 6), event("e5", 7), event("e6", 8))],
        [15, () => {}]
      ])
      // e2 and e3 tie: listed newest first, the later listed happened first.
      expect(emitted).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"])
      // Poll 1 reads to "old" (e3 e2 | e1 old: 2 pages); poll 2 finds e3 on page 1; poll 3 reads e6 e5 | e4 e3;
      // polls 4 to 6 find e6 at once.
      expect(fake.requests.length).toBe(2 + 1 + 2 + 3)
    }))

  it.effect("oldest first: each poll resumes from the last page it read; a refused cursor falls back to the start", () =>
    Effect.gen(function*() {
      const log = [event("e1", 1), event("e2", 2), event("e3", 3)]
      // From the third poll on, the API refuses the cursors it gave out before (as if they had expired).
      let epoch = 0
      const fake = served(log, {
        order: "oldest",
        size: 2,
        epoch: () => epoch,
        refuse: (t) => epoch > 0 && !t.includes("@")
      })
      const { emitted } = yield* follow(fake, { pollInterval: "5 seconds" }, [
        [5, () => {}],
        [5, () => log.push(event("e4", 4))],
        [5, () => {
          epoch = 1
          log.push(event("e5", 5))
        }],
        [5, () => {}]
      ])
      expect(emitted).toEqual(["e1", "e2", "e3", "e4", "e5"])
      const tokens = fake.requests.map((r) => new URL(r.url).searchParams.get("token"))
      // Poll 1 from the start (2 pages); polls 2 and 3 from o2; poll 4 from o2, refused, then from the start (3
      // pages, new cursors); poll 5 from the last of them.
      expect(tokens).toEqual([null, "o2", "o2", "o2", "o2", null, "o2@1", "o4@1", "o4@1"])
    }))

  it.effect("a cursor refused part way through a resumed poll: read again from the start, its events still emitted", () =>
    Effect.gen(function*() {
      const log = [event("e1", 1), event("e2", 2), event("e3", 3)]
      // The second poll resumes from o2, reads e3 e4, and its next cursor (o4) is refused once.
      let refusals = 0
      const fake = served(log, { order: "oldest", size: 2, refuse: (t) => t === "o4" && refusals++ === 0 })
      const { emitted } = yield* follow(fake, {}, [[5, () => log.push(event("e4", 4), event("e5", 5))], [5, () => {}]])
      expect(emitted).toEqual(["e1", "e2", "e3", "e4", "e5"])
      const tokens = fake.requests.map((r) => new URL(r.url).searchParams.get("token"))
      expect(tokens.slice(0, 7)).toEqual([null, "o2", "o2", "o4", null, "o2", "o4"])
    }))

  it.effect("an order it cannot tell: every poll reads the whole log, and still emits each event once", () =>
    Effect.gen(function*() {
      const log = [event("b", 2), event("a", 1), event("c", 3)]
      const fake = served(log, { order: "oldest", size: 2 })
      const { emitted } = yield* follow(fake, {}, [
        [5, () => log.push(event("d", 4))],
        [5, () => {}]
      ])
      expect(emitted).toEqual(["a", "b", "c", "d"])
      expect(fake.requests.length).toBe(3 * 2)
    }))

  it.effect("an event whose created_at is not a date is emitted once, after the dated events of its poll", () =>
    Effect.gen(function*() {
      const log = [{ ...event("odd", 0), created_at: "soon" }, event("e1", 1)]
      const fake = served(log, { order: "oldest", size: 10 })
      const { emitted } = yield* follow(fake, {}, [[5, () => {}], [5, () => {}]])
      expect(emitted).toEqual(["e1", "odd"])
    }))

  it.effect("a poll that fails transiently is reported and retried; a 429 beyond the ceiling waits its Retry-After", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const replies = [
        respond(200, { data: [], has_more: false, next_token: null }),
        apiError(503, "unavailable"),
        respond(429, { error: { code: "rate_limit_exceeded", message: "slow down" } }, { "retry-after": "120" }),
        respond(200, { data: [event("e1", 1)], has_more: false, next_token: null })
      ]
      const fake = makeFake(replies)
      const { emitted, polls } = yield* follow(fake, {}, [[5, () => {}], [5, () => {}], [119, () => {}], [1, () => {}]])
      expect(polls.map((p) => p.failure?._tag ?? null)).toEqual([null, "ApiError", "RateLimited", null])
      const sentAt = fake.requests.map((r) => (r.at - NOW) / 1000)
      expect(sentAt).toEqual([0, 5, 10, 130])
      expect(emitted).toEqual(["e1"])
    }))

  it.effect("a broken cursor ends the stream with PaginationError; a bad poll interval with ValidationError, sending nothing", () =>
    Effect.gen(function*() {
      const broken = makeFake([respond(200, { data: [event("e1", 1)], has_more: true, next_token: null })])
      const { exit } = yield* follow(broken, {}, [[1, () => {}]])
      expect(Option.map(exit, (e) => Exit.isFailure(e) ? Cause.failureOption(e.cause) : Option.none())).toEqual(
        Option.some(Option.some(expect.objectContaining({ _tag: "PaginationError", reason: "MissingToken" })))
      )
      const idle = makeFake([respond(200, { data: [] })])
      const error = yield* WebhookEvents.follow({ pollInterval: 0 }).pipe(
        Stream.runDrain,
        Effect.flip,
        Effect.provide(clientLayer(idle))
      )
      expect(error).toMatchObject({ _tag: "ValidationError", field: "pollInterval" })
      expect(idle.requests).toHaveLength(0)
    }))
})

describe("WebhookReceiver.follow: what it reports", () => {
  const run = (fake: ReturnType<typeof makeFake>, log = DeliveryLog.layerMemory()) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const outcomes: Array<WebhookReceiver.FollowOutcome> = []
      const fiber = yield* WebhookReceiver.follow(
        (delivery) => delivery.eventId === "bad" ? Effect.fail("boom") : Effect.void,
        {}
      ).pipe(
        Stream.runForEach((o) => Effect.sync(() => outcomes.push(o))),
        Effect.provide(log),
        Effect.provide(clientLayer(fake, { maxRetries: 0 })),
        Effect.fork
      )
      yield* TestClock.adjust(12_000)
      const exit = yield* Fiber.poll(fiber)
      yield* Fiber.interrupt(fiber)
      return {
        outcomes,
        exit: Option.flatMap(exit, (e) => Exit.isFailure(e) ? Cause.failureOption(e.cause) : Option.none())
      }
    })

  it.effect("one outcome per event; a failing handler is reported failed and the follower goes on", () =>
    Effect.gen(function*() {
      const fake = makeFake([
        respond(200, { data: [] }),
        respond(200, { data: [event("e1", 1), event("bad", 2), event("e3", 3)] })
      ])
      const { exit, outcomes } = yield* run(fake)
      expect(outcomes.map((o) => [o.eventId, o.outcome])).toEqual([["e1", "handled"], ["bad", "failed"], [
        "e3",
        "handled"
      ]])
      expect(exit).toEqual(Option.none())
    }))

  it.effect("a 401 ends it with FollowError ListFailed; a failing delivery log with LogUnavailable, saying how far it got", () =>
    Effect.gen(function*() {
      const denied = yield* run(makeFake([apiError(401, "authentication_failed")]))
      expect(denied.exit).toEqual(
        Option.some(expect.objectContaining({ _tag: "FollowError", reason: "ListFailed", reached: null }))
      )
      const fake = makeFake([respond(200, { data: [] }), respond(200, { data: [event("e1", 1)] })])
      const broken = yield* run(fake, failingLog("claim"))
      expect(broken.exit).toEqual(
        Option.some(expect.objectContaining({ _tag: "FollowError", reason: "LogUnavailable", reached: null }))
      )
    }))
})
