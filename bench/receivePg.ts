/**
 * The receiver on PostgreSQL in `pnpm bench` (`BENCH_ONLY=pg`): deliveries per second and server CPU per delivery
 * of `WebhookReceiver.makeHandler` on node:http with `DeliveryLogSql` on a throwaway PostgreSQL (scripts/postgres.mjs,
 * the tests' own starter), in claim/complete mode and in transactional mode, against the same receiver with the
 * in-memory log and against the bare node:http handler of bench/receive.ts; for one instance and for 4 (4 child
 * processes behind a round-robin driver). Every delivery is a new event, so each one costs the log its whole path:
 * claim and complete (2 round trips), or BEGIN, lock and read, record, COMMIT (4).
 *
 * The servers are children of the bench bundle (`--receive-server pg|pg-tx`), speaking bench/receive.ts's protocol
 * (port on the first line, CPU time on request), with the database URL in HEYGEN_BENCH_DATABASE_URL.
 */
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as path from "node:path"
import { startPostgres } from "../scripts/postgres.mjs"
import type { Child, Figure } from "./receive.js"
import { answerParent, listenerServer, load, median, startChild } from "./receive.js"

const urlVariable = "HEYGEN_BENCH_DATABASE_URL"
/** The pool of each receiver process. At 32 deliveries in flight, more connections only queue in PostgreSQL. */
const POOL_SIZE = Number(process.env["HEYGEN_BENCH_PG_POOL"] ?? 10)

// ---------------------------------------------------------------------------------------------------------------
// The servers (children): makeHandler with the SQL log, in a runtime that lives as long as the process.

export const pgKinds = ["pg", "pg-tx"] as const
export type PgKind = (typeof pgKinds)[number]
export const isPgKind = (kind: string): kind is PgKind => (pgKinds as ReadonlyArray<string>).includes(kind)

