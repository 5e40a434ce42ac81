// Vitest global setup of the core project: one throwaway PostgreSQL for the whole run (scripts/postgres.mjs), unless
// HEYGEN_TEST_DATABASE_URL names a server to use. Its URL reaches the tests as `inject("postgres")`; each test file
// makes a database of its own on it (packages/core/test/postgres.ts), so files run in parallel. Where PostgreSQL
// cannot be started the reason is handed on instead, and the PostgreSQL tests fail with it: the other tests still
// run, and nothing is skipped silently.
import type { TestProject } from "vitest/node"
import { PostgresUnavailable, startPostgres, urlVariable } from "./scripts/postgres.mjs"

declare module "vitest" {
  export interface ProvidedContext {
    /** The PostgreSQL server of this run, or why there is none. */
    readonly postgres: { readonly url: string } | { readonly unavailable: string }
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env[urlVariable]
  if (given !== undefined && given.length > 0) {
    project.provide("postgres", { url: given })
    return undefined
  }
  try {
    const cluster = await startPostgres()
    project.provide("postgres", { url: cluster.url })
    // The cluster's reaper also stops it if this process dies without running this (killed, crashed).
    return () => cluster.stop()
  } catch (error) {
    if (!(error instanceof PostgresUnavailable)) throw error
    project.provide("postgres", { unavailable: error.message })
    return undefined
  }
}
