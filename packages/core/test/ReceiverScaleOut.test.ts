/**
 * The scale-out test: 4 receiver processes (`WebhookReceiver.makeHandler` on node:http, receiverChild.ts, each its
 * own OS process and pool) on one PostgreSQL, driven as HeyGen drives a fleet behind a load balancer: 3,000 signed
 * deliveries of 1,000 events (each event 1 to 4 times) to random instances, 32 in flight, every non-2xx and every
 * connection error redelivered after a short backoff, while instances are SIGKILLed and restarted at random moments.
 *
 * Then: every event is recorded done once in the log and none is lost; no 5xx was answered (the database stays up);
 * in transactional mode the handler's own table holds each event exactly once; in claim/complete mode (a short
 * claimTimeout) every extra run of the handler is explained by a kill of the process that ran it before, between its
 * handler and its record. The counts are printed for the record.
 */
import { WebhookSignature } from "@effect-heygen/core"
import { Pool } from "@effect/platform-node/Undici"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { buildChild, type Child, cleanUp, startChild } from "./childProcesses.js"
import { createDatabase, sqlClient } from "./postgres.js"
import type { ReceiverCommand } from "./receiverChild.js"

const INSTANCES = 4
const EVENTS = 1_000
const DELIVERIES = 3_000
const IN_FLIGHT = 32
/** Kills per run, each at a random point of the run's progress. */
const KILLS = 8
/** The handler waits up to this long after its insert (at random): a window for kills before the record. */
const HANDLER_DELAY_MS = 4
/** claim/complete mode: short, so that the events a killed instance held are retaken within the run. */
const CLAIM_TIMEOUT_MS = 2_000
/** A run that has not finished by then fails, with its counts so far, instead of waiting for the test timeout. */
const DEADLINE_MS = 60_000

const key = "whsec_scale_out"
const secret = Redacted.make(key)

let bundle: string
const databases: Array<Awaited<ReturnType<typeof createDatabase>>> = []

beforeAll(async () => {
  bundle = await buildChild("receiverChild.ts")
}, 60_000)

afterAll(async () => {
  cleanUp()
  for (const database of databases) await database.drop()
})

/** A small seeded generator (mulberry32), so that a run's deliveries can be reproduced from its printed seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** How many times each event is delivered: 1 to 4 at random, then raised (up to 4) until there are DELIVERIES. */
const plan = (rand: () => number) => {
  const copies = Array.from({ length: EVENTS }, () => 1 + Math.floor(rand() * 4))
  let total = copies.reduce((a, b) => a + b, 0)
  while (total < DELIVERIES) {
    const i = Math.floor(rand() * EVENTS)
    if (copies[i]! < 4) {
      copies[i]!++
      total++
    }
  }
  const deliveries = copies.flatMap((n, i) => Array.from({ length: n }, () => `evt_${String(i).padStart(4, "0")}`))
  // Shuffled: copies of one event arrive at any time, sometimes together.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!]
  }
  return { deliveries, copies }
}

interface Slot {
  port: number
  child: Child
  pid: number
  up: boolean
  pool: Pool
}

interface Report {
  readonly mode: string
  readonly seed: number
  readonly deliveries: number
  readonly events: number
  readonly requests: number
  readonly statuses: Record<string, number>
  readonly kills: number
  readonly wallMs: number
  /** Per event, the pid of each process that answered it 2xx. */
  readonly answeredBy: Map<string, Set<number>>
  readonly killed: Set<number>
}

