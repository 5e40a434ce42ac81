/**
 * A durable `DeliveryLog` over `@effect/sql`'s `SqlClient`: whatever driver your service already runs
 * (PostgreSQL, SQLite, MySQL). A receiver restarted between a delivery and its redelivery, or several receivers
 * behind a load balancer, share one log, so a handler that succeeded never runs again for that event.
 *
 * Tested on PostgreSQL 15 (`@effect/sql-pg`) and SQLite (`@effect/sql-sqlite-node`), each with several
 * connections and several processes claiming at once. The MySQL statements are written but not run by the tests.
 *
 * On PostgreSQL, `transactional: true` adds `transact`: the handler runs inside the transaction that records the
 * event as done, so a handler whose effects live in the same database has them exactly once.
 *
 * This module is a separate entry point (`@effect-heygen/core/DeliveryLogSql`) and `@effect/sql` an optional
 * peer dependency, so the rest of core does not pull it in.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { PgClient } from "@effect/sql-pg"
 * import { Config, Layer } from "effect"
 *
 * // Every receiver of the fleet points at the same database.
 * const DeliveryLogLive = DeliveryLogSql.layer().pipe(
 *   Layer.provide(PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") }))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as DeliveryLog from "./DeliveryLog.js"
import * as Batch from "./internal/batch.js"
import { withNow } from "./internal/now.js"
import * as Prepared from "./internal/prepared.js"
import { scrubConnection } from "./internal/scrub.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends DeliveryLog.Options {
  /** The table's name, optionally schema-qualified (`webhooks.deliveries`). Default `heygen_webhook_deliveries`. */
  readonly table?: string | undefined
  /**
   * Create the table (and its index) when missing, with `migration`. Default `true`; turn it off when your own
   * migrations own the schema (run `migration` among them).
   */
  readonly createTable?: boolean | undefined
  /**
   * How long a claim holds when its holder neither completes nor releases it (its process died): until then the
   * event is answered 409. Default `defaultClaimTimeout` (60 seconds), see there. Must exceed your handler's
   * running time.
   */
  readonly claimTimeout?: Duration.DurationInput | undefined
  /**
   * PostgreSQL only: the log offers `transact` (exactly-once handling inside one transaction). On another
   * database building the log fails with `TransactionalUnsupported`. Default `false`.
   */
  readonly transactional?: boolean | undefined
  /**
   * How often `layer` runs `prune` in the background (removing what the retention no longer needs), the first
   * time when the layer is built. `false` when a job of your own runs `prune`. Default 1 hour. `make` starts
   * nothing: retention is then yours to run.
   */
  readonly pruneEvery?: Duration.DurationInput | false | undefined
  /**
   * PostgreSQL: the statement that claims and completes the events of concurrent deliveries runs as a named
   * prepared statement on each connection of the pool (`@effect/sql-pg`'s), so PostgreSQL parses and plans it once
   * per connection rather than once per statement (a third of its time per statement on the bench). Default `true`.
   * Behind a pooler that does not keep prepared statements across transactions (PgBouncer in transaction mode
   * before 1.21, or with `max_prepared_statements = 0`) the first statement that meets a server without it (or
   * with it already) turns naming off, with a warning, and runs again unnamed; `false` skips the attempt.
   */
  readonly preparedStatements?: boolean | undefined
}

/**
 * A log with `transact`: what `make` and `layer` build with `transactional: true`.
 *
 * @since 0.4.0
 * @category models
 */
export interface TransactionalService extends DeliveryLog.Service {
  readonly transact: NonNullable<DeliveryLog.Service["transact"]>
}

/**
 * `transactional: true` asked of a database other than PostgreSQL. The exactly-once mode takes a
 * non-blocking lock per event for the length of a transaction (PostgreSQL's `pg_try_advisory_xact_lock`); SQLite
 * has one writer per database, so a transaction held while a handler runs would stall every other delivery.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 *
 * const error = new DeliveryLogSql.TransactionalUnsupported({ dialect: "sqlite" })
 * console.log(error.message)
 * ```
 *
 * @since 0.4.0
 * @category errors
 */
export class TransactionalUnsupported extends Schema.TaggedError<TransactionalUnsupported>()(
  "TransactionalUnsupported",
  { dialect: Schema.String }
) {
  /**
   * @since 0.4.0
   */
  override get message(): string {
    return `DeliveryLogSql: transactional: true needs PostgreSQL (advisory locks held by one transaction), ` +
      `and this SqlClient's dialect is ${this.dialect}`
  }
}

