/**
 * The receiving decision, in one place: given a verified delivery, claim it in the `DeliveryLog`, run the handler,
 * record the outcome. Every receiver form (`WebhookReceiver.make`, `makeHandler`) and the catch-up from HeyGen's
 * event log (`WebhookReceiver.catchUp`) go through it, so all of them de-duplicate alike: a handler that succeeded
 * for an event never runs again for it while the log remembers it, and two deliveries of one event never run it at
 * the same time.
 *
 * The keys an event is claimed under: its id (`delivery.eventId`), and, when that id is not one HeyGen gave the
 * event on the wire, keys made of its content (`C`, `WebhookDelivery.contentKey`: its type and data), because those
 * are the two sources that can name one event differently: a delivery that carried no id at all (de-duplicated on
 * its body's digest) and an event read back from HeyGen's event log (the catch-up). Each side records what it
 * handled under a content key of its own, and checks the other side's:
 * - a delivery without id claims its digest, `lock:C` and `caught:C`, and records its digest and `C`: it is a
 *   duplicate of an event a catch-up handled (`caught:C` done);
 * - a catch-up claims the log's id, `lock:C` and `C`, and records the log's id and `caught:C`: it skips an event a
 *   delivery without id handled (`C` done);
 * - both hold `lock:C` while they run (never recorded), so one waits for the other rather than both running.
 * Two deliveries without id of equal content, or two log events of equal content, are still two events: neither
 * side checks its own content key. A delivery with an id (header or body) claims and records that id only: the
 * catch-up finds it by the log's id, which integrations find equal to the delivery's.
 * Keys are claimed one after the other in that order; a key already done makes the event a duplicate, a key held
 * makes it in flight, and what was claimed is released.
 *
 * Each caller says what each outcome means to it (`Answers`): the receivers answer with HTTP replies built once,
 * the catch-up counts. A log with synchronous operations (the in-memory one) is claimed at once, so a duplicate or
 * an event in flight is decided without running an effect; a log with `transact` (the SQL log in transactional
 * mode) runs the handler inside its transaction.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import type * as DeliveryLog from "../DeliveryLog.js"
import * as WebhookDelivery from "../WebhookDelivery.js"
import { scrubConnection } from "./scrub.js"

/** What each outcome of the decision is, to its caller. */
export interface Answers<A> {
  /** The handler ran and succeeded; the event is recorded done. */
  readonly handled: A
  /** The event was done already (under any of its keys): the handler did not run. */
  readonly duplicate: A
  /** Another delivery of the event holds its claim: the handler did not run. */
  readonly inFlight: A
  /** The handler failed or died: nothing is recorded, the claim is released. */
  readonly failed: (cause: Cause.Cause<unknown>) => A
  /** The log could not be read or written: the handler's outcome is unknown or it did not run. */
  readonly logUnavailable: (error: DeliveryLog.DeliveryLogError) => A
}

/**
 * How the handler's run is fenced off from interruption, so that its outcome is always recorded: a client that
 * hangs up never stops a handler (HeyGen gives up on a delivery after 10 s, and a slow handler cut off each time
 * would never finish; left to finish, its success is recorded and the redelivery is answered 200), while the
 * handler's own timeouts and races can interrupt what it starts.
 */
export type Guard = <A, E, R>(
  f: (restore: <AX, EX, RX>(effect: Effect.Effect<AX, EX, RX>) => Effect.Effect<AX, EX, RX>) => Effect.Effect<A, E, R>
) => Effect.Effect<A, E, R>

/**
 * For a caller whose fiber may be interrupted, or runs uninterruptibly (an `HttpApp`: on a router a hang-up
 * interrupts it; served alone it is uninterruptible, and a fiber the handler forks would inherit that, so its
 * `Effect.timeout` could never fire): the handler runs in a fiber of its own, interruptible, and the caller waits
 * for it without being interruptible itself.
 */
export const detached: Guard = (f) =>
  Effect.uninterruptible(f((effect) => Effect.flatMap(Effect.forkDaemon(Effect.interruptible(effect)), Fiber.join)))

/**
 * For a caller whose fiber is its own, interruptible, and never interrupted from outside (`makeHandler`, the
 * catch-up): nothing to fence (on the loopback bench the two runtime-flag switches of `uninterruptibleMask` were a
 * third of the listener's overhead).
 */
