/**
 * `pnpm bench`: our createWebhookEndpoint against raw fetch (the floor) and openapi-fetch (what a user would pick
 * instead), plus CPU cost, memory, bundle size and CLI start-up. Every figure is a ratio against a baseline
 * measured in the same run, because these machines are shared and noisy: absolute numbers mean little.
 */
import { createWebhookEndpoint, HeyGenClient, WebhookEndpoint } from "@effect-heygen/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as esbuild from "esbuild"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import { performance } from "node:perf_hooks"
import * as zlib from "node:zlib"
import createClient from "openapi-fetch"
import { okBody } from "./body.mjs"
import { followFigures } from "./follow.js"
import type { paths } from "./generated/heygen.js"
import type { Figure as ReceiveFigure } from "./receive.js"
import { receiveFigures, receiveOnlyMain, receiveServerMain } from "./receive.js"
import { isPgKind, receivePgFigures, receivePgServerMain } from "./receivePg.js"
import { streamMemory, streamThroughput } from "./stream.js"

// This file runs as bench/dist/run.mjs.
const root = new URL("../../", import.meta.url)
const quick = process.env["BENCH_QUICK"] === "1"
const SEQUENTIAL = quick ? 300 : 2_000
const CONCURRENT = quick ? 1_000 : 10_000
const CONCURRENCY = 64
const ROUNDS = quick ? 1 : 3
const MEMORY_CALLS = quick ? 2_000 : 20_000
// BENCH_ONLY=seq,conc,cpu,mem,stream,size,startup,receive,pg,follow runs only those sections (the machines are shared: measure what
// you need). Unset, everything runs.
const only = process.env["BENCH_ONLY"]?.split(",").map((s) => s.trim())
const wants = (section: string) => only === undefined || only.includes(section)

// ---------------------------------------------------------------------------------------------------------------
// The server (bench/server.mjs): the spec's 200 body on 127.0.0.1, in a child process so that its CPU does not
// count against the clients being measured.

const startServer = () =>
  new Promise<{ baseUrl: string; close: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [new URL("bench/server.mjs", root).pathname], {
      stdio: ["pipe", "pipe", "inherit"]
    })
    child.once("error", reject)
    child.stdout.once("data", (chunk: Buffer) => {
      resolve({ baseUrl: `http://127.0.0.1:${chunk.toString().trim()}`, close: () => child.stdin.end() })
    })
  })

// ---------------------------------------------------------------------------------------------------------------
// The three clients, each making one create call.

const apiKey = "bench_api_key_0123456789"
const request = { url: "https://example.com/webhook", events: ["avatar_video.success", "avatar_video.fail"] } as const
type Client = { readonly name: string; readonly call: () => Promise<unknown> }

const makeClients = (baseUrl: string) => {
  const rawFetch: Client = {
    name: "raw fetch",
    call: async () => {
      const res = await fetch(`${baseUrl}/v3/webhooks/endpoints`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "x-api-key": apiKey,
          "idempotency-key": crypto.randomUUID()
        },
        body: JSON.stringify(request)
      })
      const json = JSON.parse(await res.text()) as { data: { endpoint_id: string } }
      if (res.status !== 200) throw new Error(`status ${res.status}`)
      return json.data
    }
  }
  const peer = createClient<paths>({ baseUrl, headers: { "x-api-key": apiKey } })
  const openapiFetch: Client = {
    name: "openapi-fetch",
    call: async () => {
      const { data, error } = await peer.POST("/v3/webhooks/endpoints", {
        // openapi-typescript makes fields with a default required, so the generated client insists on entity_id.
        body: { ...request, events: [...request.events], entity_id: null },
        params: { header: { "Idempotency-Key": crypto.randomUUID() } }
      })
      if (error !== undefined || data === undefined) throw new Error("openapi-fetch call failed")
      return data.data
    }
  }
  const runtime = ManagedRuntime.make(
    HeyGenClient.layer({ apiKey, baseUrl }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )
  const ours: Client = { name: "effect-heygen", call: () => runtime.runPromise(createWebhookEndpoint(request)) }
  return { clients: [rawFetch, openapiFetch, ours] as const, dispose: () => runtime.dispose() }
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements.

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const sequential = async (client: Client, n: number) => {
  const latencies: Array<number> = []
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await client.call()
    latencies.push(performance.now() - t0)
  }
  const seconds = (performance.now() - start) / 1000
  return { medianMs: median(latencies), perSecond: n / seconds }
}

