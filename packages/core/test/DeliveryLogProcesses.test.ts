/**
 * The delivery log shared by several OS processes, each with its own pool (PostgreSQL) or connection (SQLite in
 * WAL mode), as a fleet of receivers shares it; and transactional mode's exactly-once under SIGKILL.
 */
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildChild, cleanUp, runTogether, startChild } from "./childProcesses.js"
import type { Database } from "./deliveryLogChild.js"
import { createDatabase, sqlClient } from "./postgres.js"

let bundle: string
let database: Awaited<ReturnType<typeof createDatabase>>

beforeAll(async () => {
  ;[bundle, database] = await Promise.all([buildChild(), createDatabase("procs")])
  await Effect.runPromise(onPg(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.zipRight(
      DeliveryLogSql.migration(),
      sql`CREATE TABLE handled (event_id TEXT NOT NULL)`
    ))))
}, 60_000)

afterAll(async () => {
  cleanUp()
  await database?.drop()
})

const onPg = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.provide(effect, sqlClient(database.url, { maxConnections: 2 }))

const PROCESSES = 4
const PER_EVENT = 6
const EVENTS = Array.from({ length: 5 }, (_, i) => `evt_${i}`)

/** Each process's outcomes of each event, from their JSON lines; fails the test on a child's error line. */
const claimsPerEvent = (lines: ReadonlyArray<string>) => {
  const perEvent = new Map<string, Array<string>>()
  for (const line of lines) {
    if (!line.startsWith("{")) throw new Error(`a child failed: ${line}`)
    for (const [eventId, tags] of Object.entries(JSON.parse(line) as Record<string, Array<string>>)) {
      perEvent.set(eventId, [...(perEvent.get(eventId) ?? []), ...tags])
    }
  }
  return perEvent
}

const expectOneWinnerEach = (lines: ReadonlyArray<string>) => {
  const perEvent = claimsPerEvent(lines)
  expect([...perEvent.keys()].sort()).toEqual([...EVENTS].sort())
  const winners = Object.fromEntries(
    [...perEvent].map(([id, tags]) => [id, tags.filter((t) => t === "Handled").length])
  )
  expect(winners).toEqual(Object.fromEntries(EVENTS.map((id) => [id, 1])))
  for (const tags of perEvent.values()) expect(tags).toHaveLength(PROCESSES * PER_EVENT)
}

const claimEverywhere = (db: Database) =>
  runTogether(
    bundle,
    Array.from(
      { length: PROCESSES },
      () => ({ _tag: "claim", database: db, events: EVENTS, perEvent: PER_EVENT } as const)
    )
  )

describe("DeliveryLogSql run from several processes at once", () => {
  it("PostgreSQL: of 24 runs of each event from 4 processes (4 pools), exactly one runs", async () => {
    expectOneWinnerEach(await claimEverywhere({ _tag: "pg", url: database.url }))
  }, 30_000)

  it(
    "SQLite in WAL mode: of 24 runs of each event from 4 processes (4 connections), exactly one runs",
    async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "delivery-log-wal-")), "log.db")
      const mode = await Effect.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => Effect.zipRight(DeliveryLogSql.migration(), sql<{ journal_mode: string }>`PRAGMA journal_mode`)
        ).pipe(
          Effect.provide(SqliteClient.layer({ filename: file }))
        )
      )
      expect(mode[0]?.journal_mode).toBe("wal")
      try {
        expectOneWinnerEach(await claimEverywhere({ _tag: "sqlite", file }))
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true })
      }
    },
    30_000
  )
})

const handledRows = (eventId: string) =>
  onPg(Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all({
      handled: Effect.map(
        sql<{ n: string }>`SELECT count(*) AS n FROM handled WHERE event_id = ${eventId}`,
        (r) => Number(r[0]?.n)
      ),
      done: Effect.map(
        sql<
          { n: string }
        >`SELECT count(*) AS n FROM heygen_webhook_deliveries WHERE event_id = ${eventId} AND state = 'done'`,
        (r) => Number(r[0]?.n)
      )
    })))

/** Waits until the server has seen the killed process's connections close (its transaction then rolled back). */
const serverNoticedDeath = (pid: number) =>
  onPg(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${`child-${pid}`}`.pipe(
        Effect.map((rows) =>
          Number(rows[0]?.n)
        ),
        Effect.repeat({ until: (n) => n === 0, schedule: Schedule.spaced("20 millis") }),
        Effect.timeout("10 seconds")
      ))
  )

const transactHere = (eventId: string) =>
  onPg(Effect.gen(function*() {
    const log = yield* DeliveryLogSql.make({ transactional: true, createTable: false })
    const sql = yield* SqlClient.SqlClient
    const outcome = yield* log.once(eventId, sql`INSERT INTO handled (event_id) VALUES (${eventId})`)
    return outcome._tag
  }))

describe("DeliveryLogSql transactional under SIGKILL (PostgreSQL)", () => {
  it(
    "killed inside the handler after its own insert: neither the insert nor the record stays, and the next delivery runs it",
    async () => {
      const child = startChild(bundle, {
        _tag: "killInside",
        database: { _tag: "pg", url: database.url },
        eventId: "evt_kill_inside"
      })
      await child.line((line) => line === "ready")
      child.go()
      await child.line((line) => line === "inside")
      child.process.kill("SIGKILL")
      await child.exited
      await Effect.runPromise(serverNoticedDeath(child.process.pid!))
      expect(await Effect.runPromise(handledRows("evt_kill_inside"))).toEqual({ handled: 0, done: 0 })
      // No claim timeout to wait out: the locks went with the connection.
      expect(await Effect.runPromise(transactHere("evt_kill_inside"))).toBe("Handled")
      expect(await Effect.runPromise(handledRows("evt_kill_inside"))).toEqual({ handled: 1, done: 1 })
    },
    30_000
  )

  it(
    "killed after the commit: the insert and the record both stay, and the next delivery answers Duplicate without running",
    async () => {
      const child = startChild(bundle, {
        _tag: "killAfterCommit",
        database: { _tag: "pg", url: database.url },
        eventId: "evt_kill_after"
      })
      await child.line((line) => line === "ready")
      child.go()
      expect(await child.line((line) => line.startsWith("committed") || line.startsWith("error"))).toBe(
        "committed Handled"
      )
      child.process.kill("SIGKILL")
      await child.exited
      expect(await Effect.runPromise(handledRows("evt_kill_after"))).toEqual({ handled: 1, done: 1 })
      expect(await Effect.runPromise(transactHere("evt_kill_after"))).toBe("Duplicate")
      expect(await Effect.runPromise(handledRows("evt_kill_after"))).toEqual({ handled: 1, done: 1 })
    },
    30_000
  )
})
