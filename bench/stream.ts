/**
 * The `WebhookEndpoints.stream` row: 100 pages of 100 endpoints through an in-memory HttpClient, so that what is
 * measured is our pipeline (request, classify, decode, paginate) and not a socket. Compared with `JSON.parse` of the
 * same 100 page texts alone. Memory: heap sampled after a forced GC on the first and on the last page of one run
 * (constant memory while streaming: nothing piles up per page), and heap retained after a whole run.
 */
import { HeyGenClient, WebhookEndpoints } from "@effect-heygen/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { performance } from "node:perf_hooks"

const PAGES = 100
const PER_PAGE = 100
const ITEMS = PAGES * PER_PAGE

const endpoint = (i: number) => ({
  endpoint_id: `ep_${i.toString(16).padStart(12, "0")}`,
  url: `https://example.com/hooks/${i}`,
  events: i % 3 === 0 ? null : ["avatar_video.success", "avatar_video.fail"],
  status: "enabled",
  created_at: "2024-04-01T12:00:00Z",
  secret: null
})

// Page n (0-based) is reached with token `t<n>`; the first with no token.
const pages: ReadonlyArray<string> = Array.from({ length: PAGES }, (_, n) =>
  JSON.stringify({
    data: Array.from({ length: PER_PAGE }, (_, i) => endpoint(n * PER_PAGE + i)),
    has_more: n < PAGES - 1,
    next_token: n < PAGES - 1 ? `t${n + 1}` : null
  }))

const inMemory = HttpClient.make((request, url) => {
  const token = url.searchParams.get("token")
  const body = pages[token === null ? 0 : Number(token.slice(1))]!
  return Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(body, { status: 200, headers: { "content-type": "application/json" } })
    )
  )
})

const makeRuntime = () =>
  ManagedRuntime.make(
    HeyGenClient.layer({ apiKey: "bench_api_key_0123456789", baseUrl: "https://api.heygen.test" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, inMemory))
    )
  )

const gcNow = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run node with --expose-gc")
  gc()
  gc()
}

/** Items per second through the stream and through `JSON.parse` alone, medians of `rounds`. */
export const streamThroughput = async (rounds: number) => {
  const runtime = makeRuntime()
  const all = WebhookEndpoints.stream({ limit: PER_PAGE }).pipe(Stream.runCount)
  const ours: Array<number> = []
  const floor: Array<number> = []
  await runtime.runPromise(all) // warm
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now()
    const count = await runtime.runPromise(all)
    if (count !== ITEMS) throw new Error(`stream gave ${count} items, expected ${ITEMS}`)
    ours.push(ITEMS / ((performance.now() - t0) / 1000))
    t0 = performance.now()
    let parsed = 0
    for (const page of pages) parsed += (JSON.parse(page) as { data: Array<unknown> }).data.length
    if (parsed !== ITEMS) throw new Error("parse miscounted")
    floor.push(ITEMS / ((performance.now() - t0) / 1000))
  }
  await runtime.dispose()
  const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[xs.length >> 1]!
  return { oursPerSecond: median(ours), parsePerSecond: median(floor) }
}

/** Heap (MB, after GC) on the first page and on the last page of one run, and after the run, against before it. */
export const streamMemory = async () => {
  const runtime = makeRuntime()
  await runtime.runPromise(WebhookEndpoints.stream({ limit: PER_PAGE }).pipe(Stream.runDrain)) // warm
  gcNow()
  const before = process.memoryUsage().heapUsed
  const samples: Array<number> = []
  await runtime.runPromise(
    WebhookEndpoints.stream({ limit: PER_PAGE }).pipe(
      Stream.zipWithIndex,
      Stream.tap(([, i]) =>
        Effect.sync(() => {
          if (i === PER_PAGE - 1 || i === ITEMS - 1) {
            gcNow()
            samples.push(process.memoryUsage().heapUsed)
          }
        })
      ),
      Stream.runDrain
    )
  )
  gcNow()
  const after = process.memoryUsage().heapUsed
  await runtime.dispose()
  const mb = (bytes: number) => bytes / 2 ** 20
  return { firstToLastPageMB: mb(samples[1]! - samples[0]!), retainedMB: mb(after - before) }
}
