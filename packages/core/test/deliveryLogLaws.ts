/**
 * The laws every DeliveryLog obeys, run against the in-memory log and the SQL log alike.
 */
import { DeliveryLog } from "@effect-heygen/core"
import { expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import type * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"

type Make = (options: DeliveryLog.Options) => Layer.Layer<DeliveryLog.DeliveryLog, unknown>

const options = { retention: "1 hour", claimTimeout: "1 minute" } as const

const withLog = <A, E>(make: Make, f: (log: DeliveryLog.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(DeliveryLog.DeliveryLog, f).pipe(Effect.provide(make(options)))

const tokenOf = (claim: DeliveryLog.Claim) => {
  if (claim._tag !== "Claimed") throw new Error(`expected Claimed, got ${claim._tag}`)
  return claim.token
}

/** One delivery through the log, as the receiver does it; returns whether the handler ran. */
const deliver = (log: DeliveryLog.Service, eventId: string, succeeds: boolean) =>
  Effect.gen(function*() {
    const claim = yield* log.claim(eventId)
    if (claim._tag !== "Claimed") return false
    yield* Effect.yieldNow() // let concurrent deliveries interleave while the "handler" runs
    yield* succeeds ? log.complete(eventId, claim.token) : log.release(eventId, claim.token)
    return true
  })

export const deliveryLogLaws = (make: Make) => {
  it.effect("a claim is Claimed, then InFlight until completed, then Done until the retention ends", () =>
    withLog(make, (log) =>
      Effect.gen(function*() {
        const token = tokenOf(yield* log.claim("evt_a"))
        expect((yield* log.claim("evt_a"))._tag).toBe("InFlight")
        yield* log.complete("evt_a", token)
        expect((yield* log.claim("evt_a"))._tag).toBe("Done")
        yield* TestClock.adjust("59 minutes")
        expect((yield* log.claim("evt_a"))._tag).toBe("Done")
        yield* TestClock.adjust("61 seconds")
        expect((yield* log.claim("evt_a"))._tag).toBe("Claimed")
        // Other ids were never affected.
        expect((yield* log.claim("evt_b"))._tag).toBe("Claimed")
      })))

  it.effect("release frees the claim for the next delivery; a stale token releases nothing", () =>
    withLog(make, (log) =>
      Effect.gen(function*() {
        const first = tokenOf(yield* log.claim("evt_r"))
        yield* log.release("evt_r", first)
        const second = tokenOf(yield* log.claim("evt_r"))
        expect(second).not.toBe(first)
        yield* log.release("evt_r", first)
        expect((yield* log.claim("evt_r"))._tag).toBe("InFlight")
        yield* log.release("evt_r", second)
        expect((yield* log.claim("evt_r"))._tag).toBe("Claimed")
      })))

  it.effect("a claim never completed nor released lapses after the claim timeout (its holder died)", () =>
    withLog(make, (log) =>
      Effect.gen(function*() {
        const dead = tokenOf(yield* log.claim("evt_t"))
        yield* TestClock.adjust("59 seconds")
        expect((yield* log.claim("evt_t"))._tag).toBe("InFlight")
        yield* TestClock.adjust("2 seconds")
        const live = tokenOf(yield* log.claim("evt_t"))
        // The dead holder's late release must not free the live claim.
        yield* log.release("evt_t", dead)
        expect((yield* log.claim("evt_t"))._tag).toBe("InFlight")
        yield* log.complete("evt_t", live)
        expect((yield* log.claim("evt_t"))._tag).toBe("Done")
      })))

  it.effect.prop(
    "of any number of concurrent claims of one id exactly one is Claimed",
    [FastCheck.integer({ min: 2, max: 24 })],
    ([n]) =>
      withLog(make, (log) =>
        Effect.gen(function*() {
          const claims = yield* Effect.all(Array.from({ length: n }, () => log.claim("evt_c")), {
            concurrency: "unbounded"
          })
          expect(claims.filter((c) => c._tag === "Claimed")).toHaveLength(1)
          expect(claims.filter((c) => c._tag === "InFlight")).toHaveLength(n - 1)
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
