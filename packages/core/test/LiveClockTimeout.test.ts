/**
 * The attempt timeout on the live clock. Under TestClock (every other test) attempts are watched by the shared
 * timer fiber; on the live clock each attempt has a plain Node timer instead. Node's timers are faked here
 * (`setTimeout`/`clearTimeout` only), so time is still virtual: the test moves it, nothing sleeps.
 */
import { RetryPolicy, WebhookEndpoints } from "@effect-heygen/core"
import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { clientLayer, endpointBody, makeFake, type Reply, respond, validRequest } from "./fixtures.js"

const call = (replies: ReadonlyArray<Reply>) => {
  const fake = makeFake(replies)
  const effect = WebhookEndpoints.create(validRequest).pipe(
    Effect.provide(
      clientLayer(fake, {
        attemptTimeout: "5 seconds",
        deadline: "1 minute",
        retryPolicy: RetryPolicy.make({ maxRetries: 0 })
      })
    )
  )
  return { fake, effect }
}

describe("attempt timeout on the live clock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("interrupts the request at the attempt timeout and not before, as TimeoutError{scope:attempt}", async () => {
    const { effect, fake } = call([{ _tag: "Hang" }])
    const result = Effect.runPromiseExit(effect)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(fake.requests).toHaveLength(1)
    expect(fake.interrupted.count).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    const exit = await result
    expect(fake.interrupted.count).toBe(1)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    expect(error?._tag).toBe("TimeoutError")
    expect(error?._tag === "TimeoutError" && error.scope).toBe("attempt")
    expect(vi.getTimerCount()).toBe(0)
  })

  it("an attempt that settles in time leaves no timer behind", async () => {
    const { effect, fake } = call([respond(200, endpointBody())])
    const exit = await Effect.runPromiseExit(effect)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(fake.interrupted.count).toBe(0)
    // A timer left behind would keep a CLI process alive until the attempt timeout.
    expect(vi.getTimerCount()).toBe(0)
  })

  it("interrupting the caller interrupts the request and clears its timer", async () => {
    const { effect, fake } = call([{ _tag: "Hang" }])
    const fiber = Effect.runFork(effect)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fake.requests).toHaveLength(1)
    const exit = await Effect.runPromise(Fiber.interrupt(fiber))
    expect(Exit.isInterrupted(exit)).toBe(true)
    expect(fake.interrupted.count).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
