import { DeliveryLog } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import { deliveryLogLaws } from "./deliveryLogLaws.js"

describe("DeliveryLog.layerMemory", () => {
  deliveryLogLaws((options) => DeliveryLog.layerMemory(options))

  it.effect("holds at most `capacity` ids, forgetting the oldest first", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.makeMemory({ capacity: 3 })
      for (const id of ["a", "b", "c", "d"]) {
        const claim = yield* log.claim(id)
        if (claim._tag === "Claimed") yield* log.complete(id, claim.token)
      }
      // "a" was the oldest: forgotten. "b", "c", "d" are remembered.
      expect((yield* log.claim("d"))._tag).toBe("Done")
      expect((yield* log.claim("c"))._tag).toBe("Done")
      expect((yield* log.claim("b"))._tag).toBe("Done")
      expect((yield* log.claim("a"))._tag).toBe("Claimed")
    }))

  it.effect("completing moves an id to the young end, so a long-running handler's id is not the next evicted", () =>
    Effect.gen(function*() {
      const log = yield* DeliveryLog.makeMemory({ capacity: 2 })
      const slow = yield* log.claim("slow")
      yield* log.claim("x")
      if (slow._tag === "Claimed") yield* log.complete("slow", slow.token)
      yield* log.claim("y") // evicts "x", the oldest entry now
      expect((yield* log.claim("slow"))._tag).toBe("Done")
      expect((yield* log.claim("x"))._tag).toBe("Claimed")
    }))

  // A model with the obvious eviction (the first key of the Map, found afresh each time): the log must agree with
  // it on every claim of any sequence, so its cheaper way of finding the oldest key forgets the same ids.
  it.effect.prop(
    "forgets exactly what a map evicting its first key would",
    [FastCheck.array(
      FastCheck.tuple(FastCheck.constantFrom("claim", "complete", "release"), FastCheck.integer({ min: 0, max: 6 })),
      { maxLength: 80 }
    )],
    ([ops]) =>
      Effect.gen(function*() {
        const capacity = 3
        const log = yield* DeliveryLog.makeMemory({ capacity })
        const model = new Map<string, { readonly state: "claimed" | "done"; readonly token: string }>()
        const insert = (id: string, entry: { readonly state: "claimed" | "done"; readonly token: string }) => {
          model.delete(id)
          while (model.size >= capacity) model.delete(model.keys().next().value!)
          model.set(id, entry)
        }
        for (const [op, n] of ops) {
          const id = `evt_${n}`
          const held = model.get(id)
          if (op === "claim") {
            const claim = yield* log.claim(id)
            expect(claim._tag).toBe(held === undefined ? "Claimed" : held.state === "done" ? "Done" : "InFlight")
            if (claim._tag === "Claimed") insert(id, { state: "claimed", token: claim.token })
          } else if (held !== undefined && held.state === "claimed") {
            if (op === "complete") {
              yield* log.complete(id, held.token)
              insert(id, { state: "done", token: held.token })
            } else {
              yield* log.release(id, held.token)
              model.delete(id)
            }
          }
        }
      })
  )

  it.effect("each layer build is a fresh log", () =>
    Effect.gen(function*() {
      const claimOnce = Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
        Effect.provide(DeliveryLog.layerMemory())
      )
      expect((yield* claimOnce)._tag).toBe("Claimed")
      expect((yield* claimOnce)._tag).toBe("Claimed")
    }))
})
