/**
 * The `Idempotency-Key` sent with every mutation, so that a retry replays instead of acting twice.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The spec's pattern: 1 to 255 characters from `[A-Za-z0-9_:.-]`.
 *
 * @since 0.1.0
 * @category constants
 */
export const pattern = /^[A-Za-z0-9_\-:.]{1,255}$/

/**
 * A validated idempotency key.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdempotencyKey = Schema.String.pipe(
  Schema.pattern(pattern, {
    message: () => "must be 1 to 255 characters from A-Z a-z 0-9 _ - : ."
  }),
  Schema.brand("IdempotencyKey")
).annotations({ identifier: "IdempotencyKey" })

/**
 * @since 0.1.0
 * @category models
 */
export type IdempotencyKey = typeof IdempotencyKey.Type

/**
 * A fresh random key (a UUID, which the spec calls a safe default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate: Effect.Effect<IdempotencyKey> = Effect.sync(() => IdempotencyKey.make(crypto.randomUUID()))
