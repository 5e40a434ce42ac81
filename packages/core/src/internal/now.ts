/**
 * The running fiber's `Clock` (a `TestClock` in tests), read where it is needed.
 *
 * `Clock.currentTimeMillis` followed by a `map` costs four steps of the fiber; reading the fiber's services
 * directly costs two. These run on every delivery a receiver handles, where each step is a few percent.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/** @internal */
export const withClock = <A, E, R>(f: (clock: Clock.Clock) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => f(Context.get(fiber.currentDefaultServices, Clock.Clock)))

/** @internal */
export const withNow = <A, E, R>(f: (nowMillis: number) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  withClock((clock) => f(clock.unsafeCurrentTimeMillis()))
