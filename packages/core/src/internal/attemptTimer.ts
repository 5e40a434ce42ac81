/**
 * Per-attempt time limits without a race per attempt.
 *
 * `Effect.timeoutFail` forks two fibers and sets a timer for every attempt: about 90 µs of CPU per call, when a fork
 * and an await cost about 30 (measured under load on the bench machine, 64 calls in flight). Here each attempt forks
 * one fiber (the request), and its due time is watched in one of two ways:
 *
 * - on the live clock (every program that does not replace the `Clock`), by a plain Node timer per attempt, cleared
 *   when the attempt settles. The live clock's own `sleep` is that same timer, so nothing changes but the cost: the
 *   shared timer fiber below is forked, woken and interrupted on every sequential call (about 45 of the 60 fiber
 *   steps a limited attempt took);
 * - on any other clock (`TestClock`, a custom one), by one timer fiber per client and clock. That fiber sleeps on the
 *   Effect `Clock` (so TestClock drives it) until the earliest due time, interrupts the attempts that are overdue, and
 *   sleeps again; it is stopped as soon as nothing is pending.
 *
 * Interrupting an attempt interrupts its request, which the platform's `HttpClient` turns into an abort of the
 * in-flight fetch or undici request (its socket is released).
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

interface Entry {
  readonly dueAt: number
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  expired: boolean
}

interface Timer {
  readonly clock: Clock.Clock
  readonly pending: Set<Entry>
  /** The timer fiber, while one runs, and the time it sleeps until. */
  fiber: Fiber.RuntimeFiber<void> | undefined
  until: number
}

// One timer per owner (a client) and clock: a client shared across tests that each have their own TestClock must
// not sleep on the clock of a test that has ended.
const timers = new WeakMap<object, WeakMap<Clock.Clock, Timer>>()

const timerFor = (owner: object, clock: Clock.Clock): Timer => {
  let byClock = timers.get(owner)
  if (byClock === undefined) timers.set(owner, byClock = new WeakMap())
  let timer = byClock.get(clock)
  if (timer === undefined) byClock.set(clock, timer = { clock, pending: new Set(), fiber: undefined, until: Infinity })
  return timer
}

/** Interrupts what is overdue, then sleeps until the next due time; ends when nothing is pending. */
const tick = (timer: Timer): Effect.Effect<void> =>
  Effect.suspend(() => {
    const now = timer.clock.unsafeCurrentTimeMillis()
    let next = Infinity
    for (const entry of timer.pending) {
      if (entry.dueAt <= now) {
        entry.expired = true
        timer.pending.delete(entry)
        entry.fiber.unsafeInterruptAsFork(FiberId.none)
      } else if (entry.dueAt < next) {
        next = entry.dueAt
      }
    }
    timer.until = next
    if (next === Infinity) {
      timer.fiber = undefined
      return Effect.void
    }
    return Effect.zipRight(timer.clock.sleep(Duration.millis(next - now)), tick(timer))
  })

/** Starts the timer fiber, or restarts it when the new entry is due before the time it sleeps until. */
const schedule = (timer: Timer, entry: Entry): Effect.Effect<void> => {
  timer.pending.add(entry)
  if (timer.fiber !== undefined && entry.dueAt >= timer.until) return Effect.void
  const previous = timer.fiber
  timer.until = entry.dueAt
  return Effect.map(Effect.forkDaemon(tick(timer)), (fiber) => {
    timer.fiber = fiber
    previous?.unsafeInterruptAsFork(FiberId.none)
  })
}

/**
 * Forgets a settled attempt. When nothing is pending the timer fiber is stopped at once: its sleep is a live timer,
 * which would keep a process (the CLI, a script) alive until the attempt timeout for nothing.
 */
const release = (timer: Timer, entry: Entry) => {
  timer.pending.delete(entry)
  if (timer.pending.size === 0 && timer.fiber !== undefined) {
    timer.fiber.unsafeInterruptAsFork(FiberId.none)
    timer.fiber = undefined
    timer.until = Infinity
  }
}

/**
 * Runs `effect` with a time limit: past `duration` it is interrupted and the result is `onTimeout()`. Interrupting
 * the caller interrupts `effect` too. An infinite duration runs `effect` as it is.
 */
export const limit = <A, E, E2>(
  owner: object,
  effect: Effect.Effect<A, E>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> => {
  const millis = Duration.toMillis(duration)
  if (!Number.isFinite(millis)) return effect
  return Effect.clockWith((clock) =>
    clock === liveClock
      ? limitLive(effect, millis, onTimeout)
      : limitOn(timerFor(owner, clock), effect, millis, onTimeout)
  )
}

/** The clock every fiber has unless a program provides another: its `sleep` is a Node timer. */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

const limitLive = <A, E, E2>(
  effect: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> =>
  Effect.flatMap(Effect.fork(effect), (fiber) => {
    let expired = false
    const timeout = setTimeout(() => {
      expired = true
      fiber.unsafeInterruptAsFork(FiberId.none)
    }, millis)
    return Effect.onExit(Fiber.await(fiber), (exit) => {
      clearTimeout(timeout)
      // The await itself was interrupted: the caller was, and its request goes with it.
      return Exit.isSuccess(exit) ? Effect.void : Fiber.interrupt(fiber)
    }).pipe(
      Effect.flatMap((exit): Effect.Effect<A, E | E2> =>
        expired && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit
      )
    )
  })

const limitOn = <A, E, E2>(
  timer: Timer,
  effect: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> =>
  Effect.flatMap(Effect.fork(effect), (fiber) => {
    const entry: Entry = { dueAt: timer.clock.unsafeCurrentTimeMillis() + millis, fiber, expired: false }
    return Effect.zipRight(schedule(timer, entry), Fiber.await(fiber)).pipe(
      Effect.onInterrupt(() => Fiber.interrupt(fiber)),
      Effect.ensuring(Effect.sync(() => release(timer, entry))),
      Effect.flatMap((exit): Effect.Effect<A, E | E2> =>
        entry.expired && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit
      )
    )
  })