export const unmasked: Guard = (f) => f(identity)

/** The keys besides `eventId` that an event is claimed under, and those it is recorded under when handled. */
export interface Keys {
  readonly claim: ReadonlyArray<string>
  readonly record: ReadonlyArray<string>
}

const none: Keys = { claim: [], record: [] }

/** The other keys of a delivery (see the module's comment). */
export const otherKeys = (delivery: WebhookDelivery.WebhookDelivery): Keys => {
  switch (delivery.eventIdSource) {
    case "header":
    case "body":
      return none
    case "digest": {
      const content = WebhookDelivery.contentKey(delivery.eventType, delivery.body["event_data"])
      return { claim: [`lock:${content}`, `caught:${content}`], record: [content] }
    }
    case "log": {
      const content = WebhookDelivery.contentKey(delivery.eventType, delivery.body["event_data"])
      return { claim: [`lock:${content}`, content], record: [`caught:${content}`] }
    }
  }
}

// Database drivers can quote a connection string; a signing secret has no business in a log line either.
const describe = (error: DeliveryLog.DeliveryLogError) =>
  scrubConnection(
    error.cause === undefined ? error.message : `${error.message}: ${Cause.pretty(Cause.die(error.cause))}`
  )

/**
 * The decision for one handler: `decide(log, delivery, clock)` is the answer at once (a log with synchronous
 * operations, and a duplicate or an event in flight), or the effect that finds it. That effect never fails.
 */
