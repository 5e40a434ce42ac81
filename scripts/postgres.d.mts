// Types of scripts/postgres.mjs, for the TypeScript that imports it (the vitest global setup, the bench).

/** How to get the server binaries, named in every failure to find them. */
export declare const installHint: string

/** The environment variable naming an existing server to use instead of starting one. */
export declare const urlVariable: "HEYGEN_TEST_DATABASE_URL"

/** The environment variable naming the directory of `initdb` and `pg_ctl`, where they are not found otherwise. */
export declare const binVariable: "HEYGEN_POSTGRES_BIN"

/** PostgreSQL could not be started here; the message says why and what to install or set. */
export declare class PostgresUnavailable extends Error {
  constructor(message: string)
}

/** The directory holding `initdb` and `pg_ctl`, or `undefined` when there is none. */
export declare const findBinaries: () => string | undefined

/** A running throwaway cluster. */
export interface Cluster {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string
  readonly host: string
  readonly port: number
  /** Its temporary directory (data, log, socket), removed by `stop`. */
  readonly dir: string
  /** Stops the server (immediate mode) and removes `dir`. */
  readonly stop: () => Promise<void>
}

/** Starts a throwaway cluster; fails with `PostgresUnavailable`. */
export declare const startPostgres: (options?: {
  /** Keep PostgreSQL's durable defaults (fsync and synchronous commit on). Default false. */
  readonly durable?: boolean
  /** More `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string | number>>
}) => Promise<Cluster>
