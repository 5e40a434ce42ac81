/**
 * Cursor pagination as HeyGen's list routes do it: `limit` (1-100) and an opaque `token` in, and
 * `{ data, has_more, next_token }` out.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * How many items one page may hold: an integer from 1 to 100 (the server's default is 10).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Limit = Schema.Int.pipe(Schema.between(1, 100)).annotations({
  identifier: "Limit",
  description: "Maximum number of items to return (1-100). Default: 10."
})

/**
 * An opaque cursor from a previous page's `next_token`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Token = Schema.NonEmptyString.annotations({
  identifier: "Token",
  description: "Opaque pagination cursor from a previous response's next_token."
})

/**
 * The query of a plain list route.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PageParams = Schema.Struct({
  limit: Schema.optional(Limit),
  token: Schema.optional(Token)
}).annotations({ identifier: "PageParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.2.0
 * @category models
 */
export interface PageParams extends Schema.Schema.Type<typeof PageParams> {}

/**
 * The 200 body of a list route, for items of `item`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const response = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    data: Schema.Array(item),
    has_more: Schema.optionalWith(Schema.Boolean, { default: () => false }),
    next_token: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
  })

/**
 * One page of a list: its items, whether there are more, and the cursor to the next page.
 *
 * @since 0.2.0
 * @category models
 */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly hasMore: boolean
  /** Pass it as `token` to get the next page; `null` on the last page. */
  readonly nextToken: string | null
  /** The `x-request-id` response header. */
  readonly requestId: string | null
  /** How many attempts the page took (1 when the first succeeded). */
  readonly attempts: number
}