const percentile = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!
}

/** Throughput with `concurrency` calls in flight, and the latency distribution of those calls. */
const concurrent = async (client: Client, n: number, concurrency: number) => {
  let next = 0
  const latencies: Array<number> = []
  const start = performance.now()
  const cpu = process.cpuUsage()
  const worker = async () => {
    while (next++ < n) {
      const t0 = performance.now()
      await client.call()
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const { system, user } = process.cpuUsage(cpu)
  return {
    perSecond: n / ((performance.now() - start) / 1000),
    // This process's CPU per call (the server runs in another): unlike wall-clock throughput, it barely moves when
    // other processes load the machine, so it is the figure to compare two versions of the pipeline by.
    cpuUsPerCall: (system + user) / n,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99)
  }
}

/** Runs `measure` for every client over several rounds, rotating the order, and keeps the median per client. */
const rounds = async <A extends Record<string, number>>(
  clients: ReadonlyArray<Client>,
  measure: (c: Client) => Promise<A>
) => {
  const results = new Map<string, Array<A>>()
  for (let r = 0; r < ROUNDS; r++) {
    const order = clients.map((_, i) => clients[(i + r) % clients.length]!)
    for (const client of order) {
      const list = results.get(client.name) ?? []
      list.push(await measure(client))
      results.set(client.name, list)
    }
  }
  const out = new Map<string, A>()
  for (const [name, list] of results) {
    const keys = Object.keys(list[0]!) as Array<keyof A>
    out.set(name, Object.fromEntries(keys.map((k) => [k, median(list.map((a) => a[k] as number))])) as A)
  }
  return out
}

const timeOps = (f: () => unknown, iterations: number) => {
  for (let i = 0; i < 2_000; i++) f()
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) f()
  return Number(process.hrtime.bigint() - start) / iterations
}

const cpuCost = () => {
  const Request = WebhookEndpoint.CreateWebhookEndpointRequest
  const Response = WebhookEndpoint.CreateWebhookEndpointResponse
  const encode = Schema.encodeUnknownSync(Request)
  const decode = Schema.decodeUnknownSync(Response)
  const responseText = okBody.toString()
  const ours = () => decode(JSON.parse((JSON.stringify(encode(request, { onExcessProperty: "error" })), responseText)))
  const floor = () => JSON.parse((JSON.stringify(request), responseText))
  const iterations = quick ? 20_000 : 200_000
  const samples = Array.from(
    { length: ROUNDS },
    () => ({ ours: timeOps(ours, iterations), floor: timeOps(floor, iterations) })
  )
  return { oursNs: median(samples.map((s) => s.ours)), floorNs: median(samples.map((s) => s.floor)) }
}

const settle = async (gc: () => void) => {
  // Two collections with a turn of the event loop between them, so finalizers and freed sockets are gone too.
  gc()
  await new Promise((resolve) => setImmediate(resolve))
  gc()
}

/**
 * RSS growth across MEMORY_CALLS calls, measured after a first batch of the same size: the first batch grows
 * the heap's young generation and the socket pool to their working size, which is not a leak; what a second
 * batch adds on top is.
 */
const memoryGrowth = async (client: Client) => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run node with --expose-gc")
  await concurrent(client, MEMORY_CALLS, CONCURRENCY)
  await settle(gc)
  const before = process.memoryUsage()
  await concurrent(client, MEMORY_CALLS, CONCURRENCY)
  await settle(gc)
  const after = process.memoryUsage()
  return { rssMB: (after.rss - before.rss) / 2 ** 20, heapMB: (after.heapUsed - before.heapUsed) / 2 ** 20 }
}

/**
 * Memory is measured in a fresh process that runs only our client: in this one, what the other clients left
 * behind is returned to the system at unpredictable times and swung RSS by tens of MB either way.
 */
