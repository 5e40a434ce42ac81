/**
 * internal/batch.ts: requests of concurrent fibers grouped into batches as they come, without a timer.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Batch from "../src/internal/batch.js"

/** Lets every fiber that can run, run (the batches start in daemon fibers of their own). */
const settle = Effect.forEach(Array.from({ length: 50 }), () => Effect.yieldNow(), { discard: true })

/** A batch runner whose batches are recorded and held until `open` is completed. */
const gated = (parallel: number) =>
  Effect.gen(function*() {
    const batches: Array<ReadonlyArray<number>> = []
    let gate = yield* Deferred.make<void>()
    const run = (items: ReadonlyArray<number>) =>
      Effect.gen(function*() {
        batches.push(items)
        yield* Deferred.await(gate)
        if (items.includes(-1)) return yield* Effect.fail("a bad item" as const)
        return items.map((n) => n * 10)
      })
    const submit = Batch.make({ run, parallel, max: 3 })
    const open = Effect.gen(function*() {
      const current = gate
      gate = yield* Deferred.make<void>()
      yield* Deferred.succeed(current, undefined)
    })
    return { batches, submit, open }
  })

describe("internal/batch", () => {
  it.effect("the first request goes alone at once; those asked while it runs go together next, at most max each", () =>
    Effect.gen(function*() {
      const { batches, open, submit } = yield* gated(1)
      const first = yield* Effect.fork(submit(1))
      yield* settle
      expect(batches).toEqual([[1]])
      const rest = yield* Effect.fork(Effect.all([2, 3, 4, 5].map(submit), { concurrency: "unbounded" }))
      yield* settle
      // Nothing else starts while one batch is in flight (parallel: 1).
      expect(batches).toEqual([[1]])
      yield* open
      expect(yield* Fiber.join(first)).toBe(10)
      yield* settle
      expect(batches).toEqual([[1], [2, 3, 4]])
      yield* open
      yield* settle
      expect(batches).toEqual([[1], [2, 3, 4], [5]])
      yield* open
      expect(yield* Fiber.join(rest)).toEqual([20, 30, 40, 50])
    }))

  it.effect("a request made by a fiber that a batch's answer resumed goes in the very next batch", () =>
    Effect.gen(function*() {
      // A delivery's completion follows its claim at once: it must not miss the next statement and wait a whole
      // round trip more (the runner lets the answered fibers run before it takes the next batch).
      const { batches, open, submit } = yield* gated(1)
      const delivery = yield* Effect.fork(Effect.flatMap(submit(1), (claimed) => submit(claimed + 1)))
      yield* settle
      const other = yield* Effect.fork(submit(2))
      yield* settle
      expect(batches).toEqual([[1]])
      yield* open
      yield* settle
      expect(batches).toEqual([[1], [2, 11]])
      yield* open
      expect([yield* Fiber.join(delivery), yield* Fiber.join(other)]).toEqual([110, 20])
    }))

  it.effect("with parallel: 2, a second batch goes while the first is in flight; a third waits for either", () =>
    Effect.gen(function*() {
      const { batches, open, submit } = yield* gated(2)
      const one = yield* Effect.fork(submit(1))
      yield* settle
      const seven = yield* Effect.fork(submit(7))
      yield* settle
      const eight = yield* Effect.fork(submit(8))
      yield* settle
      expect(batches).toEqual([[1], [7]])
      yield* open
      expect([yield* Fiber.join(one), yield* Fiber.join(seven)]).toEqual([10, 70])
      yield* settle
      expect(batches).toEqual([[1], [7], [8]])
      yield* open
      expect(yield* Fiber.join(eight)).toBe(80)
    }))

  it.effect("a batch that fails fails every request in it, and the next batch still runs", () =>
    Effect.gen(function*() {
      const { open, submit } = yield* gated(1)
      const first = yield* Effect.fork(Effect.exit(submit(1)))
      yield* settle
      const doomed = yield* Effect.fork(
        Effect.all([2, -1].map((n) => Effect.exit(submit(n))), { concurrency: "unbounded" })
      )
      yield* settle
      yield* open
      yield* settle
      yield* open
      expect(yield* Fiber.join(first)).toStrictEqual(Exit.succeed(10))
      expect(yield* Fiber.join(doomed)).toStrictEqual([Exit.fail("a bad item"), Exit.fail("a bad item")])
      const after = yield* Effect.fork(submit(3))
      yield* settle
      yield* open
      expect(yield* Fiber.join(after)).toBe(30)
    }))

  it.effect("a request whose fiber is interrupted leaves the others of its batch answered", () =>
    Effect.gen(function*() {
      const { open, submit } = yield* gated(1)
      const blocker = yield* Effect.fork(submit(1))
      yield* settle
      const quitter = yield* Effect.fork(submit(2))
      const stayer = yield* Effect.fork(submit(3))
      yield* settle
      yield* open
      yield* Fiber.join(blocker)
      yield* settle
      yield* Fiber.interrupt(quitter)
      yield* open
      expect(yield* Fiber.join(stayer)).toBe(30)
    }))

  it.effect("a run that answers fewer outputs than items is a defect of those requests, not a hang", () =>
    Effect.gen(function*() {
      const submit = Batch.make({
        run: (items: ReadonlyArray<number>) => Effect.succeed(items.slice(1)),
        parallel: 1,
        max: 10
      })
      const exit = yield* Effect.exit(submit(1))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }))
})
