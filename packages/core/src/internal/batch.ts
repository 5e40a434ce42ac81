/**
 * Requests of concurrent fibers, grouped into batches as they come: the first request goes at once, alone; requests
 * made while `parallel` batches are in flight wait, and all of them go together in the next batch. Nothing waits for a
 * timer, so one request alone costs what it did unbatched; under load, one statement serves many requests.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * A request waiting for its batch: its answer goes to `resume` once its fiber waits, or is kept in `exit` until it
 * does. Not a `Deferred`, which is a far dearer allocation per request.
 */
interface Pending<I, O, E> {
  readonly item: I
  resume: ((exit: Exit.Exit<O, E>) => void) | undefined
  exit: Exit.Exit<O, E> | undefined
}

/**
 * `run` gets the items of a batch in the order they were asked for and answers one output per item, in that order.
 * A batch that fails (or dies) fails every request in it. Batches run in daemon fibers, so a request whose fiber is
 * interrupted neither stops the others of its batch nor leaves them waiting. They inherit the fiber references of the
 * request that started them (its `Clock`, its logger); callers must not batch requests that need their own fiber's
 * context (a transaction's connection, say).
 *
 * @internal
 */
export const make = <I, O, E>(options: {
  readonly run: (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<O>, E>
  /** Batches in flight at once. */
  readonly parallel: number
  /** The most items in one batch. */
  readonly max: number
}): (item: I) => Effect.Effect<O, E> => {
  const queue: Array<Pending<I, O, E>> = []
  let running = 0

  const answer = (pending: Pending<I, O, E>, exit: Exit.Exit<O, E>) => {
    if (pending.resume === undefined) pending.exit = exit
    else pending.resume(exit)
  }

  const settle = (batch: ReadonlyArray<Pending<I, O, E>>, exit: Exit.Exit<ReadonlyArray<O>, E>) =>
    Effect.sync(() => {
      if (Exit.isFailure(exit)) {
        const failed = Exit.failCause(exit.cause)
        for (const pending of batch) answer(pending, failed)
        return
      }
      for (let i = 0; i < batch.length; i++) {
        answer(
          batch[i]!,
          i >= exit.value.length
            ? Exit.die(new Error(`a batch of ${batch.length} answered ${exit.value.length} outputs`))
            : Exit.succeed(exit.value[i] as O)
        )
      }
    })

  // Runs batches until nothing is waiting. Between two it yields once, so that what the fibers it just answered ask
  // next (a delivery's completion, right after its claim) goes in the very next batch.
  const drain: Effect.Effect<void> = Effect.suspend(() => {
    if (queue.length === 0) {
      running--
      return Effect.void
    }
    const batch = queue.splice(0, options.max)
    return Effect.flatMap(
      Effect.exit(Effect.suspend(() => options.run(batch.map((pending) => pending.item)))),
      (exit) => Effect.zipRight(settle(batch, exit), Effect.zipRight(Effect.yieldNow(), drain))
    )
  })

  return (item) =>
    Effect.suspend(() => {
      const pending: Pending<I, O, E> = { item, resume: undefined, exit: undefined }
      queue.push(pending)
      // Interrupting the waiting fiber just stops its wait: the request stays in its batch, whose answer then goes
      // nowhere.
      const wait = Effect.async<O, E>((resume) => {
        if (pending.exit === undefined) pending.resume = resume
        else resume(pending.exit)
      })
      if (running >= options.parallel) return wait
      running++
      return Effect.zipRight(Effect.forkDaemon(drain), wait)
    })
}