const memoryInChild = (baseUrl: string): { rssMB: number; heapMB: number } => {
  const result = spawnSync(process.execPath, ["--expose-gc", new URL(import.meta.url).pathname, "--memory", baseUrl], {
    encoding: "utf8",
    env: process.env
  })
  if (result.status !== 0) throw new Error(`memory run failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as { rssMB: number; heapMB: number }
}

const memoryMain = async (baseUrl: string) => {
  const { clients, dispose } = makeClients(baseUrl)
  const mem = await memoryGrowth(clients[2])
  await dispose()
  process.stdout.write(JSON.stringify(mem))
}

/**
 * Core's weight in a consumer's bundle (esbuild, minified, gzipped; effect and the platform external). `entry` is
 * the consumer's module: the whole package, or a program that calls the API and receives no webhooks, which
 * should not carry the receiving side (`sideEffects: false` lets a bundler drop the modules it does not use).
 */
const bundleSize = (entry: "all" | "api") => {
  const index = new URL("packages/core/dist/index.js", root).pathname
  const result = esbuild.buildSync({
    ...(entry === "all"
      ? { entryPoints: [index] }
      : {
        stdin: {
          contents: `export { HeyGenClient, HeyGenError, WebhookEndpoints, WebhookEvents } from ${
            JSON.stringify(index)
          }`,
          resolveDir: new URL(".", root).pathname
        }
      }),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    external: ["effect", "effect/*", "@effect/platform", "@effect/platform/*", "node:*"]
  })
  const bytes = result.outputFiles[0]!.contents
  return { minified: bytes.length, gzipped: zlib.gzipSync(bytes, { level: 9 }).length }
}

/** The CLI's own start-up script (interleaved medians of 9 runs), so the two never measure differently. */
const startup = () => {
  const script = new URL("packages/cli/scripts/startup.mjs", root).pathname
  const result = spawnSync(process.execPath, [script, "--json"], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`startup.mjs failed: ${result.stderr}`)
  const { results } = JSON.parse(result.stdout) as { results: ReadonlyArray<{ name: string; medianMs: number }> }
  const median = (name: string) => {
    const found = results.find((r) => r.name === name)
    if (found === undefined) throw new Error(`startup.mjs reported no ${name}`)
    return found.medianMs
  }
  return { floor: median("node -e 0"), help: median("--help"), sandbox: median("create --sandbox") }
}

// ---------------------------------------------------------------------------------------------------------------

// One row of the table: the same shape the receiving rows (bench/receive.ts) produce.
type Figure = ReceiveFigure

const main = async () => {
  const figures: Array<Figure> = []
  const add = (f: Figure) => figures.push(f)
  const server = await startServer()
  const { clients, dispose } = makeClients(server.baseUrl)
  const [raw, peer, ours] = clients

  // Warm every client (JIT, connection pools) before measuring.
  if (wants("seq") || wants("conc")) { for (const c of clients) await concurrent(c, quick ? 500 : 3_000, CONCURRENCY) }

  if (wants("seq")) {
    const seq = await rounds(clients, (c) => sequential(c, SEQUENTIAL))
    const s = (c: Client) => seq.get(c.name)!
    for (const c of clients) {
      add({
        name: `sequential median latency: ${c.name}`,
        value: s(c).medianMs * 1000,
        unit: "µs",
        baseline: "raw fetch",
        ratio: s(c).medianMs / s(raw).medianMs,
        target: c === ours ? "≤ 1.15x" : "",
        pass: c === ours ? s(c).medianMs / s(raw).medianMs <= 1.15 : null
      })
    }
    add({
      name: "sequential median latency: effect-heygen vs openapi-fetch",
      value: s(ours).medianMs * 1000,
      unit: "µs",
      baseline: "openapi-fetch",
      ratio: s(ours).medianMs / s(peer).medianMs,
      target: "≤ 1.00x",
      pass: s(ours).medianMs <= s(peer).medianMs
    })
    for (const c of clients) {
      add({
        name: `sequential throughput: ${c.name}`,
        value: s(c).perSecond,
        unit: "calls/s",
        baseline: "raw fetch",
        ratio: s(c).perSecond / s(raw).perSecond,
        target: c === ours ? "≥ 0.85x" : "",
        pass: c === ours ? s(c).perSecond / s(raw).perSecond >= 0.85 : null
      })
    }
  }

  if (wants("conc")) {
    const conc = await rounds(clients, (c) => concurrent(c, CONCURRENT, CONCURRENCY))
    const k = (c: Client) => conc.get(c.name)!
    for (const c of clients) {
      add({
        name: `throughput at concurrency ${CONCURRENCY}: ${c.name}`,
        value: k(c).perSecond,
        unit: "calls/s",
        baseline: "raw fetch",
        ratio: k(c).perSecond / k(raw).perSecond,
        target: c === ours ? "≥ 0.85x" : "",
        pass: c === ours ? k(c).perSecond / k(raw).perSecond >= 0.85 : null
      })
    }
    add({
      name: `throughput at concurrency ${CONCURRENCY}: effect-heygen vs openapi-fetch`,
      value: k(ours).perSecond,
      unit: "calls/s",
      baseline: "openapi-fetch",
      ratio: k(ours).perSecond / k(peer).perSecond,
      target: "≥ 1.00x",
      pass: k(ours).perSecond >= k(peer).perSecond
    })
    for (const c of clients) {
      add({
        name: `CPU per call at concurrency ${CONCURRENCY}: ${c.name}`,
        value: k(c).cpuUsPerCall,
        unit: "µs",
        baseline: "raw fetch",
        ratio: k(c).cpuUsPerCall / k(raw).cpuUsPerCall,
        target: "reported",
        pass: null
      })
    }
    for (const c of clients) {
      add({
        name: `latency p50 at concurrency ${CONCURRENCY}: ${c.name}`,
        value: k(c).p50Ms * 1000,
        unit: "µs",
        baseline: "raw fetch",
        ratio: k(c).p50Ms / k(raw).p50Ms,
        target: "reported",
        pass: null
      })
      add({
        name: `latency p99 at concurrency ${CONCURRENCY}: ${c.name}`,
        value: k(c).p99Ms * 1000,
        unit: "µs",
        baseline: "raw fetch",
        ratio: k(c).p99Ms / k(raw).p99Ms,
        target: "reported",
        pass: null
      })
    }
  }

  if (wants("cpu")) {
    const cpu = cpuCost()
    add({
      name: "CPU per call: validate + encode + decode",
      value: cpu.oursNs / 1000,
      unit: "µs",
      baseline: "JSON.stringify + JSON.parse",
      ratio: cpu.oursNs / cpu.floorNs,
      target: "reported",
      pass: null
    })
  }

  if (wants("mem")) {
    const mem = memoryInChild(server.baseUrl)
    add({
      name: `RSS growth over ${MEMORY_CALLS} calls after GC`,
      value: mem.rssMB,
      unit: "MB",
      baseline: "-",
      ratio: null,
      target: "≤ 10 MB",
      pass: mem.rssMB <= 10
    })
    add({
      name: `heap growth over ${MEMORY_CALLS} calls after GC`,
      value: mem.heapMB,
      unit: "MB",
      baseline: "-",
      ratio: null,
      target: "reported",
      pass: null
    })
  }

  await dispose()
  server.close()

  if (wants("stream")) {
    const st = await streamThroughput(quick ? 1 : ROUNDS)
    add({
      name: "stream: 100 pages of 100 endpoints, in-memory HttpClient",
      value: st.oursPerSecond,
      unit: "items/s",
      baseline: "JSON.parse alone",
      ratio: st.oursPerSecond / st.parsePerSecond,
      target: "reported",
      pass: null
    })
    const sm = await streamMemory()
    add({
      name: "stream: heap growth from first to last page, after GC",
      value: sm.firstToLastPageMB,
      unit: "MB",
      baseline: "-",
      ratio: null,
      target: "≤ 1 MB",
      pass: sm.firstToLastPageMB <= 1
    })
    add({
      name: "stream: heap retained after a whole run, after GC",
      value: sm.retainedMB,
      unit: "MB",
      baseline: "-",
      ratio: null,
      target: "reported",
      pass: null
    })
  }

  if (wants("size")) {
    const api = bundleSize("api")
    const all = bundleSize("all")
    add({
      name: "core for an API consumer (HeyGenClient, HeyGenError, WebhookEndpoints, WebhookEvents; gzipped)",
      value: api.gzipped / 1024,
      unit: "KB",
      baseline: "-",
      ratio: null,
      target: "≤ 12 KB",
      pass: api.gzipped <= 12 * 1024
    })
    add({
      name: "core whole, receiving side included (esbuild, minified, gzipped; effect and platform external)",
      value: all.gzipped / 1024,
      unit: "KB",
      baseline: "-",
      ratio: null,
      target: "reported",
      pass: null
    })
  }

  if (wants("startup")) {
    const cli = startup()
    add({
      name: "CLI start-up, median of 9: node -e 0",
      value: cli.floor,
      unit: "ms",
      baseline: "node -e 0",
      ratio: 1,
      target: "",
      pass: null
    })
    add({
      name: "CLI start-up, median of 9: --help",
      value: cli.help,
      unit: "ms",
      baseline: "node -e 0",
      ratio: cli.help / cli.floor,
      target: "≤ 2.5x",
      pass: cli.help / cli.floor <= 2.5
    })
    add({
      name: "CLI start-up, median of 9: create --sandbox",
      value: cli.sandbox,
      unit: "ms",
      baseline: "node -e 0",
      ratio: cli.sandbox / cli.floor,
      target: "reported",
      pass: null
    })
  }

  if (wants("receive")) { for (const f of await receiveFigures(new URL(import.meta.url).pathname, quick)) add(f) }

  if (wants("pg")) { for (const f of await receivePgFigures(new URL(import.meta.url).pathname, quick)) add(f) }

  if (wants("follow")) { for (const f of await followFigures(quick)) add(f) }

  const rows = figures.map((f) => [
    f.name,
    `${f.value.toFixed(f.value < 100 ? 2 : 0)} ${f.unit}`,
    f.ratio === null ? "" : `${f.ratio.toFixed(2)}x ${f.baseline}`,
    f.target,
    f.pass === null ? "" : f.pass ? "ok" : "MISSED"
  ])
  const header = ["figure", "value", "ratio", "target", ""]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  console.log(
    `\neffect-heygen bench (node ${process.version}, ${os.cpus().length} cores${quick ? ", BENCH_QUICK" : ""})\n`
  )
  console.log(line(header))
  console.log(widths.map((w) => "-".repeat(w)).join("  "))
  for (const r of rows) console.log(line(r))
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    quick,
    sequentialCalls: SEQUENTIAL,
    concurrentCalls: CONCURRENT,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    figures
  }
  fs.writeFileSync(new URL("bench/results.json", root), `${JSON.stringify(results, null, 2)}\n`)
  console.log("\nwritten: bench/results.json")
}

/**
 * `node --cpu-prof bench/dist/run.mjs --profile <client> <calls>`: only that client at concurrency 64, after a warm-up,
 * so that a CPU profile shows its frames and little else.
 */
const profileMain = async (name: string, calls: number) => {
  const server = await startServer()
  const { clients, dispose } = makeClients(server.baseUrl)
  const client = clients.find((c) => c.name === name)
  if (client === undefined) throw new Error(`no client ${name}`)
  await concurrent(client, 3_000, CONCURRENCY)
  const result = await concurrent(client, calls, CONCURRENCY)
  console.log(JSON.stringify(result))
  await dispose()
  server.close()
}

const memoryArg = process.argv.indexOf("--memory")
const profileArg = process.argv.indexOf("--profile")
const receiveServerArg = process.argv.indexOf("--receive-server")
const serverKind = process.argv[receiveServerArg + 1] ?? ""
const run = receiveServerArg !== -1
  ? Promise.resolve(isPgKind(serverKind) ? receivePgServerMain(serverKind) : receiveServerMain(serverKind))
  : process.argv.includes("--receive-only")
  ? receiveOnlyMain(new URL(import.meta.url).pathname, quick)
  : profileArg !== -1
  ? profileMain(process.argv[profileArg + 1]!, Number(process.argv[profileArg + 2] ?? 20_000))
  : memoryArg === -1
  ? main()
  : memoryMain(process.argv[memoryArg + 1]!)
run.catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
