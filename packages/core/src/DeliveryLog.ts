/**
 * Which events a receiver has handled, so a redelivered event runs its handler at most once after a success.
 *
 * A receiver `claim`s an event id before running the handler: the first claim wins and holds it in flight
 * (for `claimTimeout`, in case the process dies); a concurrent duplicate sees `InFlight`; after the handler
 * succeeds the receiver `complete`s the id, which is then `Done` for `retention`; after a failure it `release`s
 * the claim so the next redelivery runs the handler again.
 *
 * `layerMemory` keeps the log in this process (bounded, entries expire). For several processes, or to survive a
 * restart, use the SQL log in `@effect-heygen/core/DeliveryLogSql`.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * // Runs `work` at most once per event id; a failed run is released so a redelivery may try again.
 * const once = (eventId: string, work: Effect.Effect<void>) =>
 *   Effect.gen(function*() {
 *     const log = yield* DeliveryLog.DeliveryLog
 *     const claim = yield* log.claim(eventId)
 *     if (claim._tag !== "Claimed") return
 *     yield* work.pipe(Effect.onExit((exit) =>
 *       (exit._tag === "Success" ? log.complete(eventId, claim.token) : log.release(eventId, claim.token)).pipe(
 *         Effect.orDie
 *       )
 *     ))
 *   }).pipe(
 *     Effect.catchTag("DeliveryLogError", (e) => Effect.logError(e.message)),
 *     Effect.provide(DeliveryLog.layerMemory())
 *   )
 * ```
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { randomUUID } from "node:crypto"
import { withNow } from "./internal/now.js"

/**
 * The outcome of a claim: `Claimed` (run the handler, then complete or release with `token`), `Done` (a
 * handler already succeeded for this id), or `InFlight` (another delivery of it is being handled now).
 *
 * @since 0.2.0
 * @category models
 */
export type Claim =
  | { readonly _tag: "Claimed"; readonly token: string }
  | { readonly _tag: "Done" }
  | { readonly _tag: "InFlight" }

/**
 * The log's storage failed.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 *
 * const error = new DeliveryLog.DeliveryLogError({ operation: "claim", message: "database unavailable" })
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class DeliveryLogError extends Schema.TaggedError<DeliveryLogError>()("DeliveryLogError", {
  operation: Schema.Literal("claim", "complete", "release", "transact"),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * The operations of a delivery log.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** Takes the event id for handling, unless it is done or held by a live claim. Atomic: of concurrent claims one wins. */
  readonly claim: (eventId: string) => Effect.Effect<Claim, DeliveryLogError>
  /**
   * The handler succeeded: the id, and every key in `also` (other names the receiver knows the same event by), is
   * `Done` for the retention period, whatever became of the claim.
   */
  readonly complete: (
    eventId: string,
    token: string,
    also?: ReadonlyArray<string> | undefined
  ) => Effect.Effect<void, DeliveryLogError>
  /** The handler failed: drops this claim (only this one) so the next delivery runs the handler again. */
  readonly release: (eventId: string, token: string) => Effect.Effect<void, DeliveryLogError>
  /**
   * The same operations run synchronously, at a time the caller reads from its `Clock`, for a log that needs no
   * I/O (the in-memory one has them; a log over a database leaves them out). A receiver uses them when present,
   * so that a delivery's bookkeeping costs no steps of a fiber, and a duplicate none at all.
   */
  readonly unsafe?: UnsafeOperations | undefined
  /**
   * Exactly-once handling, for a log kept in the database the handler writes to (`DeliveryLogSql` with
   * `transactional: true`): runs `run` inside one transaction that first takes `keys` (none may be done or held
   * by anyone else) and, if `run` succeeds, records every key `Done` before committing. Whatever happens to the
   * process, the handler's writes and the record commit together or not at all. A receiver uses it instead of
   * `claim` / `complete` / `release` when present.
   */
  readonly transact?: <A, E, R>(
    keys: readonly [string, ...Array<string>],
    run: Effect.Effect<A, E, R>
  ) => Effect.Effect<Transacted<A, E>, DeliveryLogError, R>
}

/**
 * The outcome of `Service.transact`: a key was already `Done` (every key is then recorded `Done`), a key is held
 * by a concurrent delivery (`InFlight`), or `run` ran, with its exit (a failure rolled everything back).
 *
 * @since 0.4.0
 * @category models
 */
export type Transacted<A, E> =
  | { readonly _tag: "Done" }
  | { readonly _tag: "InFlight" }
  | { readonly _tag: "Ran"; readonly exit: Exit.Exit<A, E> }

/**
 * `claim`, `complete` and `release` of a log that needs no I/O, as plain functions. They must not throw.
 *
 * @since 0.3.0
 * @category models
 */