export const make = <E, R, A>(
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  answers: Answers<A>,
  guard: Guard
) => {
  const logFailed = (delivery: WebhookDelivery.WebhookDelivery) => (error: DeliveryLog.DeliveryLogError) =>
    Effect.as(
      Effect.logError(`webhook delivery log failed to ${error.operation}`, describe(error)).pipe(
        Effect.annotateLogs({ eventId: delivery.eventId, eventType: delivery.eventType })
      ),
      answers.logUnavailable(error)
    )

  const handlerFailed = (delivery: WebhookDelivery.WebhookDelivery, cause: Cause.Cause<unknown>) =>
    Effect.logError("webhook handler failed", Cause.pretty(cause)).pipe(
      Effect.annotateLogs({ eventId: delivery.eventId, eventType: delivery.eventType })
    )

  // Runs the handler and records its outcome. The handler is interruptible; recording its outcome is not (see
  // `Guard`): a success must be recorded even if the client hung up meanwhile, or the redelivery would run it
  // again. Plain combinators rather than generators: this runs once per delivery, and each step costs.
  const settle = <X>(
    delivery: WebhookDelivery.WebhookDelivery,
    complete: () => Effect.Effect<A, X>,
    release: () => Effect.Effect<void, X>
  ): Effect.Effect<A, X, R> =>
    guard((restore) =>
      Effect.matchCauseEffect(restore(handler(delivery)), {
        onSuccess: complete,
        onFailure: (cause) =>
          Effect.zipRight(handlerFailed(delivery, cause), Effect.as(release(), answers.failed(cause)))
      })
    )

  // Through the log's effects, for a log that does I/O (`DeliveryLogSql`).
  const throughEffects = (
    log: DeliveryLog.Service,
    delivery: WebhookDelivery.WebhookDelivery,
    keys: Keys
  ): Effect.Effect<A, never, R> =>
    Effect.flatMap(log.claim(delivery.eventId), (claim): Effect.Effect<A, DeliveryLog.DeliveryLogError, R> => {
      if (claim._tag === "Done") return Effect.succeed(answers.duplicate)
      if (claim._tag === "InFlight") return Effect.succeed(answers.inFlight)
      const token = claim.token
      if (keys.claim.length === 0) {
        return settle(
          delivery,
          () => Effect.as(log.complete(delivery.eventId, token, keys.record), answers.handled),
          () => log.release(delivery.eventId, token)
        )
      }
      // The other keys, one after the other; `held` are those claimed so far.
      const releaseAll = (held: ReadonlyArray<readonly [string, string]>) =>
        Effect.forEach([...held].reverse(), ([key, t]) => log.release(key, t), { discard: true })
      const claimRest = (
        i: number,
        held: ReadonlyArray<readonly [string, string]>
      ): Effect.Effect<A, DeliveryLog.DeliveryLogError, R> => {
        if (i === keys.claim.length) {
          const extra = held.slice(1).filter(([key]) => !keys.record.includes(key))
          return settle(
            delivery,
            () =>
              Effect.as(
                Effect.zipRight(log.complete(delivery.eventId, token, keys.record), releaseAll(extra)),
                answers.handled
              ),
            () => releaseAll(held)
          )
        }
        const key = keys.claim[i]!
        return Effect.flatMap(log.claim(key), (next) => {
          if (next._tag === "Claimed") return claimRest(i + 1, [...held, [key, next.token]])
          if (next._tag === "Done") {
            return Effect.as(
              Effect.zipRight(log.complete(delivery.eventId, token), releaseAll(held.slice(1))),
              answers.duplicate
            )
          }
          return Effect.as(releaseAll(held), answers.inFlight)
        })
      }
      return claimRest(0, [[delivery.eventId, token]])
    }).pipe(Effect.catchTag("DeliveryLogError", logFailed(delivery)))

  // Inside the log's own transaction: the handler's writes and the record commit together or not at all.
  const transacted = (
    transact: NonNullable<DeliveryLog.Service["transact"]>,
    delivery: WebhookDelivery.WebhookDelivery,
    keys: Keys
  ): Effect.Effect<A, never, R> =>
    guard((restore) =>
      Effect.flatMap(
        transact([delivery.eventId, ...keys.claim], restore(handler(delivery)), keys.record),
        (outcome): Effect.Effect<A> => {
          if (outcome._tag === "Done") return Effect.succeed(answers.duplicate)
          if (outcome._tag === "InFlight") return Effect.succeed(answers.inFlight)
          if (Exit.isSuccess(outcome.exit)) return Effect.succeed(answers.handled)
          const cause = outcome.exit.cause
          return Effect.as(handlerFailed(delivery, cause), answers.failed(cause))
        }
      )
    ).pipe(Effect.catchTag("DeliveryLogError", logFailed(delivery)))

  // Through the log's synchronous operations, claimed before anything runs.
  const synchronously = (
    unsafe: DeliveryLog.UnsafeOperations,
    delivery: WebhookDelivery.WebhookDelivery,
    keys: Keys,
    clock: Clock.Clock,
    now: number
  ): A | Effect.Effect<A, never, R> => {
    const claim = unsafe.claim(delivery.eventId, now)
    if (claim._tag === "Done") return answers.duplicate
    if (claim._tag === "InFlight") return answers.inFlight
    const held: Array<readonly [string, string]> = [[delivery.eventId, claim.token]]
    const releaseAll = (from: number) => {
      for (let i = held.length - 1; i >= from; i--) unsafe.release(held[i]![0], held[i]![1])
    }
    for (const key of keys.claim) {
      const next = unsafe.claim(key, now)
      if (next._tag === "Claimed") {
        held.push([key, next.token])
        continue
      }
      if (next._tag === "Done") {
        unsafe.complete(delivery.eventId, now)
        releaseAll(1)
        return answers.duplicate
      }
      releaseAll(0)
      return answers.inFlight
    }
    return settle(
      delivery,
      () => {
        unsafe.complete(delivery.eventId, clock.unsafeCurrentTimeMillis(), keys.record)
        for (let i = 1; i < held.length; i++) {
          if (!keys.record.includes(held[i]![0])) unsafe.release(held[i]![0], held[i]![1])
        }
        return Effect.succeed(answers.handled)
      },
      () => Effect.sync(() => releaseAll(0))
    )
  }

  return (
    log: DeliveryLog.Service,
    delivery: WebhookDelivery.WebhookDelivery,
    clock: Clock.Clock
  ): A | Effect.Effect<A, never, R> => {
    const keys = otherKeys(delivery)
    if (log.transact !== undefined) return transacted(log.transact, delivery, keys)
    if (log.unsafe !== undefined) {
      return synchronously(log.unsafe, delivery, keys, clock, clock.unsafeCurrentTimeMillis())
    }
    return throughEffects(log, delivery, keys)
  }
}
