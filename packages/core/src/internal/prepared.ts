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
 * Whether a log still names its statement: `false` from the start when the user turned it off, or once a server
 * showed that it does not keep prepared statements for the connection (see `run`).
 */
export interface Use {
  named: boolean
}

/**
 * The errors that say the server behind a connection is not the one that parsed the statement: a pooler in
 * transaction mode (PgBouncer without prepared-statement support) hands each transaction to any server, so the name
 * is missing there (`26000`, invalid_sql_statement_name, at Bind) or already taken by another client's Parse of it
 * (`42P05`, duplicate_prepared_statement). Both are raised before the statement runs, so running it again, unnamed,
 * cannot apply it twice.
 */
const notKept = (error: Error): boolean => {
  const code = (error as { readonly code?: unknown }).code
  return code === "26000" || code === "42P05"
}

/**
 * Runs `text` with `params` on a connection reserved for it, as a named prepared statement when the connection is
 * `@effect/sql-pg`'s and `use.named`, else unnamed. Answers the rows. A server that does not keep the name (a
 * pooler, see `notKept`) turns naming off for good (`use.named = false`, one warning logged) and the statement runs
 * again unnamed, so a default that suits a direct connection never breaks one through PgBouncer. It leaves out what
 * `@effect/sql` adds to a statement (its `sql.execute` span, a statement transformer, cancelling the query when the
 * fiber is interrupted): the log runs it in its batches' daemon fibers, which nothing interrupts before the runtime
 * ends.
 */
export const run = <A>(
  reserve: Effect.Effect<SqlConnection.Connection, SqlError, Scope.Scope>,
  text: string,
  name: string,
  params: ReadonlyArray<unknown>,
  use: Use
): Effect.Effect<ReadonlyArray<A>, SqlError> =>
  Effect.scoped(Effect.flatMap(reserve, (connection) => {
    const unnamed = Effect.suspend(() =>
      connection.execute(text, params, undefined) as Effect.Effect<ReadonlyArray<A>, SqlError>
    )
    const driver = use.named ? driverOf(connection) : undefined
    if (driver === undefined) return unnamed
    // Naming off for good; the first statement to find out says so once.
    const fallBack = Effect.suspend(() => {
      const first = use.named
      use.named = false
      return first
        ? Effect.zipRight(
          Effect.logWarning(
            "DeliveryLogSql: the server does not keep prepared statements for this connection (a pooler in " +
              "transaction mode?); its statements run unnamed from now on (preparedStatements: false says so upfront)"
          ),
          unnamed
        )
        : unnamed
    })
    return Effect.async<ReadonlyArray<A>, SqlError>((resume) => {
      driver.query({ name, text, values: params }, (error, result) => {
        resume(
          error === null || error === undefined
            ? Effect.succeed((result?.rows ?? []) as ReadonlyArray<A>)
            : notKept(error)
            ? fallBack
            : Effect.fail(new SqlError({ cause: error, message: "Failed to execute statement" }))
        )
      })
    })
  }))