export interface UnsafeOperations {
  readonly claim: (eventId: string, nowMillis: number) => Claim
  readonly complete: (eventId: string, nowMillis: number, also?: ReadonlyArray<string> | undefined) => void
  readonly release: (eventId: string, token: string) => void
}

/**
 * The delivery log service.
 *
 * @since 0.2.0
 * @category tags
 */
export class DeliveryLog extends Context.Tag("@effect-heygen/core/DeliveryLog")<DeliveryLog, Service>() {}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** How long a succeeded event id is remembered. Default 48 hours (HeyGen redelivers for up to 24 h). */
  readonly retention?: Duration.DurationInput | undefined
  /**
   * How long a claim holds when its holder neither completes nor releases it (the process died). Must exceed
   * your handler's running time. Default 5 minutes.
   */
  readonly claimTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface MemoryOptions extends Options {
  /** At most this many ids are kept; when full the oldest entry is forgotten first. Default 10,000. */
  readonly capacity?: number | undefined
}

/**
 * The default retention of a succeeded id.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultRetention: Duration.Duration = Duration.hours(48)

/**
 * The default lifetime of an unfinished claim.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultClaimTimeout: Duration.Duration = Duration.minutes(5)

/**
 * A fresh claim token: unique across processes, since the SQL log shares claims between them.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeToken = (): string => randomUUID()

type Entry =
  | { readonly state: "claimed"; readonly token: string; readonly expiresAt: number }
  | { readonly state: "done"; readonly expiresAt: number }

const done: Claim = { _tag: "Done" }
const inFlight: Claim = { _tag: "InFlight" }

/**
 * An in-memory log for one process. Every operation is one synchronous step, so claims are atomic. Time is the
 * Effect `Clock`. The bound is a trade: size it to cover your event rate over the redelivery window (24 h), or
 * an id forgotten early may be handled again.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const log = yield* DeliveryLog.makeMemory({ capacity: 100_000 })
 *   return yield* log.claim("evt_1")
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<Service> =>
  Effect.sync(() => {
    const capacity = Math.max(1, options?.capacity ?? 10_000)
    const retention = Duration.toMillis(options?.retention ?? defaultRetention)
    const claimTimeout = Duration.toMillis(options?.claimTimeout ?? defaultClaimTimeout)
    // A Map iterates in insertion order; `complete` re-inserts, so the first key is the oldest entry.
    const entries = new Map<string, Entry>()
    // The oldest key comes from one long-lived iterator, not a fresh `keys()` each time: a Map keeps deleted
    // entries as holes until it is rehashed, and a fresh iterator walks every hole left by earlier evictions
    // (about 6 µs per insert at 10,000 entries, against under 1 µs). Every key the iterator passes has been
    // deleted and new keys are appended after it, so what it yields next is still the oldest live key.
    let oldestKeys = entries.keys()
    const oldest = () => {
      let next = oldestKeys.next()
      if (next.done === true) {
        oldestKeys = entries.keys()
        next = oldestKeys.next()
      }
      return next
    }
    const insert = (eventId: string, entry: Entry) => {
      entries.delete(eventId)
      while (entries.size >= capacity) {
        const first = oldest()
        if (first.done === true) break
        entries.delete(first.value)
      }
      entries.set(eventId, entry)
    }
    // Tokens only need to be unique within this log, which lives in one process: a counter, not a UUID.
    let issued = 0
    const unsafe: UnsafeOperations = {
      claim: (eventId, now) => {
        const entry = entries.get(eventId)
        if (entry !== undefined && entry.expiresAt > now) return entry.state === "done" ? done : inFlight
        const token = `m${++issued}`
        insert(eventId, { state: "claimed", token, expiresAt: now + claimTimeout })
        return { _tag: "Claimed", token }
      },
      complete: (eventId, now, also) => {
        insert(eventId, { state: "done", expiresAt: now + retention })
        if (also !== undefined) { for (const key of also) insert(key, { state: "done", expiresAt: now + retention }) }
      },
      release: (eventId, token) => {
        const entry = entries.get(eventId)
        if (entry !== undefined && entry.state === "claimed" && entry.token === token) entries.delete(eventId)
      }
    }
    return {
      claim: (eventId) => withNow((now) => Effect.succeed(unsafe.claim(eventId, now))),
      complete: (eventId, _token, also) =>
        withNow((now) => {
          unsafe.complete(eventId, now, also)
          return Effect.void
        }),
      release: (eventId, token) => Effect.sync(() => unsafe.release(eventId, token)),
      unsafe
    }
  })

/**
 * The in-memory log as a layer: one log per layer build.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 *
 * const DeliveryLogLive = DeliveryLog.layerMemory({ retention: "48 hours", capacity: 50_000 })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerMemory = (options?: MemoryOptions): Layer.Layer<DeliveryLog> =>
  Layer.effect(DeliveryLog, makeMemory(options))
