/**
 * A durable `DeliveryLog` over `@effect/sql`'s `SqlClient` (PostgreSQL, SQLite, MySQL): receivers restarted between
 * a delivery and its redelivery, or several behind a load balancer, share one log.
 *
 * Tested on PostgreSQL 15 (`@effect/sql-pg`) and SQLite (`@effect/sql-sqlite-node`), each with several connections
 * and processes at once; the MySQL statements are written but not run by the tests. Two modes:
 * - claim/complete (the default): `once` claims the event (one statement, shared with the concurrent deliveries'
 *   claims and completions on PostgreSQL), runs the effect, and records it done or deletes the claim;
 * - `transactional: true` (PostgreSQL): `once` runs the effect inside the transaction that records the event, so
 *   an effect whose writes live in the same database has them exactly once.
 *
 * A separate entry point (`@effect-heygen/core/DeliveryLogSql`): `@effect/sql` is an optional peer dependency.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { randomUUID } from "node:crypto"
import * as DeliveryLog from "./DeliveryLog.js"
import * as Batch from "./internal/batch.js"
import { withNow } from "./internal/now.js"
import { scrubConnection } from "./internal/scrub.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends DeliveryLog.Options {
  /** The table's name, optionally schema-qualified (`webhooks.deliveries`). Default `heygen_webhook_deliveries`. */
  readonly table?: string | undefined
  /** Create the table when missing (`migration`). Default `true`; `false` when your own migrations own the schema. */
  readonly createTable?: boolean | undefined
  /**
   * How long the claim of a run whose process died holds its event (answered 409 meanwhile). Default
   * `defaultClaimTimeout`. Must exceed your handler's running time.
   */
  readonly claimTimeout?: Duration.DurationInput | undefined
  /**
   * PostgreSQL only: run the effect inside the transaction that records the event. On another database building the
   * log fails with `TransactionalUnsupported`. Default `false`.
   */
  readonly transactional?: boolean | undefined
  /**
   * How often `layer` runs `prune` in the background, the first time when it is built; `false` when a job of your own
   * runs it. Default 1 hour. `make` starts nothing.
   */
  readonly pruneEvery?: Duration.DurationInput | false | undefined
  /**
   * Ignored: statements run through `@effect/sql`'s public API, unnamed.
   *
   * @deprecated kept so that code passing it still compiles; it will be removed.
   */
  readonly preparedStatements?: boolean | undefined
}

/**
 * `transactional: true` asked of a database other than PostgreSQL: the mode holds a non-blocking advisory lock per
 * event for a transaction's length, and SQLite's single writer would stall every other delivery meanwhile.
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
 * The SQL log's default claim timeout: 60 seconds, six times HeyGen's 10 s per attempt, so that a killed receiver's
 * events wait one minute. The fleet's clocks must agree well within it. Transactional mode needs none.
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
 * Creates the log's table and index when missing, for a schema your migrations own (with `createTable: false`).
 * Safe when many instances run it at once: on PostgreSQL it holds an advisory lock, since concurrent
 * `CREATE TABLE IF NOT EXISTS` there can fail.
 *
 * One row per event: `state` is `claimed` (with `claim_token`) or `done`; `expires_at` (epoch milliseconds of the
 * Effect `Clock`) is when a claim lapses or a done event is forgotten; `updated_at` when the row took its state.
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
    const detail = typeof inner?.message === "string" && inner.message !== "" && inner.message !== error.message
      ? `: ${inner.message}`
      : ""
    const code = typeof inner?.code === "string" ? inner.code : undefined
    const reason = scrubConnection(`${error.message}${detail}${code === undefined ? "" : ` (${code})`}`).slice(0, 300)
    // A fresh cause, so that nothing the driver attached to its error (a connection string) travels with ours.
    const cause = Object.assign(new Error(reason), { name: "SqlError", stack: `SqlError: ${reason}` }, code && { code })
    return new DeliveryLog.DeliveryLogError({
      operation,
      message: `the delivery log could not ${operation}: ${reason}`,
      cause
    })
  }

/** What a claim found: it took the event, or the event is done, or another run holds it. */
type Claim = "claimed" | "done" | "held"

