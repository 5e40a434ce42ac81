import { DeliveryLog } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as TestClock from "effect/TestClock"
import { deliveryLogLaws, hold, tag } from "./deliveryLogLaws.js"

describe("DeliveryLog.layerMemory", () => {
  deliveryLogLaws((options) => DeliveryLog.layerMemory(options))

  it.effect("holds at most `capacity` ids, forgetting the oldest first", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.makeMemory({ capacity: 3 })
      for (const id of ["a", "b", "c", "d"]) expect(yield* tag(log, id)).toBe("Handled")
      // "a" was the oldest: forgotten. "b", "c", "d" are remembered.
      expect(yield* tag(log, "d")).toBe("Duplicate")
      expect(yield* tag(log, "c")).toBe("Duplicate")
      expect(yield* tag(log, "b")).toBe("Duplicate")
      expect(yield* tag(log, "a")).toBe("Handled")
    }))

  it.effect("a success moves an id to the young end, so a long-running handler's id is not the next evicted", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.makeMemory({ capacity: 2 })
      const slow = yield* hold(log, "slow")
      const x = yield* hold(log, "x")
      expect((yield* slow(true))._tag).toBe("Handled")
      yield* tag(log, "y") // evicts "x", the oldest entry now
      expect(yield* tag(log, "slow")).toBe("Duplicate")
      expect(yield* tag(log, "x")).toBe("Handled")
      yield* x(false)
    }))

  // A model with the obvious eviction (the first key of the Map, found afresh each time): the log must agree with
  // it on every step of any sequence, so its cheaper way of finding the oldest key forgets the same ids.
  it.effect.prop(
    "forgets exactly what a map evicting its first key would",
    [FastCheck.array(
      FastCheck.tuple(FastCheck.constantFrom("start", "succeed", "fail"), FastCheck.integer({ min: 0, max: 6 })),
      { maxLength: 80 }
    )],
    ([ops]) =>
      Effect.gen(function*() {
        const capacity = 3
        const log = yield* DeliveryLog.makeMemory({ capacity })
        const model = new Map<string, "claimed" | "done">()
        const running = new Map<string, (ok: boolean) => Effect.Effect<DeliveryLog.Outcome<string>, unknown>>()
        const insert = (id: string, state: "claimed" | "done") => {
          model.delete(id)
          while (model.size >= capacity) model.delete(model.keys().next().value!)
          model.set(id, state)
        }
        for (const [op, n] of ops) {
          const id = `evt_${n}`
          const finish = running.get(id)
          if (op === "start") {
            const state = model.get(id)
            if (state === undefined) {
              running.set(id, yield* hold(log, id))
              insert(id, "claimed")
            } else {
              expect(yield* tag(log, id)).toBe(state === "done" ? "Duplicate" : "InFlight")
            }
          } else if (finish !== undefined) {
            running.delete(id)
            yield* finish(op === "succeed")
            if (op === "succeed") insert(id, "done")
            // A failure frees the id only if its claim is still the one in the log (it may have been evicted).
            else if (model.get(id) === "claimed") model.delete(id)
          }
        }
      })
  )

  it.effect("each layer build is a fresh log", () =>
    Effect.gen(function*() {
      const once = Effect.flatMap(DeliveryLog.DeliveryLog, (log) => tag(log, "evt")).pipe(
        Effect.provide(DeliveryLog.layerMemory())
      )
      expect(yield* once).toBe("Handled")
      expect(yield* once).toBe("Handled")
    }))

  describe("the documented defaults, given no options", () => {
    it.effect("a handled event is remembered for 48 hours", () =>
      Effect.gen(function*() {
        const log = yield* DeliveryLog.makeMemory()
        yield* tag(log, "evt")
        yield* TestClock.adjust("47 hours")
        yield* TestClock.adjust("59 minutes")
        expect(yield* tag(log, "evt")).toBe("Duplicate")
        yield* TestClock.adjust("61 seconds")
        expect(yield* tag(log, "evt")).toBe("Handled")
      }))

    it.effect("a run whose holder died holds its event for 5 minutes", () =>
      Effect.gen(function*() {
        const log = yield* DeliveryLog.makeMemory()
        yield* hold(log, "evt")
        yield* TestClock.adjust("299 seconds")
        expect(yield* tag(log, "evt")).toBe("InFlight")
        yield* TestClock.adjust("2 seconds")
        expect(yield* tag(log, "evt")).toBe("Handled")
      }))

    it.effect("10,000 ids are kept", () =>
      Effect.gen(function*() {
        const log = yield* DeliveryLog.makeMemory()
        for (let i = 0; i <= 10_000; i++) yield* tag(log, `evt_${i}`)
        // 10,001 handled: the first is forgotten, the second is the oldest still kept.
        expect(yield* tag(log, "evt_1")).toBe("Duplicate")
        expect(yield* tag(log, "evt_0")).toBe("Handled")
      }))
  })
})
