import { DeliveryLog, HeyGenClient, WebhookEndpoints, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import { DeliveryArbitraries, FakeDelivery, FakeHeyGen } from "@effect-heygen/test-utils"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"

const NOW = 1_700_000_000

const endpoint = (id: string, events: ReadonlyArray<string> | null, extra: Partial<FakeDelivery.Endpoint> = {}) => ({
  endpoint_id: id,
  url: `https://example.com/hooks/${id}`,
  events,
  secret: Redacted.make(`whsec_${id}_secret`),
  ...extra
})

/** Both forms of core's receiver: the tests with a receiver run against each. */
const forms = ["make", "makeHandler"] as const
type Form = (typeof forms)[number]

/**
 * A real receiver (core's WebhookReceiver) on 127.0.0.1 for the test's scope: `make` served by NodeHttpServer,
 * or `makeHandler` as the listener of a plain node:http server.
 */
const receiverAs = (
  form: Form,
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, string>
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const log = yield* DeliveryLog.makeMemory()
    if (form === "makeHandler") {
      const listener = yield* WebhookReceiver.makeHandler(handler, { secrets }).pipe(
        Effect.provideService(DeliveryLog.DeliveryLog, log)
      )
      const server = yield* NodeHttpServer.make(() => Http.createServer(listener), { port: 0, host: "127.0.0.1" })
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      return `http://127.0.0.1:${address.port}/hooks`
    }
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    yield* HttpServer.serveEffect()(WebhookReceiver.make(handler, { secrets })).pipe(
      Effect.provideService(HttpServer.HttpServer, server),
      Effect.provideService(DeliveryLog.DeliveryLog, log)
    )
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

/**
 * Runs a delivery to one endpoint under the TestClock: after each failed attempt, waits for the engine's backoff
 * sleep and moves the clock to it, and only then: the clock never moves while a real request is in flight, so
 * no attempt timeout fires spuriously.
 */
const drive = <A, E, R>(run: (onAttempt: (a: FakeDelivery.Attempt) => Effect.Effect<void>) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const attempts = yield* Queue.unbounded<FakeDelivery.Attempt>()
    const fiber = yield* Effect.fork(run((a) => Queue.offer(attempts, a)))
    while (true) {
      const next = yield* Effect.raceFirst(
        Effect.as(Fiber.await(fiber), Option.none()),
        Effect.map(Queue.take(attempts), Option.some)
      )
      if (Option.isNone(next)) return yield* Fiber.join(fiber)
      if (next.value.outcome === "Delivered") continue
      while (Option.isNone(yield* Fiber.poll(fiber))) {
        const sleeps = yield* TestClock.sleeps()
        if (Chunk.isNonEmpty(sleeps)) {
          // The latest: the others are the finished attempt's timeout, which the TestClock still lists.
          yield* TestClock.setTime(Math.max(...Chunk.toReadonlyArray(sleeps)))
          break
        }
        yield* Effect.yieldNow()
      }
    }
  })

for (const [form, headerStyle] of forms.flatMap((f) => FakeDelivery.headerStyles.map((s) => [f, s] as const))) {
  const receiver = (...args: Parameters<typeof receiverAs> extends [Form, ...infer Rest] ? Rest : never) =>
    receiverAs(form, ...args)
  // Every delivery of these tests in one header style: the receiver must behave the same for both.
  const deliver = (...[endpoints, eventType, eventData, options]: Parameters<typeof FakeDelivery.deliver>) =>
    FakeDelivery.deliver(endpoints, eventType, eventData, { ...options, headerStyle })

  describe(`FakeDelivery (${headerStyle} headers) to a receiver (WebhookReceiver.${form}) on a loopback server`, () => {
    it.scoped("delivers a signed event to every enabled endpoint subscribed to its type, and the handler runs once", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const endpoints = [
          endpoint("ep_a", ["avatar_video.success"]),
          endpoint("ep_all", null),
          endpoint("ep_fail_only", ["avatar_video.fail"]),
          endpoint("ep_disabled", null, { status: "disabled" })
        ]
        const seen = yield* Ref.make<Array<string>>([])
        const url = yield* receiver(
          endpoints.map((e) => e.secret),
          (d) => Ref.update(seen, (xs) => [...xs, `${d.eventId} ${d.event._tag}`])
        )
        const delivery = yield* deliver(endpoints, "avatar_video.success", {
          video_id: "v1",
          url: "https://cdn/v1.mp4"
        }, {
          route: url,
          eventId: "evt_once"
        })
        expect(delivery.endpoints.map((e) => [e.endpointId, e.outcome, e.attempts.map((a) => a.status)])).toEqual([
          ["ep_a", "Delivered", [200]],
          ["ep_all", "Delivered", [200]]
        ])
        // Both endpoints' deliveries carry one event id: the receiver ran the handler once.
        expect(yield* Ref.get(seen)).toEqual(["evt_once AvatarVideoSuccess"])
        expect(delivery.endpoints[0]!.attempts[0]!.at).toBe(NOW * 1000)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

    it.scoped("redeliveries of one event, sequential and concurrent, run the handler exactly once", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const ep = endpoint("ep_r", null)
        const runs = yield* Ref.make(0)
        const url = yield* receiver([ep.secret], () => Ref.update(runs, (n) => n + 1))
        const again = deliver([ep], "avatar_video.fail", { video_id: "v", msg: "m" }, {
          route: url,
          eventId: "evt_dup"
        })
        yield* again
        yield* again
        yield* Effect.all(Array.from({ length: 6 }, () => again), { concurrency: "unbounded" })
        expect(yield* Ref.get(runs)).toBe(1)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

    it.scoped("a handler failure is a 5xx; the fake retries after its backoff and the redelivery succeeds", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const ep = endpoint("ep_f", null)
        const calls = yield* Ref.make(0)
        const url = yield* receiver(
          [ep.secret],
          () =>
            Effect.flatMap(
              Ref.updateAndGet(calls, (n) => n + 1),
              (n) => (n === 1 ? Effect.fail("not yet") : Effect.void)
            )
        )
        const delivery = yield* drive((onAttempt) =>
          deliver([ep], "avatar_video.success", { video_id: "v", url: "u" }, {
            route: url,
            onAttempt,
            retry: Schedule.exponential("10 seconds").pipe(Schedule.intersect(Schedule.recurs(5)))
          })
        )
        const attempts = delivery.endpoints[0]!.attempts
        expect(attempts.map((a) => [a.status, a.outcome])).toEqual([[500, "Failed"], [200, "Delivered"]])
        // The retry waited for the backoff on the Clock, and was re-stamped (a stale timestamp would be refused).
        expect(attempts[1]!.at - attempts[0]!.at).toBe(10_000)
        expect(yield* Ref.get(calls)).toBe(2)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

    it.scoped("an unreachable receiver is retried until the schedule gives up", () =>
      Effect.gen(function*() {
        // A port that was just free: nothing listens there any more.
        const closed = yield* Effect.scoped(receiver([Redacted.make("whsec_closed")], () => Effect.void))
        const ep = endpoint("ep_down", null)
        const delivery = yield* drive((onAttempt) =>
          deliver([ep], "avatar_video.success", { video_id: "v", url: "u" }, {
            route: closed,
            onAttempt,
            retry: Schedule.spaced("1 minute").pipe(Schedule.intersect(Schedule.recurs(2)))
          })
        )
        expect(delivery.endpoints[0]!.outcome).toBe("GaveUp")
        expect(delivery.endpoints[0]!.attempts.map((a) => a.outcome)).toEqual([
          "Unreachable",
          "Unreachable",
          "Unreachable"
        ])
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

    it.scoped("refuses loopback and private endpoint URLs unless routed or opted in, as HeyGen does", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const runs = yield* Ref.make(0)
        const secret = Redacted.make("whsec_local")
        const url = yield* receiver([secret], () => Ref.update(runs, (n) => n + 1))
        const local = { endpoint_id: "ep_local", url, events: null, secret }
        const refused = yield* deliver([local], "avatar_video.fail", { video_id: "v", msg: "m" })
        expect(refused.endpoints.map((e) => [e.outcome, e.attempts.length])).toEqual([["Refused", 0]])
        expect(yield* Ref.get(runs)).toBe(0)
        const allowed = yield* deliver([local], "avatar_video.fail", { video_id: "v", msg: "m" }, {
          allowLoopback: true
        })
        expect(allowed.endpoints.map((e) => e.outcome)).toEqual(["Delivered"])
        expect(yield* Ref.get(runs)).toBe(1)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

    it.scoped("forged deliveries of every kind never reach the handler; genuine ones do", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const handled = yield* Ref.make<Array<string>>([])
        // One receiver, so every case is generated for its secret (and differs in everything else).
        const secret = "whsec_shared_for_forgeries"
        const url = yield* receiver([Redacted.make(secret)], (d) => Ref.update(handled, (xs) => [...xs, d.eventId]))
        const forgeries = FastCheck.sample(DeliveryArbitraries.tamperedDelivery({ now: NOW, secret }), 40)
        for (const forged of forgeries) {
          const status = yield* post(url, forged.body, forged.headers)
          expect([400, 401], forged.kind).toContain(status)
        }
        expect(yield* Ref.get(handled)).toEqual([])
        const genuine = FastCheck.sample(DeliveryArbitraries.signedDelivery({ now: NOW, secret }), 10)
        for (const d of genuine) expect(yield* post(url, d.body, d.headers)).toBe(200)
        expect(new Set(yield* Ref.get(handled))).toEqual(new Set(genuine.map((d) => d.eventId)))
      }))
  })
}

const post = (url: string, body: string, headers: Readonly<Record<string, string>>) =>
  Effect.promise(() =>
    fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }).then((r) =>
      r.status
    )
  )

describe("FakeHeyGen.deliver", () => {
  for (const [form, headerStyle] of forms.flatMap((f) => FakeDelivery.headerStyles.map((s) => [f, s] as const))) {
    it.scoped(`records the event in the account's log and delivers it to its subscribed endpoints (${form}, ${headerStyle})`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(NOW * 1000)
        const fake = yield* FakeHeyGen.make()
        const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey, maxRetries: 0 }).pipe(
          Layer.provide(FakeHeyGen.layerHttpClient(fake))
        )
        const create = (events: ReadonlyArray<"avatar_video.success" | "avatar_video.fail">, host: string) =>
          Effect.provide(
            WebhookEndpoints.create({ url: `https://${host}.example.com/hooks`, events: [...events] }),
            client
          )
        const subscribed = yield* create(["avatar_video.success"], "a")
        yield* create(["avatar_video.fail"], "b")
        const secrets = [subscribed.endpoint.secret].flatMap((s) => (s === null ? [] : [s]))
        const seen = yield* Ref.make<Array<string>>([])
        const url = yield* receiverAs(form, secrets, (d) => Ref.update(seen, (xs) => [...xs, d.eventId]))
        const delivery = yield* fake.deliver("avatar_video.success", { video_id: "v1", url: "https://cdn/v1.mp4" }, {
          route: url,
          headerStyle
        })
        expect(delivery.endpoints.map((e) => [e.endpointId, e.outcome])).toEqual([[
          subscribed.endpoint.endpoint_id,
          "Delivered"
        ]])
        const logged = yield* fake.events()
        expect(logged.map((e) => [e.event_id, e.event_type])).toEqual([[delivery.eventId, "avatar_video.success"]])
        expect(yield* Ref.get(seen)).toEqual([delivery.eventId])
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
  }
})

describe("DeliveryArbitraries", () => {
  // Law: every delivery signedDelivery makes is authentic to core's verifier, which reads from it the event id,
  // its source and the event type the arbitrary says (so a property can group redeliveries by `eventId`).
  it.prop(
    "signed deliveries pass verification, with the event id and source the arbitrary reports",
    [DeliveryArbitraries.signedDelivery({ now: NOW })],
    ([d]) => {
      const result = WebhookSignature.verifyAt(d.body, d.headers, Redacted.make(d.secret), NOW * 1000)
      expect(Either.isRight(result) ? "ok" : result.left.reason).toBe("ok")
      if (Either.isRight(result)) {
        expect([result.right.eventId, result.right.eventIdSource, result.right.timestamp, result.right.eventType])
          .toEqual([d.eventId, d.eventIdSource, d.timestamp, d.eventType])
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("covers both styles, with and without a timestamp, and every event-id source", () => {
    const sample = FastCheck.sample(DeliveryArbitraries.signedDelivery({ now: NOW }), 400)
    const seen = new Set(sample.map((d) => `${d.headerStyle} ${d.timestamp === null ? "-" : "t"} ${d.eventIdSource}`))
    expect([...seen].sort()).toEqual([
      "documented - body",
      "documented - digest",
      "documented - header",
      "documented t body",
      "documented t digest",
      "documented t header",
      "legacy - body",
      "legacy - digest"
    ])
    // Signature values in every accepted form, and header names in several casings.
    const values = sample.map((d) => Object.entries(d.headers).find(([k]) => /signature$/i.test(k))![1])
    expect(values.some((v) => v.startsWith("sha256="))).toBe(true)
    expect(values.some((v) => /^[0-9A-F]{64}$/.test(v))).toBe(true)
    expect(values.some((v) => /^[0-9a-f]{64}$/.test(v))).toBe(true)
    expect(new Set(sample.flatMap((d) => Object.keys(d.headers))).size).toBeGreaterThan(6)
  })

  it.prop(
    "legacy deliveries carry exactly a signature header (in some casing), no timestamp, no event-id header",
    [DeliveryArbitraries.signedDelivery({ now: NOW, headerStyle: "legacy" })],
    ([d]) => {
      expect(Object.keys(d.headers).map((k) => k.toLowerCase())).toEqual(["signature"])
      expect(d.timestamp).toBeNull()
      expect(d.eventIdSource).not.toBe("header")
    }
  )

  it.prop(
    "withTimestamp: true gives documented deliveries that all carry Heygen-Timestamp; false gives none",
    [
      DeliveryArbitraries.signedDelivery({ now: NOW, withTimestamp: true }),
      DeliveryArbitraries.signedDelivery({ now: NOW, withTimestamp: false })
    ],
    ([stamped, unstamped]) => {
      const hasTimestamp = (d: DeliveryArbitraries.SignedDelivery) =>
        Object.keys(d.headers).some((k) => k.toLowerCase() === "heygen-timestamp")
      expect([stamped.headerStyle, hasTimestamp(stamped), stamped.timestamp !== null]).toEqual([
        "documented",
        true,
        true
      ])
      expect([hasTimestamp(unstamped), unstamped.timestamp]).toEqual([false, null])
      // requireTimestamp refuses exactly the unstamped ones.
      const required = (d: DeliveryArbitraries.SignedDelivery) =>
        WebhookSignature.verifyAt(d.body, d.headers, Redacted.make(d.secret), NOW * 1000, { requireTimestamp: true })
      expect(Either.isRight(required(stamped))).toBe(true)
      expect(Either.isLeft(required(unstamped))).toBe(true)
    }
  )

  for (const kind of DeliveryArbitraries.tamperings) {
    it.prop(
      `${kind} deliveries fail with the expected reason, in both styles`,
      [DeliveryArbitraries.tampered(kind, { now: NOW })],
      ([d]) => {
        const result = WebhookSignature.verifyAt(d.body, d.headers, Redacted.make(d.secret), NOW * 1000)
        expect(Either.isLeft(result) ? result.left.reason : "ok").toBe(d.expected)
      },
      { fastCheck: { numRuns: 200 } }
    )
  }

  it("every kind but the timestamp ones comes in both styles", () => {
    for (const kind of DeliveryArbitraries.tamperings) {
      const styles = new Set(
        FastCheck.sample(DeliveryArbitraries.tampered(kind, { now: NOW }), 100).map((d) => d.headerStyle)
      )
      expect([...styles].sort(), kind).toEqual(
        kind.endsWith("Timestamp") ? ["documented"] : ["documented", "legacy"]
      )
    }
  })
})