/** The end of a transaction that is not a commit: it rolls back, and this is the outcome. */
class Abandon {
  constructor(readonly outcome: DeliveryLog.Outcome<unknown>) {}
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
 * Builds the log over the ambient `SqlClient`, creating its table unless told not to.
 *
 * Claim/complete: a claim is one upsert that takes the event's row when it is missing or lapsed (atomic: PostgreSQL
 * re-evaluates `ON CONFLICT DO UPDATE` on the latest committed row, SQLite has one writer, MySQL inserts `IGNORE`);
 * a success upserts it `done`, a failure deletes this claim's row by its token.
 *
 * Transactional (PostgreSQL): in one transaction, a non-blocking advisory lock on the event and a read of its row
 * (locked elsewhere or claimed: `InFlight`; done: `Duplicate`), the effect (its `SqlClient` queries join the
 * transaction), then the record, unless the event was done meanwhile (then `Duplicate`, and the effect's writes roll
 * back). A failure rolls everything back. A process that dies loses its connection, and PostgreSQL rolls back and
 * frees the lock. Each run holds one connection of the pool; run every receiver of a fleet in the same mode, and
 * `once` outside any transaction of your own.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { SqlClient } from "@effect/sql"
 * import { Effect } from "effect"
 *
 * // The insert happens once per event, whatever happens to the process.
 * const handle = (eventId: string, videoId: string) =>
 *   Effect.gen(function*() {
 *     const log = yield* DeliveryLogSql.make({ transactional: true })
 *     const sql = yield* SqlClient.SqlClient
 *     return yield* log.once(eventId, sql`INSERT INTO videos_ready (video_id) VALUES (${videoId})`)
 *   })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
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

    /** A claim on MySQL and SQLite (PostgreSQL: `writeAllPg`). */
    const claimOne = (eventId: string, token: string, now: number): Effect.Effect<Claim, SqlError> => {
      const expiresAt = now + claimTimeout
      if (dialect === "mysql") {
        return Effect.gen(function*() {
          yield* sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND expires_at <= ${now}`
          yield* sql`INSERT IGNORE INTO ${table} (event_id, state, claim_token, expires_at, updated_at)
                     VALUES (${eventId}, 'claimed', ${token}, ${expiresAt}, ${now})`
          const rows = yield* sql<{ readonly state: string; readonly claim_token: string | null }>`
            SELECT state, claim_token FROM ${table} WHERE event_id = ${eventId}`
          return rows[0]?.state === "done" ? "done" : rows[0]?.claim_token === token ? "claimed" : "held"
        })
      }
      return Effect.flatMap(
        sql`INSERT INTO ${table} AS t (event_id, state, claim_token, expires_at, updated_at)
            VALUES (${eventId}, 'claimed', ${token}, ${expiresAt}, ${now})
            ON CONFLICT (event_id) DO UPDATE
              SET state = 'claimed', claim_token = excluded.claim_token, expires_at = excluded.expires_at,
                  updated_at = excluded.updated_at
              WHERE t.expires_at <= excluded.updated_at
            RETURNING claim_token`,
        (won) =>
          won.length > 0 ? Effect.succeed("claimed" as const) : Effect.map(
            sql<{ readonly state: string }>`
              SELECT CASE WHEN state = 'done' AND expires_at > ${now} THEN 'done' ELSE 'held' END AS state
              FROM ${table} WHERE event_id = ${eventId}`,
            (rows): Claim => rows[0]?.state === "done" ? "done" : "held"
          )
      )
    }

    /** Records an event done on MySQL and SQLite. */
    const doneOne = (eventId: string, now: number) => {
      const rows = [{ event_id: eventId, state: "done", expires_at: now + retention, updated_at: now }]
      return dialect === "mysql"
        ? sql`INSERT INTO ${table} ${sql.insert(rows)}
              ON DUPLICATE KEY UPDATE state = 'done', claim_token = NULL, expires_at = VALUES(expires_at),
                updated_at = VALUES(updated_at)`
        : sql`INSERT INTO ${table} ${sql.insert(rows)}
              ON CONFLICT (event_id) DO UPDATE SET state = 'done', claim_token = NULL,
                expires_at = excluded.expires_at, updated_at = excluded.updated_at`
    }

    // PostgreSQL: the claims and completions of concurrent deliveries in one upsert, each answered as it would be
    // alone. A conflicting row is taken by a completion always, by a claim when it lapsed, and otherwise updated to
    // itself, so that RETURNING gives every key's latest committed row without a second read. Keys go sorted, so
    // statements running at once lock shared rows in the same order and cannot deadlock.
    const took = sql.literal("(EXCLUDED.state = 'done' OR t.expires_at <= EXCLUDED.updated_at)")
    const writeAllPg = (
      operations: ReadonlyArray<Operation>,
      now: number
    ): Effect.Effect<Array<Claim | undefined>, SqlError> => {
      // What each key becomes: done (null) when any operation completes it, else claimed by its first claim.
      const rows = new Map<string, string | null>()
      for (const operation of operations) if (operation.token === null) rows.set(operation.eventId, null)
      for (const operation of operations) {
        if (!rows.has(operation.eventId)) rows.set(operation.eventId, operation.token)
      }
      const keys = Array.from(rows.keys()).sort()
      const tokens = keys.map((key) => rows.get(key) ?? null)
      return Effect.map(
        sql<BatchRow>`INSERT INTO ${table} AS t (event_id, state, claim_token, expires_at, updated_at)
          SELECT event_id, CASE WHEN claim_token IS NULL THEN 'done' ELSE 'claimed' END, claim_token,
            CASE WHEN claim_token IS NULL THEN ${now + retention}::bigint ELSE ${now + claimTimeout}::bigint END,
            ${now}::bigint
          FROM unnest(${keys}::text[], ${tokens}::text[]) WITH ORDINALITY AS i(event_id, claim_token, n) ORDER BY n
          ON CONFLICT (event_id) DO UPDATE SET
            state = CASE WHEN ${took} THEN EXCLUDED.state ELSE t.state END,
            claim_token = CASE WHEN ${took} THEN EXCLUDED.claim_token ELSE t.claim_token END,
            expires_at = CASE WHEN ${took} THEN EXCLUDED.expires_at ELSE t.expires_at END,
            updated_at = CASE WHEN ${took} THEN EXCLUDED.updated_at ELSE t.updated_at END
          RETURNING t.event_id, t.state, t.claim_token, t.state = 'done' AND t.expires_at > ${now}::bigint AS live`,
        (result) => {
          const byKey = new Map(result.map((row) => [row.event_id, row]))
          return operations.map((operation): Claim | undefined => {
            if (operation.token === null) return undefined
            // Completed in this very batch: its holder succeeded.
            if (rows.get(operation.eventId) === null) return "done"
            const row = byKey.get(operation.eventId)
            if (row?.state === "claimed" && row.claim_token === operation.token) return "claimed"
            return row?.live === true ? "done" : "held"
          })
        }
      )
    }
    const batch = Batch.make({
      run: (operations: ReadonlyArray<Operation>) => withNow((now) => writeAllPg(operations, now)),
      parallel: 1,
      max: 256
    })
    // Inside a caller's transaction the statement must run on that transaction's connection: alone, not batched.
    const writePg = (operation: Operation) =>
      Effect.withFiberRuntime<Claim | undefined, SqlError>((fiber) =>
        Option.isSome(Context.getOption(fiber.currentContext, SqlClient.TransactionConnection))
          ? withNow((now) => Effect.map(writeAllPg([operation], now), (outcomes) => outcomes[0]))
          : batch(operation)
      )

    const claim = (eventId: string, token: string) =>
      (dialect === "pg"
        ? Effect.map(writePg({ eventId, token }), (outcome) => outcome!)
        : withNow((now) => claimOne(eventId, token, now))).pipe(Effect.mapError(failure("claim")))
    const complete = (eventId: string) =>
      Effect.asVoid<unknown, SqlError, never>(
        dialect === "pg" ? writePg({ eventId, token: null }) : withNow((now) => doneOne(eventId, now))
      ).pipe(Effect.mapError(failure("complete")))
    const release = (eventId: string, token: string) =>
      sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND claim_token = ${token} AND state = 'claimed'`.pipe(
        Effect.mapError(failure("release"))
      )

    const claimComplete = <E, R>(eventId: string, effect: Effect.Effect<unknown, E, R>) =>
      Effect.suspend(() => {
        const token = randomUUID()
        return Effect.flatMap(
          claim(eventId, token),
          (claimed): Effect.Effect<DeliveryLog.Outcome<E>, DeliveryLog.DeliveryLogError, R> =>
            claimed === "done"
              ? Effect.succeed(DeliveryLog.Duplicate)
              : claimed === "held"
              ? Effect.succeed(DeliveryLog.InFlight)
              : Effect.matchCauseEffect(effect, {
                onSuccess: () => Effect.as(complete(eventId), DeliveryLog.Handled),
                onFailure: (cause) => Effect.as(release(eventId, token), { _tag: "Failed", cause } as const)
              })
        )
      })

    const transactional = <E, R>(eventId: string, effect: Effect.Effect<unknown, E, R>) =>
      sql.withTransaction(withNow((now) =>
        Effect.gen(function*() {
          // The row is read in this statement's snapshot; the record below checks again against later commits.
          const rows = yield* sql<{ readonly locked: boolean; readonly state: string | null }>`
            SELECT pg_try_advisory_xact_lock(hashtextextended(${keySpace}::text || ${eventId}::text, 0)) AS locked,
              (SELECT state FROM ${table} WHERE event_id = ${eventId}::text AND expires_at > ${now}::bigint) AS state`
          if (rows[0]?.locked !== true || rows[0].state === "claimed") {
            return yield* Effect.fail(new Abandon(DeliveryLog.InFlight))
          }
          if (rows[0].state === "done") return DeliveryLog.Duplicate
          const exit = yield* Effect.exit(effect)
          if (exit._tag === "Failure") return yield* Effect.fail(new Abandon({ _tag: "Failed", cause: exit.cause }))
          // Recorded unless a delivery that committed after the first statement's snapshot did it already.
          const late = yield* sql<{ readonly late: number }>`
            WITH late AS (
              SELECT 1 FROM ${table}
              WHERE event_id = ${eventId}::text AND state = 'done' AND expires_at > ${now}::bigint
            ), recorded AS (
              INSERT INTO ${table} AS t (event_id, state, expires_at, updated_at)
              SELECT ${eventId}::text, 'done', ${now + retention}::bigint, ${now}::bigint
              WHERE NOT EXISTS (SELECT 1 FROM late)
              ON CONFLICT (event_id) DO UPDATE SET state = 'done', claim_token = NULL,
                expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM late)::int AS late`
          if ((late[0]?.late ?? 0) > 0) return yield* Effect.fail(new Abandon(DeliveryLog.Duplicate))
          return DeliveryLog.Handled
        })
      )).pipe(
        Effect.catchIf(
          (error): error is Abandon => error instanceof Abandon,
          (abandon) => Effect.succeed(abandon.outcome as DeliveryLog.Outcome<E>)
        ),
        Effect.mapError(failure("transact")),
        // @effect/sql turns a failed COMMIT or ROLLBACK into a defect; it is the log's failure all the same.
        Effect.catchSomeDefect((defect) =>
          defect instanceof SqlError ? Option.some(Effect.fail(failure("transact")(defect))) : Option.none()
        )
      )

    const service: DeliveryLog.Service = { once: options?.transactional === true ? transactional : claimComplete }
    return service
  })
}

/** A row of the batch statement's answer: a key's row once the statement wrote it (`live`: done and unexpired). */
interface BatchRow {
  readonly event_id: string
  readonly state: string
  readonly claim_token: string | null
  readonly live: boolean
}

/** One write of a batch (PostgreSQL): a claim with its token, or a completion (`token: null`). */
interface Operation {
  readonly eventId: string
  readonly token: string | null
}

/**
 * @since 0.4.0
 * @category models
 */
export interface PruneOptions {
  /** Remove events done at least this long ago, and claims that lapsed at least this long ago. Default 48 hours. */
  readonly olderThan?: Duration.DurationInput | undefined
  /** The table's name. Default `heygen_webhook_deliveries`. */
  readonly table?: string | undefined
}

/**
 * Retention: deletes, in one statement, the events done at least `olderThan` ago and the claims that lapsed at
 * least that long ago (their holders died), and returns how many rows it removed. Keep `olderThan` at least the
 * redelivery window (24 h): an event pruned earlier runs its handler again if it comes back. `layer` runs it every
 * hour (`pruneEvery`); with `make`, or `pruneEvery: false`, schedule it yourself.
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
 * The SQL log as a `DeliveryLog` layer; needs a `SqlClient` layer (`PgClient.layer`, `SqliteClient.layer`, ...).
 * Unless `pruneEvery: false`, it runs `prune` (with `olderThan` = the retention) now and every hour in the
 * background, logging a failure as a warning.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { PgClient } from "@effect/sql-pg"
 * import { Config, Layer } from "effect"
 *
 * const Database = PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })
 * const DeliveryLogLive = DeliveryLogSql.layer({ transactional: true }).pipe(Layer.provide(Database))
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