const run = async (mode: "transactional" | "claim/complete", url: string): Promise<Report> => {
  const seed = Math.floor(Math.random() * 2 ** 31)
  const rand = random(seed)
  const { deliveries } = plan(rand)
  const command = (port: number): ReceiverCommand => ({
    url,
    port,
    secret: key,
    transactional: mode === "transactional",
    claimTimeoutMs: CLAIM_TIMEOUT_MS,
    delayMs: HANDLER_DELAY_MS
  })
  const start = async (port: number) => {
    const child = startChild<ReceiverCommand>(bundle, command(port))
    const line = await child.line((l) => l.startsWith("listening ") || l.startsWith("error "))
    return line.startsWith("listening ")
      ? { child, port: Number(line.slice("listening ".length)) }
      : { child, error: line }
  }
  const pool = (port: number) =>
    // HeyGen waits 10 s for an answer.
    new Pool(`http://127.0.0.1:${port}`, { connections: IN_FLIGHT, headersTimeout: 10_000, bodyTimeout: 10_000 })

  const slots: Array<Slot> = []
  for (const started of await Promise.all(Array.from({ length: INSTANCES }, () => start(0)))) {
    if (started.port === undefined) throw new Error(`a receiver did not start: ${started.error}`)
    slots.push({
      port: started.port,
      child: started.child,
      pid: started.child.process.pid!,
      up: true,
      pool: pool(started.port)
    })
  }

  const statuses: Record<string, number> = {}
  const count = (status: string) => (statuses[status] = (statuses[status] ?? 0) + 1)
  const answeredBy = new Map<string, Set<number>>()
  const killed = new Set<number>()
  let requests = 0
  let delivered = 0
  let finished = false
  const began = Date.now()
  const deadline = began + DEADLINE_MS

  /** One attempt: the status and the answering pid, or a connection error. */
  const post = async (slot: Slot, eventId: string) => {
    const raw = JSON.stringify({
      event_type: "avatar_video.success",
      event_data: { video_id: `v_${eventId}`, url: `https://cdn.example/${eventId}.mp4` }
    })
    // Signed per attempt, as HeyGen signs each one.
    const headers = {
      "content-type": "application/json",
      ...WebhookSignature.sign(raw, secret, Math.floor(Date.now() / 1000)),
      "heygen-event-id": eventId
    }
    requests++
    try {
      const response = await slot.pool.request({ path: "/hooks/heygen", method: "POST", headers, body: raw })
      await response.body.dump()
      return { status: response.statusCode, pid: Number(response.headers["x-receiver-pid"]) }
    } catch {
      // Refused (the instance is down), reset or cut short (it was killed mid-request).
      return { status: undefined, pid: undefined }
    }
  }

  let next = 0
  const driver = async () => {
    while (next < deliveries.length) {
      const eventId = deliveries[next++]!
      for (let attempt = 0;; attempt++) {
        if (Date.now() > deadline) throw new Error(`${mode}: not done after ${DEADLINE_MS} ms`)
        // The load balancer picks any instance, up or not.
        const slot = slots[Math.floor(Math.random() * slots.length)]!
        const { pid, status } = await post(slot, eventId)
        count(status === undefined ? "connection error" : String(status))
        if (status !== undefined && status >= 200 && status < 300) {
          const by = answeredBy.get(eventId) ?? new Set<number>()
          by.add(pid!)
          answeredBy.set(eventId, by)
          break
        }
        // Redelivered after a short backoff (HeyGen's is longer): 20 ms doubling to 400 ms, jittered.
        await sleep(Math.min(20 * 2 ** attempt, 400) * (0.5 + Math.random()))
      }
      delivered++
    }
  }

  // Kills at random points of the run's progress, one in each eighth of the span from 5% to 85% of the deliveries
  // answered (so that kills stay apart enough for the restarts, and all of them happen before the run ends), each of
  // a random instance that is up, restarted on its port after a random pause; never the last one up.
  const killAt = Array.from({ length: KILLS }, (_, i) => 0.05 + (0.8 / KILLS) * (i + Math.random()))
  let kills = 0
  const restarts: Array<Promise<void>> = []
  const restart = async (slot: Slot) => {
    await sleep(50 + Math.random() * 350)
    let started = await start(slot.port)
    // The port was taken meanwhile (an outgoing connection's ephemeral port): any other.
    if (started.port === undefined) started = await start(0)
    if (started.port === undefined) throw new Error(`a receiver did not restart: ${started.error}`)
    if (started.port !== slot.port) {
      await slot.pool.destroy()
      slot.pool = pool(started.port)
      slot.port = started.port
    }
    slot.child = started.child
    slot.pid = started.child.process.pid!
    slot.up = true
  }
  const killer = async () => {
    for (const at of killAt) {
      while (!finished && (delivered / deliveries.length < at || slots.filter((s) => s.up).length < 2)) {
        await sleep(2)
      }
      if (finished) return
      const up = slots.filter((s) => s.up)
      const slot = up[Math.floor(Math.random() * up.length)]!
      slot.up = false
      killed.add(slot.pid)
      slot.child.process.kill("SIGKILL")
      await slot.child.exited
      kills++
      restarts.push(restart(slot))
    }
  }

  try {
    const killing = killer()
    await Promise.all(Array.from({ length: IN_FLIGHT }, driver))
    finished = true
    await killing
    await Promise.all(restarts)
  } finally {
    finished = true
    await Promise.allSettled(restarts)
    for (const slot of slots) {
      slot.child.process.kill("SIGKILL")
      await slot.pool.destroy()
    }
  }
  return {
    mode,
    seed,
    deliveries: deliveries.length,
    events: new Set(deliveries).size,
    requests,
    statuses,
    kills,
    wallMs: Date.now() - began,
    answeredBy,
    killed
  }
}

