/**
 * The laws every DeliveryLog obeys, run against the in-memory log and the SQL log (both modes) alike.
 */
import { DeliveryLog } from "@effect-heygen/core"
import { expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as TestClock from "effect/TestClock"

type Make = (options: DeliveryLog.Options) => Layer.Layer<DeliveryLog.DeliveryLog, unknown>

const options = { retention: "1 hour", claimTimeout: "1 minute" } as const

const withLog = <A, E>(make: Make, f: (log: DeliveryLog.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(DeliveryLog.DeliveryLog, f).pipe(Effect.provide(make(options)))

const tagOf = <E>(outcome: DeliveryLog.Outcome<E>) => outcome._tag

/** A run of `eventId` that waits for `gate` before finishing (`succeeds` or not); `ran` counts the runs. */
const held = (
  log: DeliveryLog.Service,
  eventId: string,
  gate: Deferred.Deferred<void>,
  succeeds: boolean,
  started?: Deferred.Deferred<void>
) =>
  Effect.fork(
    log.once(
      eventId,
      Effect.zipRight(
        Effect.zipRight(
          started === undefined ? Effect.void : Deferred.succeed(started, undefined),
          Deferred.await(gate)
        ),
        succeeds ? Effect.void : Effect.fail("handler failed")
      )
    )
  )

/** One delivery through the log, as the receiver does it; returns whether the handler ran. */
const deliver = (log: DeliveryLog.Service, eventId: string, succeeds: boolean) =>
  Effect.gen(function*() {
    let ran = false
    const outcome = yield* log.once(
      eventId,
      Effect.suspend(() => {
        ran = true
        // let concurrent deliveries interleave while the "handler" runs
        return Effect.zipRight(Effect.yieldNow(), succeeds ? Effect.void : Effect.fail("handler failed"))
      })
    )
    expect([outcome._tag]).toEqual(
      ran ? [succeeds ? "Handled" : "Failed"] : [expect.stringMatching(/^(Duplicate|InFlight)$/)]
    )
    return ran
  })

/** The outcome's tag of a run that succeeds. */
export const tag = (log: DeliveryLog.Service, id: string) =>
  Effect.map(log.once(id, Effect.void), (outcome) => outcome._tag)

/** A run of `id` that holds it until `gate` is done (with `true`: success), already started when this returns. */
export const hold = (log: DeliveryLog.Service, id: string) =>
  Effect.gen(function*() {
    const gate = yield* Deferred.make<boolean>()
    const started = yield* Deferred.make<void>()
    const fiber = yield* Effect.fork(
      log.once(
        id,
        Effect.zipRight(
          Deferred.succeed(started, undefined),
          Effect.flatMap(Deferred.await(gate), (ok) => (ok ? Effect.void : Effect.fail("failed")))
        )
      )
    )
    yield* Deferred.await(started)
    return (ok: boolean) => Effect.zipRight(Deferred.succeed(gate, ok), Fiber.join(fiber))
  })

export interface LawOptions {
  /** Whether a run whose holder died lapses after the claim timeout (not transactional mode: no claim to lapse). */
  readonly claimTimeout: boolean
}

export const deliveryLogLaws = (make: Make, laws: LawOptions = { claimTimeout: true }) => {
  it.effect("a run holds its event (InFlight) until it succeeds, then it is Duplicate until the retention ends", () =>
    withLog(make, (log) =>
      Effect.gen(function*() {
        const gate = yield* Deferred.make<void>()
        const started = yield* Deferred.make<void>()
        const first = yield* held(log, "evt_a", gate, true, started)
        yield* Deferred.await(started)
        expect(tagOf(yield* log.once("evt_a", Effect.die("must not run")))).toBe("InFlight")
        yield* Deferred.succeed(gate, undefined)
        expect(tagOf(yield* Fiber.join(first))).toBe("Handled")
        expect(tagOf(yield* log.once("evt_a", Effect.die("must not run")))).toBe("Duplicate")
        yield* TestClock.adjust("59 minutes")
        expect(tagOf(yield* log.once("evt_a", Effect.die("must not run")))).toBe("Duplicate")
        yield* TestClock.adjust("61 seconds")
        expect(tagOf(yield* log.once("evt_a", Effect.void))).toBe("Handled")
        // Other ids were never affected.
        expect(tagOf(yield* log.once("evt_b", Effect.void))).toBe("Handled")
      })))

  it.effect("a failed run frees its event for the next delivery, and says why it failed", () =>
    withLog(make, (log) =>
      Effect.gen(function*() {
        const failed = yield* log.once("evt_r", Effect.fail("boom"))
        expect(failed._tag === "Failed" && Cause.squash(failed.cause)).toBe("boom")
        expect(tagOf(yield* log.once("evt_r", Effect.die("a defect")))).toBe("Failed")
        expect(tagOf(yield* log.once("evt_r", Effect.void))).toBe("Handled")
        expect(tagOf(yield* log.once("evt_r", Effect.die("must not run")))).toBe("Duplicate")
      })))

  if (laws.claimTimeout) {
    it.effect("a run whose holder died lapses after the claim timeout, and its late failure frees nothing", () =>
      withLog(make, (log) =>
        Effect.gen(function*() {
          const deadGate = yield* Deferred.make<void>()
          const started = yield* Deferred.make<void>()
          const dead = yield* held(log, "evt_t", deadGate, false, started)
          yield* Deferred.await(started)
          yield* TestClock.adjust("59 seconds")
          expect(tagOf(yield* log.once("evt_t", Effect.die("must not run")))).toBe("InFlight")
          yield* TestClock.adjust("2 seconds")
          const liveGate = yield* Deferred.make<void>()
          const liveStarted = yield* Deferred.make<void>()
          const live = yield* held(log, "evt_t", liveGate, true, liveStarted)
          yield* Deferred.await(liveStarted)
          // The dead holder's late failure must not free the live claim.
          yield* Deferred.succeed(deadGate, undefined)
          expect(tagOf(yield* Fiber.join(dead))).toBe("Failed")
          expect(tagOf(yield* log.once("evt_t", Effect.die("must not run")))).toBe("InFlight")
          yield* Deferred.succeed(liveGate, undefined)
          expect(tagOf(yield* Fiber.join(live))).toBe("Handled")
          expect(tagOf(yield* log.once("evt_t", Effect.die("must not run")))).toBe("Duplicate")
        })))
  }

  it.effect.prop(
    "of any number of concurrent runs of one id exactly one runs; the others are InFlight",
    [FastCheck.integer({ min: 2, max: 24 })],
    ([n]) =>
      withLog(make, (log) =>
        Effect.gen(function*() {
          const gate = yield* Deferred.make<void>()
          const outcomes = yield* Queue.unbounded<string>()
          let runs = 0
          const run = Effect.zipRight(Effect.sync(() => runs++), Deferred.await(gate))
          yield* Effect.forEach(
            Array.from({ length: n }),
            () => Effect.fork(Effect.flatMap(log.once("evt_c", run), (o) => Queue.offer(outcomes, o._tag))),
            { discard: true }
          )
          // The n - 1 that did not run answer without waiting for the one that runs.
          const early = yield* Queue.takeN(outcomes, n - 1)
          yield* Deferred.succeed(gate, undefined)
          const last = yield* Queue.take(outcomes)
          expect([...early].every((tag) => tag === "InFlight")).toBe(true)
          expect(last).toBe("Handled")
          expect(runs).toBe(1)
        })),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect.prop(
    "delivered in sequence, an event's handler runs on every delivery up to its first success, and never after",
    [FastCheck.array(FastCheck.tuple(FastCheck.constantFrom("e1", "e2", "e3"), FastCheck.boolean()), {
      maxLength: 30
    })],
    ([deliveries]) =>
      withLog(make, (log) =>
        Effect.gen(function*() {
          const succeeded = new Set<string>()
          for (const [id, succeeds] of deliveries) {
            const ran = yield* deliver(log, id, succeeds)
            expect(ran).toBe(!succeeded.has(id))
            if (ran && succeeds) succeeded.add(id)
          }
        })),
    { fastCheck: { numRuns: 40 } }
  )

  it.effect.prop(
    "delivered all at once, no event's handler succeeds twice",
    [FastCheck.array(FastCheck.tuple(FastCheck.constantFrom("e1", "e2", "e3"), FastCheck.boolean()), {
      maxLength: 30
    })],
    ([deliveries]) =>
      withLog(make, (log) =>
        Effect.gen(function*() {
          const successes = new Map<string, number>()
          yield* Effect.forEach(deliveries, ([id, succeeds]) =>
            Effect.map(deliver(log, id, succeeds), (ran) => {
              if (ran && succeeds) successes.set(id, (successes.get(id) ?? 0) + 1)
            }), { concurrency: "unbounded" })
          for (const count of successes.values()) expect(count).toBe(1)
        })),
    { fastCheck: { numRuns: 40 } }
  )
}
