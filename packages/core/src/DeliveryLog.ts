/**
 * Which events a receiver has handled, so that a redelivered event runs its handler at most once after a success.
 *
 * A log has one operation, `once(eventId, effect)`: it runs `effect` unless the event is done (`Duplicate`) or
 * another run of it holds the event (`InFlight`), and records the outcome: a success makes the event done for
 * `retention`, a failure frees it for the next delivery. A run whose process dies holds the event until
 * `claimTimeout`. Each log keeps that guarantee in its own way: `layerMemory` in one synchronous step over a map
 * (one process), `DeliveryLogSql` in a database shared by several processes.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const log = yield* DeliveryLog.DeliveryLog
 *   const outcome = yield* log.once("evt_1", Effect.log("handling evt_1"))
 *   return outcome._tag // "Handled", then "Duplicate" for every later call
 * }).pipe(Effect.provide(DeliveryLog.layerMemory()))
 * ```
 *
 * @since 0.2.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { withClock } from "./internal/now.js"

/**
 * What `once` did: ran the effect and it succeeded (`Handled`, recorded done) or failed (`Failed`, the event freed
 * for a redelivery), or did not run it: the event is done already (`Duplicate`) or held by another run
 * (`InFlight`).
 *
 * @since 0.5.0
 * @category models
 */
export type Outcome<E> =
  | { readonly _tag: "Handled" }
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "InFlight" }
  | { readonly _tag: "Failed"; readonly cause: Cause.Cause<E> }

/**
 * @since 0.5.0
 * @category constructors
 */
export const Handled: Outcome<never> = { _tag: "Handled" }
/**
 * @since 0.5.0
 * @category constructors
 */
export const Duplicate: Outcome<never> = { _tag: "Duplicate" }
/**
 * @since 0.5.0
 * @category constructors
 */
export const InFlight: Outcome<never> = { _tag: "InFlight" }

/**
 * The log's storage failed: the effect did not run, or its outcome could not be recorded.
 *
 * @since 0.2.0
 * @category errors
 */
export class DeliveryLogError extends Schema.TaggedError<DeliveryLogError>()("DeliveryLogError", {
  operation: Schema.Literal("claim", "complete", "release", "transact", "prune"),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A delivery log: `once` runs `effect` for `eventId` at most once after a success; of concurrent calls for one id,
 * one runs it and the others answer `InFlight`. An interrupted run counts as `Failed`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  readonly once: <E, R>(
    eventId: string,
    effect: Effect.Effect<unknown, E, R>
  ) => Effect.Effect<Outcome<E>, DeliveryLogError, R>
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
  /** How long a handled event is remembered. Default 48 hours (HeyGen redelivers for up to 24 h). */
  readonly retention?: Duration.DurationInput | undefined
  /** How long a run whose process died holds its event. Must exceed your handler's running time. */
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
 * The default retention of a handled event: 48 hours.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultRetention: Duration.Duration = Duration.hours(48)

/**
 * The memory log's default claim timeout: 5 minutes.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultClaimTimeout: Duration.Duration = Duration.minutes(5)

/**
 * The memory log's default capacity: 10,000 ids.
 *
 * @since 0.5.0
 * @category constants
 */
export const defaultCapacity = 10_000

/**
 * An in-memory log for one process: each decision is one synchronous step over a map, so it is atomic. Time is the
 * Effect `Clock`. Size `capacity` to your event rate over the redelivery window (24 h): an id forgotten early may
 * be handled again.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<Service> =>
  Effect.sync(() => {
    const capacity = Math.max(1, options?.capacity ?? defaultCapacity)
    const retention = Duration.toMillis(options?.retention ?? defaultRetention)
    const claimTimeout = Duration.toMillis(options?.claimTimeout ?? defaultClaimTimeout)
    // Insertion order is age order (a write re-inserts). Token 0 marks a done entry.
    const entries = new Map<string, { readonly token: number; readonly expiresAt: number }>()
    // One long-lived iterator finds the oldest key: a fresh `keys()` would walk every hole earlier deletions left.
    let oldestKeys = entries.keys()
    const insert = (eventId: string, entry: { readonly token: number; readonly expiresAt: number }) => {
      entries.delete(eventId)
      while (entries.size >= capacity) {
        let first = oldestKeys.next()
        if (first.done === true) first = (oldestKeys = entries.keys()).next()
        if (first.done === true) break
        entries.delete(first.value)
      }
      entries.set(eventId, entry)
    }
    let issued = 0
    const once = <E, R>(eventId: string, effect: Effect.Effect<unknown, E, R>) =>
      withClock((clock): Effect.Effect<Outcome<E>, never, R> => {
        const now = clock.unsafeCurrentTimeMillis()
        const entry = entries.get(eventId)
        if (entry !== undefined && entry.expiresAt > now) {
          return Effect.succeed(entry.token === 0 ? Duplicate : InFlight)
        }
        const token = ++issued
        insert(eventId, { token, expiresAt: now + claimTimeout })
        return Effect.matchCause(effect, {
          onSuccess: (): Outcome<E> => {
            insert(eventId, { token: 0, expiresAt: clock.unsafeCurrentTimeMillis() + retention })
            return Handled
          },
          onFailure: (cause): Outcome<E> => {
            if (entries.get(eventId)?.token === token) entries.delete(eventId)
            return { _tag: "Failed", cause }
          }
        })
      })
    return { once }
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
