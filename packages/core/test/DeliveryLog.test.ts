import { DeliveryLog } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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

  it.effect("each layer build is a fresh log", () =>
    Effect.gen(function*() {
      const claimOnce = Effect.flatMap(DeliveryLog.DeliveryLog, (log) => log.claim("evt")).pipe(
        Effect.provide(DeliveryLog.layerMemory())
      )
      expect((yield* claimOnce)._tag).toBe("Claimed")
      expect((yield* claimOnce)._tag).toBe("Claimed")
    }))
})
