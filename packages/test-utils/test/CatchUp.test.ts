/**
 * The catch-up from HeyGen's event log (issue 20), end to end against the fake: an account with an endpoint, a
 * receiver on 127.0.0.1 (core's `makeHandler`) whose delivery log the catch-up shares, events delivered by the fake
 * (which logs each under the id it sends), some while the receiver is down.
 */
import { DeliveryLog, HeyGenClient, WebhookEndpoints, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import { FakeDelivery, FakeHeyGen } from "@effect-heygen/test-utils"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Http from "node:http"

/** Every handler run, by event id. */
const counter = () =>
  Effect.map(Ref.make<ReadonlyArray<string>>([]), (runs) => ({
    runs,
    handle: (delivery: WebhookDelivery.WebhookDelivery) => Ref.update(runs, (xs) => [...xs, delivery.eventId]),
    counts: Effect.map(Ref.get(runs), (xs) => {
      const counts = new Map<string, number>()
      for (const id of xs) counts.set(id, (counts.get(id) ?? 0) + 1)
      return counts
    })
  }))

/** The URL of a receiver core's `WebhookReceiver.makeServer` serves on 127.0.0.1 (makeHandler on node:http). */
const urlOf = (server: Http.Server) => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("expected a TCP address")
  return `http://127.0.0.1:${address.port}/hooks`
}

/** A fake account with one endpoint subscribed to everything, a shared log, and a receiver for it. */
const setUp = <E>(handle: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const fake = yield* FakeHeyGen.make()
    const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: 0 }).pipe(
      Layer.provide(FakeHeyGen.layerHttpClient(fake))
    )
    const created = yield* Effect.provide(
      WebhookEndpoints.create({ url: "https://receiver.example.com/hooks" }),
      client
    )
    const secret = created.endpoint.secret
    if (secret === null) throw new Error("create returned no secret")
    const log = yield* DeliveryLog.makeMemory()
    const receiverOn = (scope: "test" | "closed") => {
      const server = WebhookReceiver.makeServer(handle, { secrets: secret, port: 0, host: "127.0.0.1" }).pipe(
        Effect.provideService(DeliveryLog.DeliveryLog, log),
        Effect.map(urlOf)
      )
      return scope === "test" ? server : Effect.scoped(server)
    }
    const url = yield* receiverOn("test")
    // A receiver that is down: nothing listens on this one any more.
    const down = yield* receiverOn("closed")
    const deliver = (eventType: string, eventData: Record<string, unknown>, to: string = url) =>
      fake.deliver(eventType, eventData, { route: to, retry: Schedule.recurs(0) }).pipe(
        Effect.provide(NodeHttpClient.layer)
      )
    const catchUp = (options: Partial<WebhookReceiver.CatchUpOptions> = {}) =>
      WebhookReceiver.catchUp(handle, {
        since: "48 hours",
        retryInFlight: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(500))),
        ...options
      }).pipe(Effect.provideService(DeliveryLog.DeliveryLog, log), Effect.provide(client))
    return { fake, secret, log, url, down, deliver, catchUp }
  })

const video = (n: number) => ({ video_id: `v_${n}`, url: `https://cdn.example/v_${n}.mp4` })

