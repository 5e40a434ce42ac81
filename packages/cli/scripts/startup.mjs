// Start-up medians of the bundled CLI against the Node floor, measured in the same run (interleaved, so that
// machine noise hits every case alike). Usage: node packages/cli/scripts/startup.mjs [--runs N] [--json]
//
// Cases: `node -e 0` (the floor), `effect-heygen --help`, and a create against the built-in sandbox (`--sandbox`:
// fake server start-up, a real HTTP round trip, shutdown). Requires the bundle: pnpm --filter @effect-heygen/cli run bundle.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const bin = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), "bin", "effect-heygen.cjs")
if (!fs.existsSync(bin)) {
  console.error(`${bin} is missing: run pnpm --filter @effect-heygen/cli run bundle`)
  process.exit(2)
}
const runsArg = process.argv.indexOf("--runs")
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9

// The sandbox keeps its state between commands: give it a state file of its own (removed at exit), and each
// create a URL of its own (a second create of the same URL would be a conflict).
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "eh-startup-"))
process.on("exit", () => fs.rmSync(stateDir, { recursive: true, force: true }))
let createRun = 0
const cases = {
  "node -e 0": () => [process.execPath, ["-e", "0"]],
  "--help": () => [process.execPath, [bin, "--help"]],
  "create --sandbox": () => [
    process.execPath,
    [
      bin,
      "webhook",
      "endpoints",
      "create",
      "--sandbox",
      "--url",
      `https://example.com/hooks/${++createRun}`,
      "--events",
      "avatar_video.success"
    ]
  ]
}

const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
const env = { ...process.env, HEYGEN_API_KEY: "", EFFECT_HEYGEN_SANDBOX_STATE: path.join(stateDir, "sandbox.json") }
// One warm-up round: the first spawn pays for cold file caches.
for (let round = -1; round < runs; round++) {
  for (const [name, command] of Object.entries(cases)) {
    const [cmd, args] = command()
    const start = process.hrtime.bigint()
    const result = spawnSync(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) {
      console.error(`${name} exited ${result.status}: ${result.stderr}`)
      process.exit(1)
    }
    if (round >= 0) samples[name].push(ms)
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const floor = median(samples["node -e 0"])
const results = Object.entries(samples).map(([name, xs]) => ({
  name,
  medianMs: Math.round(median(xs) * 10) / 10,
  ratio: Math.round((median(xs) / floor) * 100) / 100,
  runs: xs.length
}))
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ node: process.version, results }))
} else {
  for (const r of results) console.log(`${r.name.padEnd(18)} ${String(r.medianMs).padStart(7)} ms  ${r.ratio}x floor`)
  const help = results.find((r) => r.name === "--help")
  console.log(`--help target: within 2.5x the floor: ${help.ratio <= 2.5 ? "met" : "NOT met"}`)
}
