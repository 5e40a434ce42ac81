/**
 * Per-attempt time limits without a race per attempt.
 *
 * `Effect.timeoutFail` forks two fibers and sets a timer for every attempt, three times what the attempt needs. Here
 * each attempt forks one fiber (the request), and its due time is watched in one of two ways:
 *
 * - on the live clock, by a plain Node timer per attempt, cleared when the attempt settles (the live clock's own
 *   `sleep` is that same timer, so only the cost changes);
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
    Effect.flatMap(Effect.fork(effect), (fiber) => {
      const watch = clock === liveClock ? watchLive(fiber, millis) : watchOn(timerFor(owner, clock), fiber, millis)
      // The watch starts inside `onExit`, so that however the wait ends (the caller interrupted, even at once),
      // it is stopped and the request goes with the caller.
      return Effect.onExit(Effect.zipRight(watch.start, Fiber.await(fiber)), (exit) => {
        watch.stop()
        return Exit.isSuccess(exit) ? Effect.void : Fiber.interrupt(fiber)
      }).pipe(
        Effect.flatMap((exit): Effect.Effect<A, E | E2> =>
          watch.expired() && Exit.isInterrupted(exit) ? Effect.fail(onTimeout()) : exit
        )
      )
    })
  )
}

/** The clock every fiber has unless a program provides another: its `sleep` is a Node timer. */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** How an attempt's due time is watched: started before the wait, stopped once it ends. */
interface Watch {
  readonly start: Effect.Effect<void>
  readonly stop: () => void
  /** Whether the attempt was interrupted for being overdue. */
  readonly expired: () => boolean
}

/** On the live clock: a Node timer of its own. */
const watchLive = (fiber: Fiber.RuntimeFiber<unknown, unknown>, millis: number): Watch => {
  let expired = false
  let timeout: ReturnType<typeof setTimeout> | undefined
  return {
    start: Effect.sync(() => {
      timeout = setTimeout(() => {
        expired = true
        fiber.unsafeInterruptAsFork(FiberId.none)
      }, millis)
    }),
    stop: () => clearTimeout(timeout),
    expired: () => expired
  }
}

/** On any other clock: an entry with the client's timer fiber. */
const watchOn = (timer: Timer, fiber: Fiber.RuntimeFiber<unknown, unknown>, millis: number): Watch => {
  const entry: Entry = { dueAt: timer.clock.unsafeCurrentTimeMillis() + millis, fiber, expired: false }
  return { start: schedule(timer, entry), stop: () => release(timer, entry), expired: () => entry.expired }
}
