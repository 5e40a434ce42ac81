/**
 * The `follow` rows (`BENCH_ONLY=follow`): what following HeyGen's event log costs while nothing happens, and how
 * long an event takes from the log to the follower. The log is an in-memory HttpClient (no socket), so what is
 * measured is the follower and the pipeline.
 *
 * - idle requests per minute at the default interval (5 s), under TestClock over 10 virtual minutes, on a log of
 *   1,000 old events listed newest first and oldest first: the requests are counted at the HttpClient;
 * - CPU per idle poll, in real time with a 5 ms interval on the same logs, and what that makes per hour at the
 *   default interval;
 * - latency from an event appended to the log to its emission, in real time, with a 200 ms interval (an event waits
 *   for the next poll: between 0 and one interval, half of one on average).
 */
import { HeyGenClient, WebhookEvents } from "@effect-heygen/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { performance } from "node:perf_hooks"
import type { Figure } from "./receive.js"

interface LogEvent {
  readonly event_id: string
  readonly event_type: string
  readonly event_data: Record<string, unknown>
  readonly created_at: string
}

/** An event log served in memory, oldest or newest first, in pages with offset tokens; counts its requests. */
const makeLog = (order: "oldest" | "newest", history: number, start: number) => {
  const events: Array<LogEvent> = Array.from({ length: history }, (_, i) => ({
    event_id: `evt_old_${i}`,
    event_type: "avatar_video.success",
    event_data: { video_id: `v_${i}`, url: `https://cdn.example/v_${i}.mp4` },
    created_at: new Date(start - (history - i) * 1000).toISOString()
  }))
  const state = { requests: 0 }
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      state.requests++
      const token = url.searchParams.get("token")
      const limit = Number(url.searchParams.get("limit") ?? 10)
      const from = token === null ? 0 : Number(token)
      const list = order === "oldest" ? events : [...events].reverse()
      const data = list.slice(from, from + limit)
      const more = from + limit < list.length
      const body = JSON.stringify({ data, has_more: more, next_token: more ? String(from + limit) : null })
      return HttpClientResponse.fromWeb(
        request,
        new Response(body, { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )
  const layer = HeyGenClient.layer({ apiKey: "bench_api_key_0123456789", baseUrl: "https://api.heygen.test" }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
  )
  return { events, state, layer }
}

/** Requests per minute of an idle follower at the default interval, over 10 minutes of virtual time. */
const idleRequestsPerMinute = (order: "oldest" | "newest") =>
  Effect.runPromise(
    Effect.gen(function*() {
      const start = Date.parse("2026-12-06T12:00:00Z")
      yield* TestClock.setTime(start)
      const log = makeLog(order, 1_000, start)
      const fiber = yield* WebhookEvents.follow().pipe(Stream.runDrain, Effect.provide(log.layer), Effect.fork)
      yield* TestClock.adjust(0)
      // The first poll reads what it must to learn the log's order; the idle cost is what follows it.
      yield* TestClock.adjust(60_000)
      const before = log.state.requests
      yield* TestClock.adjust(10 * 60_000)
      yield* Fiber.interrupt(fiber)
      return (log.state.requests - before) / 10
    }).pipe(Effect.provide(TestContext.TestContext))
  )

/** CPU (user + system) per idle poll, in real time with a short interval. */
const cpuPerIdlePoll = async (order: "oldest" | "newest", seconds: number) => {
  const log = makeLog(order, 1_000, Date.now())
  const polls = { count: 0 }
  const run = WebhookEvents.followPolls({ pollInterval: "5 millis" }).pipe(
    Stream.runForEach(() => Effect.sync(() => void polls.count++)),
    Effect.provide(log.layer)
  )
  const fiber = Effect.runFork(run)
  // Past the first poll (it reads the whole log once when it is oldest first).
  await new Promise((resolve) => setTimeout(resolve, 500))
  const count0 = polls.count
  const cpu0 = process.cpuUsage()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const cpu = process.cpuUsage(cpu0)
  const count = polls.count - count0
  await Effect.runPromise(Fiber.interrupt(fiber))
  return (cpu.user + cpu.system) / 1000 / count
}

/** Milliseconds from an event appended to the log to its emission, for `n` events at random moments. */
const latency = async (n: number, intervalMs: number) => {
  const log = makeLog("newest", 100, Date.now())
  const appended = new Map<string, number>()
  const delays: Array<number> = []
  const fiber = Effect.runFork(
    WebhookEvents.follow({ pollInterval: `${intervalMs} millis` }).pipe(
      Stream.runForEach((event) =>
        Effect.sync(() => {
          const t = appended.get(event.event_id)
          if (t !== undefined) delays.push(performance.now() - t)
        })
      ),
      Effect.provide(log.layer)
    )
  )
  await new Promise((resolve) => setTimeout(resolve, intervalMs))
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs * 1.5))
    const id = `evt_new_${i}`
    appended.set(id, performance.now())
    log.events.push({
      event_id: id,
      event_type: "avatar_video.success",
      event_data: { video_id: `v_new_${i}` },
      created_at: new Date().toISOString()
    })
  }
  await new Promise((resolve) => setTimeout(resolve, intervalMs * 2))
  await Effect.runPromise(Fiber.interrupt(fiber))
  delays.sort((a, b) => a - b)
  return {
    emitted: delays.length,
    median: delays[Math.floor(delays.length / 2)] ?? Number.NaN,
    max: delays.at(-1) ?? Number.NaN
  }
}

export const followFigures = async (quick: boolean): Promise<ReadonlyArray<Figure>> => {
  const figures: Array<Figure> = []
  for (const order of ["newest", "oldest"] as const) {
    const perMinute = await idleRequestsPerMinute(order)
    figures.push({
      name: `follow: idle requests per minute, default interval, 1,000 old events listed ${order} first`,
      value: perMinute,
      unit: "req/min",
      baseline: "-",
      ratio: null,
      target: "= 12 (one per poll)",
      pass: perMinute === 12
    })
    const cpu = await cpuPerIdlePoll(order, quick ? 1 : 3)
    figures.push({
      name: `follow: CPU per idle poll (${order} first; at the default interval, ms of CPU per hour: x 720)`,
      value: cpu,
      unit: "ms",
      baseline: "-",
      ratio: null,
      target: "reported",
      pass: null
    })
  }
  const interval = 200
  const l = await latency(quick ? 10 : 40, interval)
  figures.push({
    name: `follow: logged to emitted, median of ${l.emitted} events, 200 ms interval`,
    value: l.median,
    unit: "ms",
    baseline: "the interval",
    ratio: l.median / interval,
    target: "≤ 0.75x (half an interval on average)",
    pass: l.median <= 0.75 * interval
  })
  figures.push({
    name: "follow: logged to emitted, slowest, 200 ms interval",
    value: l.max,
    unit: "ms",
    baseline: "the interval",
    ratio: l.max / interval,
    target: "≤ 1.25x (at most one interval)",
    pass: l.max <= 1.25 * interval
  })
  return figures
}
