/**
 * A durable `DeliveryLog` over `@effect/sql`'s `SqlClient`: whatever driver your service already runs
 * (Postgres, MySQL, SQLite). A receiver restarted between a delivery and its redelivery, or several receivers
 * behind a load balancer, share one log, so a handler that succeeded never runs again for that event.
 *
 * This module is a separate entry point (`@effect-heygen/core/DeliveryLogSql`) and `@effect/sql` an optional
 * peer dependency, so the rest of core does not pull it in.
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { SqliteClient } from "@effect/sql-sqlite-node"
 * import { Layer } from "effect"
 *
 * const DeliveryLogLive = DeliveryLogSql.layer({ table: "heygen_webhook_deliveries" }).pipe(
 *   Layer.provide(SqliteClient.layer({ filename: "deliveries.db" }))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as DeliveryLog from "./DeliveryLog.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends DeliveryLog.Options {
  /** The table's name. Default `heygen_webhook_deliveries`. */
  readonly table?: string | undefined
  /** Create the table (and its index) when missing. Default `true`; turn off if migrations own the schema. */
  readonly createTable?: boolean | undefined
}

/**
 * The default table name.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTable = "heygen_webhook_deliveries"

/** Expired rows are swept once every this many claims, so the table stays as small as the retention window. */
const SWEEP_EVERY = 100

/**
 * Builds the log over the ambient `SqlClient`, creating its table unless told not to. One row per event id:
 * `state` is `claimed` (with the claim's token) or `done`; `expires_at` (epoch milliseconds from the Effect
 * `Clock`) is when the claim lapses or the id is forgotten.
 *
 * A claim is: drop this id's row if it has expired; insert a `claimed` row unless one exists (`ON CONFLICT DO
 * NOTHING` on Postgres and SQLite, `INSERT IGNORE` on MySQL); read the row back. Only the inserter reads its
 * own token, so of concurrent claims exactly one wins, across processes.
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
export const make = (
  options?: Options
): Effect.Effect<DeliveryLog.Service, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    // Without transforms: a client configured to camelCase result names must not rename our columns.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const tableName = options?.table ?? defaultTable
    const table = sql(tableName)
    const index = sql(`${tableName}_expires_at`)
    const retention = Duration.toMillis(options?.retention ?? DeliveryLog.defaultRetention)
    const claimTimeout = Duration.toMillis(options?.claimTimeout ?? DeliveryLog.defaultClaimTimeout)

    if (options?.createTable !== false) {
      yield* sql.onDialectOrElse({
        // MySQL has no CREATE INDEX IF NOT EXISTS: the index goes inside CREATE TABLE there.
        mysql: () =>
          sql`CREATE TABLE IF NOT EXISTS ${table} (
            event_id VARCHAR(255) NOT NULL PRIMARY KEY,
            state VARCHAR(16) NOT NULL,
            claim_token VARCHAR(64) NULL,
            expires_at BIGINT NOT NULL,
            INDEX ${index} (expires_at)
          )`,
        orElse: () =>
          Effect.zipRight(
            sql`CREATE TABLE IF NOT EXISTS ${table} (
              event_id VARCHAR(255) NOT NULL PRIMARY KEY,
              state VARCHAR(16) NOT NULL,
              claim_token VARCHAR(64) NULL,
              expires_at BIGINT NOT NULL
            )`,
            sql`CREATE INDEX IF NOT EXISTS ${index} ON ${table} (expires_at)`
          )
      })
    }

    const insertClaim = (eventId: string, token: string, expiresAt: number) =>
      sql.onDialectOrElse({
        mysql: () =>
          sql`INSERT IGNORE INTO ${table} (event_id, state, claim_token, expires_at)
              VALUES (${eventId}, 'claimed', ${token}, ${expiresAt})`,
        orElse: () =>
          sql`INSERT INTO ${table} (event_id, state, claim_token, expires_at)
              VALUES (${eventId}, 'claimed', ${token}, ${expiresAt})
              ON CONFLICT (event_id) DO NOTHING`
      })

    const upsertDone = (eventId: string, expiresAt: number) =>
      sql.onDialectOrElse({
        mysql: () =>
          sql`INSERT INTO ${table} (event_id, state, claim_token, expires_at)
              VALUES (${eventId}, 'done', NULL, ${expiresAt})
              ON DUPLICATE KEY UPDATE state = 'done', claim_token = NULL, expires_at = VALUES(expires_at)`,
        orElse: () =>
          sql`INSERT INTO ${table} (event_id, state, claim_token, expires_at)
              VALUES (${eventId}, 'done', NULL, ${expiresAt})
              ON CONFLICT (event_id) DO UPDATE SET state = 'done', claim_token = NULL, expires_at = ${expiresAt}`
      })

    const failed = (operation: "claim" | "complete" | "release") => (cause: SqlError.SqlError) =>
      new DeliveryLog.DeliveryLogError({ operation, message: `the delivery log could not ${operation}`, cause })

    let claims = 0

    const claim = (eventId: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const token = DeliveryLog.makeToken()
        if (++claims % SWEEP_EVERY === 0) {
          yield* sql`DELETE FROM ${table} WHERE expires_at <= ${now}`
        } else {
          yield* sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND expires_at <= ${now}`
        }
        yield* insertClaim(eventId, token, now + claimTimeout)
        const rows = yield* sql<{ readonly state: string; readonly claim_token: string | null }>`
          SELECT state, claim_token FROM ${table} WHERE event_id = ${eventId}`
        const row = rows[0]
        // No row: it lapsed and was swept between our insert and read (claim timeout ~ 0). Treat as in flight.
        if (row === undefined) return { _tag: "InFlight" } as const
        if (row.state === "done") return { _tag: "Done" } as const
        return row.claim_token === token ? { _tag: "Claimed", token } as const : { _tag: "InFlight" } as const
      }).pipe(Effect.mapError(failed("claim")))

    const complete = (eventId: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => upsertDone(eventId, now + retention)).pipe(
        Effect.asVoid,
        Effect.mapError(failed("complete"))
      )

    const release = (eventId: string, token: string) =>
      sql`DELETE FROM ${table} WHERE event_id = ${eventId} AND claim_token = ${token} AND state = 'claimed'`.pipe(
        Effect.asVoid,
        Effect.mapError(failed("release"))
      )

    return { claim, complete, release } satisfies DeliveryLog.Service
  })

/**
 * The SQL log as a `DeliveryLog` layer; needs a `SqlClient` layer (`PgClient.layer`, `MysqlClient.layer`,
 * `SqliteClient.layer`, ...).
 *
 * @example
 * ```ts
 * import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
 * import { SqliteClient } from "@effect/sql-sqlite-node"
 * import { Layer } from "effect"
 *
 * // The same with PgClient.layer (@effect/sql-pg) or MysqlClient.layer (@effect/sql-mysql2).
 * const DeliveryLogLive = DeliveryLogSql.layer().pipe(
 *   Layer.provide(SqliteClient.layer({ filename: "deliveries.db" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<DeliveryLog.DeliveryLog, SqlError.SqlError, SqlClient.SqlClient> =>
  Layer.effect(DeliveryLog.DeliveryLog, make(options))
