/**
 * internal/prepared.ts: the SQL log's batch statement runs named on a `pg` connection, and a server that does not
 * keep the name (a pooler in transaction mode) turns naming off and gets the statement again, unnamed, once.
 * The connection here is a stand-in whose `pg` client answers as the server would; DeliveryLogPg.test.ts runs the
 * same path on a real PostgreSQL.
 */
import type * as SqlConnection from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Prepared from "../src/internal/prepared.js"

const serverError = (code: string) => Object.assign(new Error(`server said ${code}`), { code })

/** A connection whose pg client fails every named query with `code` (or answers when null), counting both paths. */
const connection = (code: string | null) => {
  const calls = { named: 0, unnamed: 0 }
  const pg = {
    connection: { parsedStatements: {} },
    query: (
      _config: { readonly name: string },
      callback: (error: Error | null, result: { readonly rows: ReadonlyArray<unknown> } | undefined) => void
    ) => {
      calls.named++
      if (code === null) callback(null, { rows: [{ via: "named" }] })
      else callback(serverError(code), undefined)
    }
  }
  const conn = {
    pg,
    execute: () => Effect.sync(() => (calls.unnamed++, [{ via: "unnamed" }]))
  } as unknown as SqlConnection.Connection
  return { calls, reserve: Effect.succeed(conn) }
}

const warnings = (logs: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => void logs.push(`${logLevel.label} ${String(message)}`))
  )

describe("Prepared.run", () => {
  it.effect("runs named while the server keeps the statement", () =>
    Effect.gen(function*() {
      const { calls, reserve } = connection(null)
      const use: Prepared.Use = { named: true }
      expect(yield* Prepared.run(reserve, "SELECT 1", "n", [], use)).toEqual([{ via: "named" }])
      expect(calls).toEqual({ named: 1, unnamed: 0 })
      expect(use.named).toBe(true)
    }))

  for (const code of ["26000", "42P05"]) {
    it.effect(`a server that answers ${code} (a pooler's): run again unnamed, naming off for good, one warning`, () =>
      Effect.gen(function*() {
        const { calls, reserve } = connection(code)
        const use: Prepared.Use = { named: true }
        const logs: Array<string> = []
        const twice = Effect.all([
          Prepared.run(reserve, "SELECT 1", "n", [], use),
          Prepared.run(reserve, "SELECT 1", "n", [], use)
        ])
        expect(yield* twice.pipe(Effect.provide(warnings(logs)))).toEqual([[{ via: "unnamed" }], [{ via: "unnamed" }]])
        // The second run does not try the name again.
        expect(calls).toEqual({ named: 1, unnamed: 2 })
        expect(use.named).toBe(false)
        expect(logs).toHaveLength(1)
        expect(logs[0]).toMatch(/^WARN DeliveryLogSql: the server does not keep prepared statements/)
      }))
  }

  it.effect("any other error is the statement's own: a SqlError, not run again, naming kept", () =>
    Effect.gen(function*() {
      const { calls, reserve } = connection("23505")
      const use: Prepared.Use = { named: true }
      const error = yield* Effect.flip(Prepared.run(reserve, "SELECT 1", "n", [], use))
      expect(error).toBeInstanceOf(SqlError)
      expect((error.cause as { readonly code: string }).code).toBe("23505")
      expect(calls).toEqual({ named: 1, unnamed: 0 })
      expect(use.named).toBe(true)
    }))

  it.effect("turned off (preparedStatements: false): unnamed from the first statement", () =>
    Effect.gen(function*() {
      const { calls, reserve } = connection(null)
      expect(yield* Prepared.run(reserve, "SELECT 1", "n", [], { named: false })).toEqual([{ via: "unnamed" }])
      expect(calls).toEqual({ named: 0, unnamed: 1 })
    }))
})