/**
 * The default table name.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTable = "heygen_webhook_deliveries"

/**
 * The SQL log's default claim timeout: 60 seconds.
 *
 * A claim outlives its holder only when the holder's process died; until it lapses, redeliveries of its events
 * are answered 409. HeyGen waits 10 s for an attempt's answer, so a handler still running after that has already
 * failed its delivery, and the receiver records or releases its outcome as soon as it ends. 60 s is six times
 * HeyGen's attempt budget (a live handler that overruns it keeps its claim) while a killed receiver's events wait
 * one minute, not five, before another receiver takes them. (In `transactional` mode there is no timeout at all:
 * a dead process's transaction rolls back and its locks go with its connection.) Clocks of a fleet must agree
 * well within this margin (NTP does).
 *
 * @since 0.4.0
 * @category constants
 */
export const defaultClaimTimeout: Duration.Duration = Duration.seconds(60)

/**
 * The default period of the layer's background `prune`.
 *
 * @since 0.4.0
 * @category constants
 */
export const defaultPruneEvery: Duration.Duration = Duration.hours(1)

type Dialect = "pg" | "mysql" | "sqlite" | "mssql" | "clickhouse"

const dialectOf = (sql: SqlClient.SqlClient): Dialect =>
  sql.onDialect({
    pg: () => "pg" as const,
    mysql: () => "mysql" as const,
    sqlite: () => "sqlite" as const,
    mssql: () => "mssql" as const,
    clickhouse: () => "clickhouse" as const
  })

/** The table's and its index's identifiers; the index is named after the table, in the table's schema. */
const names = (sql: SqlClient.SqlClient, tableName: string) => {
  const dot = tableName.lastIndexOf(".")
  const bare = tableName.slice(dot + 1)
  const schema = dot < 0 ? undefined : tableName.slice(0, dot)
  return {
    table: sql(tableName),
    bare: sql(bare),
    index: sql(`${bare}_updated_at`),
    // SQLite names an index's schema on the index, not on the table it indexes.
    sqliteIndex: sql(schema === undefined ? `${bare}_updated_at` : `${schema}.${bare}_updated_at`)
  }
}

// Advisory lock keys are 64-bit hashes of text in this namespace: one for creating the table, one per event key.
const lockSpace = (tableName: string) => `effect-heygen/DeliveryLogSql:${tableName}`

/**
 * Creates the log's table and index when missing: the migration, for a schema that your migrations own (with
 * `createTable: false`), e.g. as one step of `@effect/sql`'s `Migrator`. Safe when many instances run it at once:
 * on PostgreSQL it runs in one transaction holding `pg_advisory_xact_lock` (concurrent `CREATE TABLE IF NOT EXISTS`
 * there fails with `duplicate key value violates unique constraint "pg_type_typname_nsp_index"`), so one creates
 * and the others find the table.
 *
 * One row per event key: `state` is `claimed` (with `claim_token`) or `done`; `expires_at` (epoch milliseconds of
 * the Effect `Clock`) is when a claim lapses or a done key is forgotten; `updated_at` when the row took its state.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import * as Migrator from "@effect/sql/Migrator"
 *
 * // With DeliveryLogSql.layer({ createTable: false }) in the receivers.
 * const loader = Migrator.fromRecord({
 *   "1_heygen_webhook_deliveries": DeliveryLogSql.migration()
 * })
 * ```
 *
 * @since 0.4.0
 * @category migrations
 */