/** What the database holds after a run: the log's rows by state, and each event's handler rows (pids in order). */
const readBack = (url: string) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.all({
        log: sql<
          { state: string; n: string }
        >`SELECT state, count(*) AS n FROM heygen_webhook_deliveries GROUP BY state`,
        logIds: sql<{ event_id: string }>`SELECT event_id FROM heygen_webhook_deliveries WHERE state = 'done'`,
        handled: sql<{ event_id: string; pids: Array<number> }>`
          SELECT event_id, array_agg(pid ORDER BY id) AS pids FROM handled GROUP BY event_id`
      })).pipe(Effect.provide(sqlClient(url, { maxConnections: 1 })), Effect.scoped)
  )

const fresh = async () => {
  const database = await createDatabase("scale")
  databases.push(database)
  // The handler's own table; the log's is made by the receivers themselves, all starting at once.
  await Effect.runPromise(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql`CREATE TABLE handled (id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, pid INT NOT NULL)`
    ).pipe(Effect.provide(sqlClient(database.url, { maxConnections: 1 })), Effect.scoped)
  )
  return database.url
}

const summary = (report: Report, runs: number, reruns: number) =>
  `scale-out, ${report.mode}: ${report.deliveries} deliveries of ${report.events} events to ${INSTANCES} ` +
  `receiver processes, ${IN_FLIGHT} in flight: ${report.requests} requests, statuses ` +
  `${JSON.stringify(report.statuses)}, ${report.kills} SIGKILLs (each restarted), handler runs ${runs} ` +
  `(re-runs ${reruns}), ${(report.wallMs / 1000).toFixed(1)} s (seed ${report.seed})`

const expectSound = (
  report: Report,
  back: Awaited<ReturnType<typeof readBack>>
) => {
  // Everything sent was answered 2xx in the end (the driver redelivers until then), and nothing else than 2xx, 409
  // and connection errors (refused while an instance was down, cut when it was killed) was ever answered.
  expect(report.answeredBy.size).toBe(report.events)
  expect(Object.keys(report.statuses).filter((s) => !["200", "409", "connection error"].includes(s))).toEqual([])
  expect(report.kills).toBe(KILLS)
  // Every event recorded done once (one row per key), none lost, nothing else left in the log.
  expect(back.log.map((row) => [row.state, Number(row.n)])).toEqual([["done", report.events]])
  expect(new Set(back.logIds.map((row) => row.event_id))).toEqual(new Set(report.answeredBy.keys()))
}

describe("several receiver processes on one PostgreSQL, under load and SIGKILL", () => {
  it(
    "transactional mode: every event recorded once, and the handler's own table holds each event exactly once",
    async () => {
      const url = await fresh()
      const report = await run("transactional", url)
      const back = await readBack(url)
      const runs = back.handled.reduce((n, row) => n + row.pids.length, 0)
      console.log(summary(report, runs, runs - back.handled.length))
      expectSound(report, back)
      expect(back.handled.filter((row) => row.pids.length !== 1)).toEqual([])
      expect(back.handled).toHaveLength(report.events)
    },
    120_000
  )

  it(
    "claim/complete mode (claimTimeout 2 s): every event recorded once; each re-run of the handler follows a kill of the process that ran it, before it answered",
    async () => {
      const url = await fresh()
      const report = await run("claim/complete", url)
      const back = await readBack(url)
      const runs = back.handled.reduce((n, row) => n + row.pids.length, 0)
      // A run is explained when a later run exists only because its process was killed between the handler's insert
      // and the record: that process was SIGKILLed, and never answered 2xx for the event.
      const unexplained = back.handled.flatMap((row) =>
        row.pids.slice(0, -1).filter((pid) =>
          !report.killed.has(pid) || (report.answeredBy.get(row.event_id)?.has(pid) ?? false)
        ).map((pid) => `${row.event_id} first run by ${pid}`)
      )
      console.log(summary(report, runs, runs - back.handled.length))
      expectSound(report, back)
      expect(back.handled).toHaveLength(report.events)
      expect(unexplained).toEqual([])
    },
    120_000
  )
})