describe("WebhookReceiver.catchUp", () => {
  it.live("the fake logs each event it delivers under the id it sends", () =>
    Effect.gen(function*() {
      const { handle, runs } = yield* counter()
      const { deliver, fake } = yield* setUp(handle)
      const sent = yield* deliver("avatar_video.success", video(1))
      expect(sent.endpoints[0]?.outcome).toBe("Delivered")
      const logged = yield* fake.events()
      expect(logged.map((e) => e.event_id)).toEqual([sent.eventId])
      expect(yield* Ref.get(runs)).toEqual([sent.eventId])
    }).pipe(Effect.scoped))

  it.live("events dropped while the receiver was down are handled by a catch-up exactly once; those handled before are skipped", () =>
    Effect.gen(function*() {
      const { counts, handle } = yield* counter()
      const { catchUp, deliver, down } = yield* setUp(handle)
      const handled = yield* Effect.forEach([1, 2, 3], (n) => deliver("avatar_video.success", video(n)))
      const dropped = yield* Effect.forEach(
        [4, 5, 6, 7],
        (n) => deliver("avatar_video.fail", { video_id: `v_${n}` }, down)
      )
      expect(handled.map((d) => d.endpoints[0]?.outcome)).toEqual(["Delivered", "Delivered", "Delivered"])
      expect(dropped.map((d) => d.endpoints[0]?.outcome)).toEqual(["GaveUp", "GaveUp", "GaveUp", "GaveUp"])

      const first = yield* catchUp()
      expect(first).toMatchObject({ seen: 7, alreadyHandled: 3, handledNow: 4, failed: [], inFlight: [] })
      const again = yield* catchUp()
      expect(again).toMatchObject({ seen: 7, alreadyHandled: 7, handledNow: 0 })
      const all = yield* counts
      expect([...all.keys()].sort()).toEqual([...handled, ...dropped].map((d) => d.eventId).sort())
      expect([...all.values()].every((n) => n === 1)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("filters by event type and entity, and leaves out events older than since", () =>
    Effect.gen(function*() {
      const { handle, runs } = yield* counter()
      const { catchUp, fake } = yield* setUp(handle)
      const old = yield* fake.recordEvent({
        eventType: "avatar_video.success",
        eventData: video(0),
        createdAt: new Date(Date.now() - 72 * 3600_000).toISOString()
      })
      const a = yield* fake.recordEvent({ eventType: "avatar_video.success", eventData: video(1), entityId: "v_1" })
      const b = yield* fake.recordEvent({ eventType: "avatar_video.fail", eventData: { video_id: "v_2" } })
      yield* fake.recordEvent({ eventType: "video_agent.success", eventData: {} })
      const report = yield* catchUp({ eventTypes: ["avatar_video.success", "avatar_video.fail"] })
      expect(report).toMatchObject({ seen: 2, handledNow: 2 })
      expect([...(yield* Ref.get(runs))].sort()).toEqual([a.event_id, b.event_id].sort())
      expect(yield* Ref.get(runs)).not.toContain(old.event_id)
      const byEntity = yield* catchUp({ entityId: "v_1", since: "96 hours" })
      expect(byEntity).toMatchObject({ seen: 1, alreadyHandled: 1, handledNow: 0 })
    }).pipe(Effect.scoped))

  it.live("handles the window oldest first, whatever order the log lists it in", () =>
    Effect.gen(function*() {
      const { handle, runs } = yield* counter()
      const { catchUp, fake } = yield* setUp(handle)
      const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3600_000).toISOString()
      // Recorded (so listed) in another order than they happened.
      const middle = yield* fake.recordEvent({ eventType: "x.y", createdAt: at(2) })
      const newest = yield* fake.recordEvent({ eventType: "x.y", createdAt: at(1) })
      const oldest = yield* fake.recordEvent({ eventType: "x.y", createdAt: at(3) })
      yield* catchUp()
      expect(yield* Ref.get(runs)).toEqual([oldest.event_id, middle.event_id, newest.event_id])
    }).pipe(Effect.scoped))

  it.live("live redeliveries interleaved with a catch-up run the handler once per event", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      // Slow enough that a live delivery and the catch-up overlap on the same event.
      const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
        Effect.zipRight(Ref.update(runs, (xs) => [...xs, delivery.eventId]), Effect.sleep("15 millis"))
      const { catchUp, deliver, down, secret, url } = yield* setUp(handle)
      const events = yield* Effect.forEach(
        Array.from({ length: 8 }, (_, n) => n),
        (n) => deliver("avatar_video.success", video(n), down)
      )
      const endpoint: FakeDelivery.Endpoint = { endpoint_id: "ep", url, events: null, secret }
      // HeyGen's redeliveries of the same events (the same ids), twice each, while the catch-up runs.
      const live = Effect.forEach(
        [...events, ...events],
        (d) =>
          FakeDelivery.deliver([endpoint], d.eventType, d.eventData, {
            eventId: d.eventId,
            route: url,
            retry: Schedule.spaced("5 millis").pipe(Schedule.intersect(Schedule.recurs(400)))
          }).pipe(Effect.provide(NodeHttpClient.layer)),
        { concurrency: 4 }
      )
      const [report, redelivered] = yield* Effect.all([catchUp(), live], { concurrency: "unbounded" })
      expect(redelivered.every((d) => d.endpoints[0]?.outcome === "Delivered")).toBe(true)
      expect(report.seen).toBe(8)
      expect(report.handledNow + report.alreadyHandled).toBe(8)
      expect(report.inFlight).toEqual([])
      const ran = yield* Ref.get(runs)
      expect([...ran].sort()).toEqual(events.map((d) => d.eventId).sort())
    }).pipe(Effect.scoped))

  it.live("a catch-up interrupted half way and run again finishes the rest, each event handled once", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make<ReadonlyArray<string>>([])
      const fifth = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
        Effect.flatMap(Ref.updateAndGet(runs, (xs) => [...xs, delivery.eventId]), (xs) =>
          xs.length === 5
            // The catch-up is interrupted while this handler runs: it must finish and be recorded.
            ? Effect.zipRight(Deferred.succeed(fifth, undefined), Deferred.await(release))
            : Effect.void)
      const { catchUp, fake } = yield* setUp(handle)
      const events = yield* Effect.forEach(
        Array.from({ length: 10 }, (_, n) => n),
        (n) => fake.recordEvent({ eventType: "avatar_video.success", eventData: video(n) })
      )
      const running = yield* Effect.fork(catchUp())
      yield* Deferred.await(fifth)
      // The interruption waits for the handler in hand, which is let go only once it is asked.
      const interrupting = yield* Effect.fork(Fiber.interrupt(running))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(interrupting)
      expect((yield* Ref.get(runs)).length).toBe(5)
      const rest = yield* catchUp()
      expect(rest).toMatchObject({ seen: 10, alreadyHandled: 5, handledNow: 5 })
      expect([...(yield* Ref.get(runs))].sort()).toEqual(events.map((e) => e.event_id).sort())
    }).pipe(Effect.scoped))

  it.live("an event delivered with no id at all (de-duplicated on its body's digest) cannot be matched: the catch-up runs it again", () =>
    Effect.gen(function*() {
      const { counts, handle } = yield* counter()
      const { catchUp, fake, secret, url } = yield* setUp(handle)
      // HeyGen logs an event; its delivery came in a form with no id anywhere: only a Signature header.
      const live = yield* fake.recordEvent({ eventType: "avatar_video.success", eventData: video(1) })
      const raw = JSON.stringify({ event_type: live.event_type, event_data: live.event_data })
      const status = yield* Effect.promise(() =>
        fetch(url, {
          method: "POST",
          body: raw,
          headers: { signature: WebhookSignature.computeSignature(raw, secret) }
        })
          .then((r) => r.status)
      )
      expect(status).toBe(200)
      // The README's guarantees say so: the log names it by its event_id, the receiver knew only its digest.
      expect(yield* catchUp()).toMatchObject({ seen: 1, alreadyHandled: 0, handledNow: 1 })
      const all = yield* counts
      expect([...all.values()]).toEqual([1, 1])
      expect(all.has(live.event_id)).toBe(true)
      // A second catch-up finds it done under the log's id.
      expect(yield* catchUp()).toMatchObject({ seen: 1, alreadyHandled: 1, handledNow: 0 })
    }).pipe(Effect.scoped))

  it.live("a handler that fails is reported, released, and handled by the next catch-up", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const handle = (delivery: WebhookDelivery.WebhookDelivery) =>
        Effect.flatMap(Ref.updateAndGet(attempts, (n) => n + 1), (n) =>
          n === 1 ? Effect.fail(`first try of ${delivery.eventId} fails`) : Effect.void)
      const { catchUp, fake } = yield* setUp(handle)
      const event = yield* fake.recordEvent({ eventType: "avatar_video.success", eventData: video(1) })
      const first = yield* catchUp()
      expect(first).toMatchObject({ seen: 1, handledNow: 0, failed: [{ eventId: event.event_id }] })
      const second = yield* catchUp()
      expect(second).toMatchObject({ seen: 1, handledNow: 1, failed: [] })
    }).pipe(Effect.scoped))

  it.live("a log that cannot be listed ends in a CatchUpError (ListFailed) with its progress; a failing delivery log in LogUnavailable", () =>
    Effect.gen(function*() {
      const { handle } = yield* counter()
      const { fake } = yield* setUp(handle)
      yield* fake.recordEvent({ eventType: "x.y" })
      const wrongKey = HeyGenClient.layer({ apiKey: "not-the-key", maxRetries: 0 }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const listFailed = yield* WebhookReceiver.catchUp(handle, { since: "1 hour" }).pipe(
        Effect.provide(DeliveryLog.layerMemory()),
        Effect.provide(wrongKey),
        Effect.flip
      )
      expect(listFailed).toMatchObject({ _tag: "CatchUpError", reason: "ListFailed", progress: { seen: 0 } })
      expect(listFailed.message).not.toContain("not-the-key")
      const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: 0 }).pipe(
        Layer.provide(FakeHeyGen.layerHttpClient(fake))
      )
      const broken: DeliveryLog.Service = {
        once: () => Effect.fail(new DeliveryLog.DeliveryLogError({ operation: "claim", message: "database down" }))
      }
      const logFailed = yield* WebhookReceiver.catchUp(handle, { since: "1 hour" }).pipe(
        Effect.provideService(DeliveryLog.DeliveryLog, broken),
        Effect.provide(client),
        Effect.flip
      )
      expect(logFailed).toMatchObject({ reason: "LogUnavailable", progress: { seen: 1, handledNow: 0 } })
    }).pipe(Effect.scoped))
})