export const migration = (
  options?: { readonly table?: string | undefined }
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (client) => {
    const sql = client.withoutTransforms()
    const tableName = options?.table ?? defaultTable
    const { bare, index, sqliteIndex, table } = names(sql, tableName)
    const columns = sql.literal(`
      event_id VARCHAR(255) NOT NULL PRIMARY KEY,
      state VARCHAR(16) NOT NULL,
      claim_token VARCHAR(64) NULL,
      expires_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL`)
    return sql.onDialectOrElse({
      pg: () =>
        sql.withTransaction(Effect.all([
          sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockSpace(tableName)}::text, 0))`,
          sql`CREATE TABLE IF NOT EXISTS ${table} (${columns})`,
          sql`CREATE INDEX IF NOT EXISTS ${index} ON ${table} (updated_at)`
        ], { discard: true })),
      // MySQL has no CREATE INDEX IF NOT EXISTS: the index goes inside CREATE TABLE there.
      mysql: () =>
        sql`CREATE TABLE IF NOT EXISTS ${table} (${columns}, INDEX ${index} (updated_at))`.pipe(Effect.asVoid),
      orElse: () =>
        Effect.zipRight(
          sql`CREATE TABLE IF NOT EXISTS ${table} (${columns})`,
          sql`CREATE INDEX IF NOT EXISTS ${sqliteIndex} ON ${bare} (updated_at)`,
          { concurrent: false }
        ).pipe(Effect.asVoid)
    })
  })

/** A database failure as a `DeliveryLogError`: its reason in the message, no password or secret anywhere. */
const failure =
  (operation: DeliveryLog.DeliveryLogError["operation"]) => (error: SqlError): DeliveryLog.DeliveryLogError => {
    const inner = error.cause as { readonly message?: unknown; readonly code?: unknown } | null | undefined
    const innerMessage = typeof inner?.message === "string" && inner.message.length > 0 ? inner.message : undefined
    const code = typeof inner?.code === "string" ? inner.code : undefined
    const reason = scrubConnection(
      `${error.message}${innerMessage === undefined ? "" : `: ${innerMessage}`}${
        code === undefined ? "" : ` (${code})`
      }`
    ).slice(0, 300)
    // A fresh cause, so that nothing the driver attached to its error (its configuration, a connection string)
    // travels with ours; the SQLSTATE or driver code stays for callers that act on it.
    const cause = Object.assign(new Error(reason), { name: "SqlError", ...(code === undefined ? {} : { code }) })
    cause.stack = `SqlError: ${reason}`
    return new DeliveryLog.DeliveryLogError({
      operation,
      message: `the delivery log could not ${operation}: ${reason}`,
      cause
    })
  }

const claimed = (token: string): DeliveryLog.Claim => ({ _tag: "Claimed", token })
const done: DeliveryLog.Claim = { _tag: "Done" }
const inFlight: DeliveryLog.Claim = { _tag: "InFlight" }

/** What the log knows of a key that this claim did not take: `done` (and unexpired), or `held`. */
const stateOf = (rows: ReadonlyArray<{ readonly state: string }>): DeliveryLog.Claim =>
  rows[0]?.state === "done" ? done : inFlight

/** The end of a `transact` that is not a commit: the transaction rolls back, and this is the answer. */
class Abandon {
  constructor(
    readonly outcome: DeliveryLog.Transacted<never, never> | { readonly _tag: "Ran"; readonly exit: unknown }
  ) {}
}

/** The number of rows a statement changed, from the raw result of each driver. */
const changedRows = (raw: unknown): number => {
  const result = Array.isArray(raw) ? raw[0] : raw
  if (typeof result !== "object" || result === null) return 0
  const r = result as { readonly rowCount?: unknown; readonly changes?: unknown; readonly affectedRows?: unknown }
  const n = r.rowCount ?? r.changes ?? r.affectedRows
  return typeof n === "number" ? n : typeof n === "bigint" ? Number(n) : 0
}

/**
 * Builds the log over the ambient `SqlClient`, creating its table (`migration`) unless told not to.
 *
 * **Claim** (one round trip on PostgreSQL). One statement: `INSERT ... SELECT <each key, 'claimed', its token, now +
 * claimTimeout, now> ON CONFLICT (event_id) DO UPDATE SET <the new claim if t.expires_at <= now, else the row as it is>
 * RETURNING <the row>`. It is atomic because PostgreSQL's `ON CONFLICT DO UPDATE` either inserts or locks the
 * conflicting row and evaluates the update on its latest committed version: of concurrent claimers of a new id one
 * inserts and the others conflict; of concurrent claimers of a lapsed claim (or a forgotten done id) one updates the
 * row, and the others, having waited on its lock, see the fresh claim and take nothing. A claimer answers `Claimed`
 * when the row returned holds its token, `Done` when it is an unexpired `done` row, and `InFlight` otherwise. The
 * statement takes a set of keys: the claims of concurrent deliveries are sent together (while a claim statement is in
 * flight, every claim asked meanwhile waits for the next one, which carries them all; a claim alone goes at once), so
 * under load one round trip serves many deliveries. Its keys are sorted, so two such statements take the rows they
 * share in the same order and never deadlock. SQLite: the same upsert for one key (`RETURNING`; one writer at a time
 * makes it atomic across connections and processes), plus a read of the state when it took nothing. MySQL: delete the
 * lapsed row, `INSERT IGNORE`, read back the token.
 *
 * **Complete**: one multi-row upsert marks the id and every `also` key `done` (one round trip; on PostgreSQL the
 * completions of concurrent deliveries share it, as claims do). **Release**: one `DELETE` of this claim's row, by
 * token.
 *
 * **Transact** (`transactional: true`, PostgreSQL): see `TransactionalService`'s `transact`, documented on
 * `layer`. Retention: `prune`.
 *
 * @example
 * ```ts
 * import { DeliveryLog } from "@effect-heygen/core"
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const log = yield* DeliveryLogSql.make({ retention: "48 hours" })
 *   const claim: DeliveryLog.Claim = yield* log.claim("evt_1")
 *   return claim
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export function make(
  options: Options & { readonly transactional: true }
): Effect.Effect<TransactionalService, SqlError | TransactionalUnsupported, SqlClient.SqlClient>
export function make(
  options?: Options & { readonly transactional?: false | undefined }
): Effect.Effect<DeliveryLog.Service, SqlError, SqlClient.SqlClient>
export function make(
  options?: Options
): Effect.Effect<DeliveryLog.Service, SqlError | TransactionalUnsupported, SqlClient.SqlClient>
export function make(
  options?: Options
): Effect.Effect<DeliveryLog.Service, SqlError | TransactionalUnsupported, SqlClient.SqlClient> {
  return Effect.gen(function*() {
    // Without transforms: a client configured to camelCase result names must not rename our columns.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const dialect = dialectOf(sql)
    if (options?.transactional === true && dialect !== "pg") {
      return yield* new TransactionalUnsupported({ dialect })
    }
    const tableName = options?.table ?? defaultTable
    const { table } = names(sql, tableName)
    const retention = Duration.toMillis(options?.retention ?? DeliveryLog.defaultRetention)
    const claimTimeout = Duration.toMillis(options?.claimTimeout ?? defaultClaimTimeout)
    const keySpace = `${lockSpace(tableName)}:`

    if (options?.createTable !== false) yield* migration({ table: tableName })

    /** A claim of one key, on MySQL and SQLite (PostgreSQL: `writeAllPg`). */
    const claimIn = (eventId: string, token: string, now: number): Effect.Effect<DeliveryLog.Claim, SqlError> => {
      const expiresAt = now + claimTimeout
      switch (dialect) {
        case "mysql":
          return Effect.gen(function*() {
            yield* sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND expires_at <= ${now}`
            yield* sql`INSERT IGNORE INTO ${table} (event_id, state, claim_token, expires_at, updated_at)
                       VALUES (${eventId}, 'claimed', ${token}, ${expiresAt}, ${now})`
            const rows = yield* sql<{ readonly state: string; readonly claim_token: string | null }>`
              SELECT state, claim_token FROM ${table} WHERE event_id = ${eventId}`
            const row = rows[0]
            if (row === undefined) return inFlight
            if (row.state === "done") return done
            return row.claim_token === token ? claimed(token) : inFlight
          })
        default:
          return Effect.flatMap(
            sql`INSERT INTO ${table} AS t (event_id, state, claim_token, expires_at, updated_at)
                VALUES (${eventId}, 'claimed', ${token}, ${expiresAt}, ${now})
                ON CONFLICT (event_id) DO UPDATE
                  SET state = 'claimed', claim_token = excluded.claim_token, expires_at = excluded.expires_at,
                      updated_at = excluded.updated_at
                  WHERE t.expires_at <= excluded.updated_at
                RETURNING claim_token`,
            (won) =>
              won.length > 0
                ? Effect.succeed(claimed(token))
                : Effect.map(
                  sql<{ readonly state: string }>`
                    SELECT CASE WHEN state = 'done' AND expires_at > ${now} THEN 'done' ELSE 'held' END AS state
                    FROM ${table} WHERE event_id = ${eventId}`,
                  stateOf
                )
          )
      }
    }

    /** Marks every key done: one multi-row upsert. */
    const upsertDone = (keys: ReadonlyArray<string>, now: number) => {
      const rows = keys.map((event_id) => ({ event_id, state: "done", expires_at: now + retention, updated_at: now }))
      return dialect === "mysql"
        ? sql`INSERT INTO ${table} ${sql.insert(rows)}
              ON DUPLICATE KEY UPDATE state = 'done', claim_token = NULL, expires_at = VALUES(expires_at),
                updated_at = VALUES(updated_at)`
        : sql`INSERT INTO ${table} ${sql.insert(rows)}
              ON CONFLICT (event_id) DO UPDATE SET state = 'done', claim_token = NULL,
                expires_at = excluded.expires_at, updated_at = excluded.updated_at`
    }

    /**
     * PostgreSQL: the claims and the completions of several deliveries in one statement (a batch, see below), each
     * answered as it would be alone. One `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` writes every key: a completed
     * key becomes `done` whatever its row held; a claimed key becomes `claimed` with its token if it has no row or its
     * row lapsed (evaluated on the row's latest committed version), and its row is returned as it then is. (It replaced
     * an upsert taking only the free keys inside a CTE that joined the table again for the others: that second read saw
     * the statement's snapshot, so a key completed by another receiver while the claim waited on its lock answered
     * `InFlight`, not `Done`; and PostgreSQL spent a quarter more time on each statement.) The keys go in sorted order,
     * so statements running at once take the rows they share in the same order and cannot deadlock. Within a batch, a
     * key completed is done for the claims of it too (they answer `Done`: its holder succeeded), and a key claimed
     * twice is taken by its first claim (the later ones see it held or done, as they would one after the other).
     */
    // Whether a batch's upsert takes a conflicting row: a completion always, a claim when the row's claim lapsed.
    const took = sql.literal("(EXCLUDED.state = 'done' OR t.expires_at <= EXCLUDED.updated_at)")
    const writeAllPg = (
      operations: ReadonlyArray<Operation>,
      now: number,
      execute: (statement: Statement.Statement<BatchRow>) => Effect.Effect<ReadonlyArray<BatchRow>, SqlError>
    ): Effect.Effect<Array<DeliveryLog.Claim | undefined>, SqlError> => {
      // What each key becomes: done (null) when any operation completes it, else claimed with its first claim's token.
      const rows = new Map<string, string | null>()
      for (const operation of operations) {
        if (operation._tag === "complete") { for (const key of operation.keys) rows.set(key, null) }
      }
      for (const operation of operations) {
        if (operation._tag === "claim" && !rows.has(operation.eventId)) rows.set(operation.eventId, operation.token)
      }
      const keys = Array.from(rows.keys()).sort()
      const tokens = keys.map((key) => rows.get(key) ?? null)
      // Every row conflicting is updated, to itself when the key is not taken (`took` false), so that RETURNING
      // answers each key's latest committed row: its state for the claims that took nothing, without a second read.
      // (The price: a claim that takes nothing writes a new version of the row, as a completion does.)
      return Effect.map(
        execute(sql<BatchRow>`INSERT INTO ${table} AS t (event_id, state, claim_token, expires_at, updated_at)
          SELECT event_id, CASE WHEN claim_token IS NULL THEN 'done' ELSE 'claimed' END, claim_token,
            CASE WHEN claim_token IS NULL THEN ${now + retention}::bigint ELSE ${now + claimTimeout}::bigint END,
            ${now}::bigint
          FROM unnest(${keys}::text[], ${tokens}::text[]) WITH ORDINALITY AS i(event_id, claim_token, n) ORDER BY n
          ON CONFLICT (event_id) DO UPDATE SET
            state = CASE WHEN ${took} THEN EXCLUDED.state ELSE t.state END,
            claim_token = CASE WHEN ${took} THEN EXCLUDED.claim_token ELSE t.claim_token END,
            expires_at = CASE WHEN ${took} THEN EXCLUDED.expires_at ELSE t.expires_at END,
            updated_at = CASE WHEN ${took} THEN EXCLUDED.updated_at ELSE t.updated_at END
          RETURNING t.event_id, t.state, t.claim_token, t.state = 'done' AND t.expires_at > ${now}::bigint AS live`),
        (result) => {
          const byKey = new Map(result.map((row) => [row.event_id, row]))
          return operations.map((operation) => {
            if (operation._tag === "complete") return undefined
            const token = rows.get(operation.eventId)
            if (token === null) return done
            const row = byKey.get(operation.eventId)
            if (row?.state === "claimed" && row.claim_token === operation.token) return claimed(operation.token)
            return row?.live === true ? done : inFlight
          })
        }
      )
    }

    // PostgreSQL: the claims and completions of concurrent deliveries share statements (`internal/batch.ts`). An
    // operation asked while a statement is in flight goes with every other one asked meanwhile, in the next
    // statement; one alone still costs one round trip, and none waits for a timer. Not inside a transaction of the
    // caller's: there the statement must run on that transaction's connection, so it runs alone.
    // A batch's statement has the same text every time: it runs as a named prepared statement (`internal/prepared`),
    // parsed and planned once per connection.
    const prepared: Prepared.Use = { named: options?.preparedStatements !== false }
    let named: readonly [text: string, name: string] = ["", ""]
    const executePrepared = (statement: Statement.Statement<BatchRow>) => {
      const [text, params] = statement.compile()
      if (named[0] !== text) named = [text, Prepared.nameOf(text)]
      return Prepared.run<BatchRow>(sql.reserve, text, named[1], params, prepared)
    }
    const batch = Batch.make({
      run: (operations: ReadonlyArray<Operation>) => withNow((now) => writeAllPg(operations, now, executePrepared)),
      parallel: batchesInFlight,
      max: batchMax
    })
    const writePg = (operation: Operation) =>
      Effect.withFiberRuntime<DeliveryLog.Claim | undefined, SqlError>((fiber) =>
        inTransaction(fiber.currentContext)
          ? withNow((now) => Effect.map(writeAllPg([operation], now, identity), (outcomes) => outcomes[0]))
          : batch(operation)
      )

    const claim = (eventId: string) =>
      (dialect === "pg"
        ? Effect.map(writePg({ _tag: "claim", eventId, token: DeliveryLog.makeToken() }), (outcome) => outcome!)
        : withNow((now) => claimIn(eventId, DeliveryLog.makeToken(), now))).pipe(Effect.mapError(failure("claim")))

    const complete = (eventId: string, _token: string, also?: ReadonlyArray<string>) => {
      const keys = also === undefined ? [eventId] : distinct([eventId, ...also])
      const write: Effect.Effect<unknown, SqlError> = dialect === "pg"
        ? writePg({ _tag: "complete", keys })
        : withNow((now) => upsertDone(keys, now))
      return write.pipe(Effect.asVoid, Effect.mapError(failure("complete")))
    }

    const release = (eventId: string, token: string) =>
      sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND claim_token = ${token} AND state = 'claimed'`.pipe(
        Effect.asVoid,
        Effect.mapError(failure("release"))
      )

    const transact = <A, E, R>(
      keys: readonly [string, ...Array<string>],
      run: Effect.Effect<A, E, R>,
      also?: ReadonlyArray<string>
    ): Effect.Effect<DeliveryLog.Transacted<A, E>, DeliveryLog.DeliveryLogError, R> => {
      // Sorted, so that two deliveries naming the same keys try them in the same order (the locks never wait,
      // so there is no deadlock either way; the order only spares a spurious InFlight to both).
      const ids = distinct(keys).sort()
      // What a success records: the event's own key and the keys it is also known by (not every locked key: some
      // are locks only, see `DeliveryLog.Service.transact`).
      const record = distinct([keys[0], ...(also ?? [])])
      const body = withNow((now) =>
        Effect.gen(function*() {
          // One round trip: a non-blocking lock per key, and each key's row. The row is read in the statement's
          // snapshot, which may predate a holder that committed and let go of the lock while this statement ran;
          // the final statement below checks again against the latest committed rows.
          const rows = yield* sql<{ readonly locked: boolean; readonly status: string }>`
            SELECT pg_try_advisory_xact_lock(hashtextextended(${keySpace}::text || k.event_id, 0)) AS locked,
              CASE WHEN t.state = 'done' AND t.expires_at > ${now} THEN 'done'
                   WHEN t.state = 'claimed' AND t.expires_at > ${now} THEN 'held'
                   ELSE 'free' END AS status
            FROM unnest(${ids}::text[]) WITH ORDINALITY AS k(event_id, n)
            LEFT JOIN ${table} AS t ON t.event_id = k.event_id
            ORDER BY k.n`
          if (rows.some((row) => row.locked !== true)) return yield* Effect.fail(new Abandon({ _tag: "InFlight" }))
          if (rows.some((row) => row.status === "done")) {
            // Done under one of its names: remember it under its own (unless that is the name it is done under).
            if (rows[ids.indexOf(keys[0])]?.status !== "done") yield* upsertDone([keys[0]], now)
            return { _tag: "Done" } as const
          }
          // A live claim of the claim/complete protocol (another receiver of a fleet not in this mode).
          if (rows.some((row) => row.status === "held")) return yield* Effect.fail(new Abandon({ _tag: "InFlight" }))
          const exit = yield* Effect.exit(run)
          if (exit._tag === "Failure") return yield* Effect.fail(new Abandon({ _tag: "Ran", exit }))
          // One round trip: records the event unless one of its keys was done meanwhile by a delivery that
          // committed after the first statement's snapshot (then this run was a duplicate, and rolling back undoes
          // its writes). This statement's snapshot is taken now, after every such commit.
          const late = yield* sql<{ readonly late: number }>`
            WITH late AS (
              SELECT 1 FROM ${table} WHERE event_id = ANY(${ids}::text[]) AND state = 'done' AND expires_at > ${now}
            ), recorded AS (
              INSERT INTO ${table} AS t (event_id, state, expires_at, updated_at)
              SELECT k.event_id, 'done', ${now + retention}::bigint, ${now}::bigint
              FROM unnest(${record}::text[]) AS k(event_id)
              WHERE NOT EXISTS (SELECT 1 FROM late)
              ON CONFLICT (event_id) DO UPDATE SET state = 'done', claim_token = NULL,
                expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM late)::int AS late`
          if ((late[0]?.late ?? 0) > 0) return yield* Effect.fail(new Abandon({ _tag: "Done" }))
          return { _tag: "Ran", exit } as const
        })
      )
      return sql.withTransaction(body).pipe(
        Effect.catchIf(
          (error): error is Abandon => error instanceof Abandon,
          (abandon) => Effect.succeed(abandon.outcome as DeliveryLog.Transacted<A, E>)
        ),
        Effect.mapError(failure("transact")),
        // @effect/sql turns a failed COMMIT or ROLLBACK into a defect; it is the log's failure all the same.
        Effect.catchSomeDefect((defect) =>
          defect instanceof SqlError ? Option.some(Effect.fail(failure("transact")(defect))) : Option.none()
        )
      )
    }

    return options?.transactional === true
      ? { claim, complete, release, transact } satisfies TransactionalService
      : { claim, complete, release } satisfies DeliveryLog.Service
  })
}

const distinct = (keys: ReadonlyArray<string>): Array<string> => Array.from(new Set(keys))

/** A row of the batch statement's answer: a key's row once the statement wrote it (`live`: done and unexpired). */
interface BatchRow {
  readonly event_id: string
  readonly state: string
  readonly claim_token: string | null
  readonly live: boolean
}

/** One write of a batch (PostgreSQL): a claim of one key, or the completion of an event's keys. */
type Operation =
  | { readonly _tag: "claim"; readonly eventId: string; readonly token: string }
  | { readonly _tag: "complete"; readonly keys: ReadonlyArray<string> }

/** Statements of claims and completions in flight at once, per log (PostgreSQL). */
const batchesInFlight = 1
/** The most operations one statement carries (PostgreSQL). */
const batchMax = 256

/** Whether the fiber runs inside a transaction of `@effect/sql` (its statements then go to its connection). */
const inTransaction = (context: Context.Context<never>): boolean =>
  Option.isSome(Context.getOption(context, SqlClient.TransactionConnection))

/**
 * @since 0.4.0
 * @category models
 */
export interface PruneOptions {
  /** Remove completed keys at least this old, and claims that lapsed at least this long ago. Default 48 hours. */
  readonly olderThan?: Duration.DurationInput | undefined
  /** The table's name. Default `heygen_webhook_deliveries`. */
  readonly table?: string | undefined
}

/**
 * Retention: deletes the keys completed at least `olderThan` ago (their redeliveries are long over: HeyGen
 * redelivers for 24 hours) and the claims that lapsed at least that long ago (their holders died), in one
 * statement, and returns how many rows it removed. Live claims and recent completions stay. Keep `olderThan` at
 * least the redelivery window: a key pruned earlier runs its handler again if the event comes back.
 *
 * `layer` runs it every hour (`pruneEvery`); with `make`, or `pruneEvery: false`, schedule it yourself. A claim
 * does not sweep the table: a lapsed row is taken over in place by the next claim, so correctness never needed a
 * sweep, and a delete of the whole table's expired rows has no place in a delivery's latency.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { Effect, Schedule } from "effect"
 *
 * // A retention job of your own (with DeliveryLogSql.layer({ pruneEvery: false }) in the receivers).
 * const retention = DeliveryLogSql.prune({ olderThan: "48 hours" }).pipe(
 *   Effect.tap((removed) => Effect.logInfo(`pruned ${removed} deliveries`)),
 *   Effect.repeat(Schedule.spaced("1 hour"))
 * )
 * ```
 *
 * @since 0.4.0
 * @category retention
 */
export const prune = (
  options?: PruneOptions
): Effect.Effect<number, DeliveryLog.DeliveryLogError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (client) => {
    const sql = client.withoutTransforms()
    const { table } = names(sql, options?.table ?? defaultTable)
    const olderThan = Duration.toMillis(options?.olderThan ?? DeliveryLog.defaultRetention)
    return withNow((now) => {
      const cut = now - olderThan
      // A claim's expires_at is after its updated_at, so `updated_at <= cut` holds for both kinds (the index).
      return sql`DELETE FROM ${table} WHERE updated_at <= ${cut} AND (state = 'done' OR expires_at <= ${cut})`.raw
    }).pipe(Effect.map(changedRows), Effect.mapError(failure("prune")))
  })

/**
 * The SQL log as a `DeliveryLog` layer; needs a `SqlClient` layer (`PgClient.layer`, `SqliteClient.layer`,
 * `MysqlClient.layer`, ...). Unless `pruneEvery: false`, it runs `prune` (with `olderThan` = the retention) now
 * and every hour in the background, logging a failure as a warning.
 *
 * With `transactional: true` (PostgreSQL) the log has `transact(keys, run, also)`: in one transaction it takes
 * `pg_try_advisory_xact_lock` on a 64-bit hash of each key (sorted) and reads the keys' rows (one statement); a
 * key locked elsewhere or under a live claim answers `InFlight`, a key done answers `Done` (the first key is then
 * recorded done). Otherwise `run` runs inside the transaction: the handler's own `SqlClient` queries join it
 * (`withTransaction` puts the connection in the fiber's context, where every `SqlClient` looks first), and on
 * success the first key and the `also` keys are upserted `done` (unless a key was done meanwhile: then `Done`, and
 * the run's writes roll back) and the transaction commits; on failure it rolls back and the answer is `Ran` with
 * the failure. If the process dies at any point its connection closes, PostgreSQL rolls back and
 * releases the locks, and the redelivery runs the handler at once: no claim timeout is involved. Round trips:
 * `BEGIN`, lock-and-read, the handler's own, record, `COMMIT` (4 + the handler's); 3 for `InFlight`. (The
 * claim/complete protocol costs 2: claim, complete; 1 for a duplicate; and there concurrent deliveries share
 * statements, where each transaction is a delivery's own.) Each running `transact` holds one
 * connection of the pool: size it for the deliveries you handle at once. Run every receiver of a fleet in the
 * same mode, and `transact` outside any transaction of your own: inside one it would join it (a savepoint, and
 * that session's locks, which are no longer exclusive).
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { SqlClient } from "@effect/sql"
 * import { PgClient } from "@effect/sql-pg"
 * import { Config, Effect, Layer } from "effect"
 *
 * const Database = PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })
 * const DeliveryLogLive = DeliveryLogSql.layer({ transactional: true }).pipe(Layer.provide(Database))
 *
 * // Outside a receiver: the insert happens once per event, whatever happens to the process.
 * const handle = (eventId: string, videoId: string) =>
 *   Effect.gen(function*() {
 *     const log = yield* DeliveryLogSql.make({ transactional: true, createTable: false })
 *     const sql = yield* SqlClient.SqlClient
 *     return yield* log.transact([eventId], sql`INSERT INTO videos_ready (video_id) VALUES (${videoId})`)
 *   })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export function layer(
  options?: Options & { readonly transactional?: false | undefined }
): Layer.Layer<DeliveryLog.DeliveryLog, SqlError, SqlClient.SqlClient>
export function layer(
  options?: Options
): Layer.Layer<DeliveryLog.DeliveryLog, SqlError | TransactionalUnsupported, SqlClient.SqlClient>
export function layer(
  options?: Options
): Layer.Layer<DeliveryLog.DeliveryLog, SqlError | TransactionalUnsupported, SqlClient.SqlClient> {
  return Layer.scoped(
    DeliveryLog.DeliveryLog,
    Effect.gen(function*() {
      const service = yield* make(options)
      const every = options?.pruneEvery ?? defaultPruneEvery
      if (every !== false) {
        yield* prune({ table: options?.table, olderThan: options?.retention ?? DeliveryLog.defaultRetention }).pipe(
          Effect.catchAll((error) => Effect.logWarning("DeliveryLogSql: prune failed", error.message)),
          Effect.repeat(Schedule.spaced(every)),
          Effect.forkScoped
        )
      }
      return service
    })
  )
}
