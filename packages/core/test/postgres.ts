/**
 * The run's PostgreSQL, for tests: the server the global setup started (vitest.postgres.ts, over
 * scripts/postgres.mjs) or HEYGEN_TEST_DATABASE_URL, and a database of each test file's own on it.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"

/** The server's URL. Throws (failing the test that asked) when there is no PostgreSQL, with what to install. */
export const serverUrl = (): string => {
  const postgres = inject("postgres")
  if (postgres === undefined) {
    throw new Error("no PostgreSQL for this run: the core project's global setup (vitest.postgres.ts) did not run")
  }
  if ("unavailable" in postgres) {
    throw new Error(`these tests need PostgreSQL, which could not be started: ${postgres.unavailable}`)
  }
  return postgres.url
}

/** The URL of another database on the same server. */
export const databaseUrl = (server: string, database: string): string => {
  const url = new URL(server)
  url.pathname = `/${database}`
  return url.toString()
}

/** A client of one database: a pool of its own, as one receiver process has. */
export const client = (url: string, options?: { readonly maxConnections?: number }) =>
  PgClient.layer({ url: Redacted.make(url), maxConnections: options?.maxConnections ?? 10, idleTimeout: "5 seconds" })

const admin = <A, E>(server: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(client(server, { maxConnections: 1 })), Effect.scoped)

/**
 * Creates a fresh database for one test file (or test) and returns its URL and a `drop` for `afterAll`: files
 * running in parallel never see each other's tables.
 */
export const createDatabase = async (
  prefix = "t"
): Promise<{ readonly url: string; readonly name: string; readonly drop: () => Promise<void> }> => {
  const server = serverUrl()
  const name = `${prefix}_${randomBytes(6).toString("hex")}`
  await Effect.runPromise(admin(server, (sql) => sql`CREATE DATABASE ${sql(name)}`))
  return {
    url: databaseUrl(server, name),
    name,
    drop: () =>
      Effect.runPromise(admin(server, (sql) => Effect.asVoid(sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`)))
  }
}

/** A layer of a client to `url`, typed as the SqlClient the log needs. */
export const sqlClient = (url: string, options?: { readonly maxConnections?: number }): Layer.Layer<
  SqlClient.SqlClient,
  unknown
> => client(url, options)
