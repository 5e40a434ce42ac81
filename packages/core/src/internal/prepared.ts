/**
 * A statement run as a named prepared statement of PostgreSQL, for the SQL delivery log's batch statement
 * (`DeliveryLogSql`), which every batch of every receiver sends with the same text.
 *
 * `@effect/sql-pg` sends every statement unnamed, so PostgreSQL parses, analyses and plans it each time; for the log's
 * claim-and-complete upsert of 18 keys that is a third of PostgreSQL's time per statement (380-435 µs unnamed against
 * 230-280 µs named, measured with `pg` alone on the bench's host), and in the bench's one-instance row PostgreSQL's CPU
 * per delivery went from 65-85 to 40-55 µs. The statement has no join and no scan (each key is found through the
 * primary key, the upsert's arbiter), so PostgreSQL's generic plan for it cannot go stale as the table grows. (The
 * log's earlier statement, a CTE joining the table back, did: its generic plan, made while the table was nearly empty,
 * kept a sequential scan, and named it measured worse than unnamed.) `@effect/sql` has no way to name a statement, but
 * the connection `SqlClient.reserve` gives on `@effect/sql-pg` carries its `pg` client (`pg`), whose `query({ name })`
 * parses a statement once per connection and then only binds and executes it. Where the reserved connection has no such
 * client (another driver, or a future `@effect/sql-pg` that hides it) the statement runs as before, unnamed, through
 * the connection's `execute`.
 */
import type * as SqlConnection from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createHash } from "node:crypto"

/** The part of `pg`'s `Client` used here. */
interface PgDriver {
  readonly query: (
    config: { readonly name: string; readonly text: string; readonly values: ReadonlyArray<unknown> },
    callback: (error: Error | null, result: { readonly rows: ReadonlyArray<unknown> } | undefined) => void
  ) => unknown
}

/** The `pg` client under a reserved `@effect/sql-pg` connection, if it is one. */
export const driverOf = (connection: SqlConnection.Connection): PgDriver | undefined => {
  const client: unknown = (connection as { readonly pg?: unknown }).pg
  return typeof client === "object" && client !== null &&
      typeof (client as { readonly query?: unknown }).query === "function" &&
      // A pg Client, not some other object with a query method: it keeps the statements it parsed on its connection.
      typeof (client as { readonly connection?: { readonly parsedStatements?: unknown } }).connection
          ?.parsedStatements === "object"
    ? client as PgDriver
    : undefined
}

/** The name of a statement: one per text (pg refuses one name for two texts on a connection). */
export const nameOf = (text: string): string =>
  `effect_heygen_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`

/**
 * Runs `text` with `params` on a connection reserved for it, as a named prepared statement when the connection is
 * `@effect/sql-pg`'s (`prepared: true`), else unnamed. Answers the rows. It leaves out what `@effect/sql` adds to a
 * statement (its `sql.execute` span, a statement transformer, cancelling the query when the fiber is interrupted):
 * the log runs it in its batches' daemon fibers, which nothing interrupts before the runtime ends.
 */
export const run = <A>(
  reserve: Effect.Effect<SqlConnection.Connection, SqlError, Scope.Scope>,
  text: string,
  name: string,
  params: ReadonlyArray<unknown>,
  prepared: boolean
): Effect.Effect<ReadonlyArray<A>, SqlError> =>
  Effect.scoped(Effect.flatMap(reserve, (connection) => {
    const driver = prepared ? driverOf(connection) : undefined
    if (driver === undefined) {
      return connection.execute(text, params, undefined) as Effect.Effect<ReadonlyArray<A>, SqlError>
    }
    return Effect.async<ReadonlyArray<A>, SqlError>((resume) => {
      driver.query({ name, text, values: params }, (error, result) => {
        resume(
          error === null || error === undefined
            ? Effect.succeed((result?.rows ?? []) as ReadonlyArray<A>)
            : Effect.fail(new SqlError({ cause: error, message: "Failed to execute statement" }))
        )
      })
    })
  }))