export const receivePgServerMain = (kind: PgKind) => {
  answerParent()
  const url = process.env[urlVariable]
  if (url === undefined) throw new Error(`${urlVariable} is not set`)
  const Database = PgClient.layer({ url: Redacted.make(url), maxConnections: POOL_SIZE })
  const Log = (kind === "pg-tx"
    ? DeliveryLogSql.layer({ transactional: true, pruneEvery: false })
    : DeliveryLogSql.layer({ pruneEvery: false })).pipe(Layer.provide(Database))
  // The log and its pool live as long as the server, which never ends.
  Effect.runFork(listenerServer(Log))
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL's own CPU: its processes' user + system time from /proc (Linux), in µs; undefined elsewhere.

const ticksPerSecond = 100 // USER_HZ, 100 on every Linux this runs on

const postgresCpu = (dataDir: string): number | undefined => {
  try {
    const postmaster = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
    let ticks = 0
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      } catch {
        continue // gone meanwhile
      }
      // The fields after the command name (which may hold spaces, inside parentheses).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      const pid = Number(entry)
      if (pid !== postmaster && Number(fields[1]) !== postmaster) continue
      ticks += Number(fields[11]) + Number(fields[12])
    }
    return (ticks / ticksPerSecond) * 1e6
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------------

type Kind = "listener" | "bare" | PgKind
const kinds: ReadonlyArray<Kind> = ["listener", "bare", "pg", "pg-tx"]
const label: Record<Kind, string> = {
  listener: "memory log",
  bare: "bare node:http",
  pg: "PostgreSQL log",
  "pg-tx": "PostgreSQL log, transactional"
}

interface Sample {
  readonly perSecond: number
  /** The receiver processes' CPU per delivery, µs. */
  readonly cpuMicros: number
  /** PostgreSQL's CPU per delivery, µs (undefined where /proc cannot tell). */
  readonly pgMicros: number | undefined
}

/** Transactions committed or rolled back in the database so far (pg_stat_database). */
const transactions = () =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ readonly n: string }>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database
        WHERE datname = current_database()`).pipe(
        Effect.map((rows) =>
          Number(rows[0]?.n)
        ),
        Effect.provide(PgClient.layer({ url: Redacted.make(process.env[urlVariable]!), maxConnections: 1 })),
        Effect.scoped
      )
  )

/** Every kind with `instances` processes each, in rounds with the order rotated. */
const measure = async (self: string, dataDir: string, instances: number, quick: boolean) => {
  const concurrency = 32
  const n = quick ? 1_000 : 2_000
  const servers = new Map<Kind, Array<Child>>()
  try {
    for (const kind of kinds) {
      servers.set(kind, await Promise.all(Array.from({ length: instances }, () => startChild(self, kind))))
    }
    const urls = (kind: Kind) => servers.get(kind)!.map((child) => child.url)
    const cpu = async (kind: Kind) =>
      (await Promise.all(servers.get(kind)!.map((child) => child.cpu()))).reduce((a, b) => a + b, 0)
    // Warm-up: JIT, pools, the table's first pages.
    for (const kind of kinds) await load(urls(kind), n, concurrency)
    const samples: Array<Record<Kind, Sample>> = []
    for (let r = 0; r < (quick ? 3 : 8); r++) {
      const sample: Partial<Record<Kind, Sample>> = {}
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[(i + r) % kinds.length]!
        const [before, pgBefore] = [await cpu(kind), postgresCpu(dataDir)]
        const perSecond = await load(urls(kind), n, concurrency)
        const [after, pgAfter] = [await cpu(kind), postgresCpu(dataDir)]
        sample[kind] = {
          perSecond,
          cpuMicros: (after - before) / n,
          pgMicros: pgBefore === undefined || pgAfter === undefined ? undefined : (pgAfter - pgBefore) / n
        }
      }
      samples.push(sample as Record<Kind, Sample>)
    }
    // Statements per delivery in claim/complete mode, as PostgreSQL counts them (each is its own transaction there):
    // its statistics reach pg_stat_database within a second of a backend going idle, hence the pauses.
    let statements: number | undefined
    if (instances === 1) {
      const pause = () => new Promise((resolve) => setTimeout(resolve, 1_500))
      await pause()
      const before = await transactions()
      await load(urls("pg"), n, concurrency)
      await pause()
      statements = ((await transactions()) - before) / n
    }
    const rate = (kind: Kind) => median(samples.map((s) => s[kind].perSecond))
    const rateRatio = (kind: Kind, baseline: Kind) =>
      median(samples.map((s) => s[kind].perSecond / s[baseline].perSecond))
    const cpuOf = (kind: Kind) => median(samples.map((s) => s[kind].cpuMicros))
    const cpuRatio = (kind: Kind, baseline: Kind) =>
      median(samples.map((s) => s[kind].cpuMicros / s[baseline].cpuMicros))
    const pgOf = (kind: Kind) => {
      const values = samples.map((s) => s[kind].pgMicros)
      return values.every((v) => v !== undefined) ? median(values as Array<number>) : undefined
    }
    return { concurrency, rate, rateRatio, cpuOf, cpuRatio, pgOf, statements }
  } finally {
    for (const children of servers.values()) for (const child of children) child.close()
  }
}

/** The PostgreSQL rows; `self` is the bench bundle's own path (the servers are children running it). */
export const receivePgFigures = async (self: string, quick: boolean): Promise<Array<Figure>> => {
  const cluster = await startPostgres()
  process.env[urlVariable] = cluster.url
  const figures: Array<Figure> = []
  try {
    for (const instances of [1, 4]) {
      const m = await measure(self, path.join(cluster.dir, "data"), instances, quick)
      const scope = instances === 1 ? "one instance" : `${instances} instances`
      const target = instances === 1 ? "≥ 0.40x" : "reported"
      for (const kind of ["pg", "pg-tx"] as const) {
        const vsMemory = m.rateRatio(kind, "listener")
        figures.push({
          name: `receiver deliveries/s, ${scope}: ${label[kind]} vs memory log`,
          value: m.rate(kind),
          unit: "deliveries/s",
          baseline: `makeHandler, memory log (${instances === 1 ? "" : `${instances} instances, `}concurrency 32)`,
          ratio: vsMemory,
          target: kind === "pg" ? target : "reported",
          pass: kind === "pg" && instances === 1 ? vsMemory >= 0.4 : null
        })
        figures.push({
          name: `receiver deliveries/s, ${scope}: ${label[kind]} vs bare node:http`,
          value: m.rate(kind),
          unit: "deliveries/s",
          baseline: "bare node:http, same checks, in-memory de-duplication",
          ratio: m.rateRatio(kind, "bare"),
          target: "reported",
          pass: null
        })
      }
      figures.push({
        name: `receiver deliveries/s, ${scope}: memory log vs bare node:http`,
        value: m.rate("listener"),
        unit: "deliveries/s",
        baseline: "bare node:http, same checks, in-memory de-duplication",
        ratio: m.rateRatio("listener", "bare"),
        target: "reported",
        pass: null
      })
      for (const kind of ["pg", "pg-tx", "listener"] as const) {
        figures.push({
          name: `receiver server CPU per delivery, ${scope}: ${label[kind]}`,
          value: m.cpuOf(kind),
          unit: "µs",
          baseline: "bare node:http",
          ratio: m.cpuRatio(kind, "bare"),
          target: "reported",
          pass: null
        })
      }
      if (m.statements !== undefined) {
        figures.push({
          name: `PostgreSQL statements per delivery, ${scope}: ${label.pg} (claim and complete, shared)`,
          value: m.statements,
          unit: "",
          baseline: "-",
          ratio: null,
          target: "reported",
          pass: null
        })
      }
      for (const kind of ["pg", "pg-tx"] as const) {
        const pg = m.pgOf(kind)
        if (pg === undefined) continue
        figures.push({
          name: `PostgreSQL server CPU per delivery, ${scope}: ${label[kind]}`,
          value: pg,
          unit: "µs",
          baseline: "-",
          ratio: null,
          target: "reported",
          pass: null
        })
      }
    }
  } finally {
    await cluster.stop()
  }
  return figures
}
