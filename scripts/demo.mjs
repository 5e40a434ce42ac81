// The README's main job: create a webhook endpoint with the CLI. With no HEYGEN_API_KEY in the environment it
// runs against the built-in sandbox (the fake HeyGen API on 127.0.0.1), so it works on a fresh machine with no
// account. Extra arguments go to `effect-heygen webhook endpoints create` (e.g. `pnpm demo --url https://...`).
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../packages/cli/bin/effect-heygen.cjs", import.meta.url))
const args = process.argv.slice(2)
const sandbox = !process.env.HEYGEN_API_KEY
if (sandbox) console.error("No HEYGEN_API_KEY set: creating the endpoint in the built-in sandbox.\n")
const argv = [
  "webhook",
  "endpoints",
  "create",
  ...(sandbox ? ["--sandbox"] : []),
  ...(args.includes("--url") ? [] : ["--url", "https://example.com/hooks/heygen"]),
  ...(args.length > 0 ? args : ["--events", "avatar_video.success,avatar_video.fail", "--human"])
]
// The sandbox keeps its state between commands; the demo uses a state file of its own, so that running it twice
// does not meet its own first endpoint (a conflict) nor touch the user's sandbox session.
const env = { ...process.env }
if (sandbox && !env.EFFECT_HEYGEN_SANDBOX_STATE) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eh-demo-"))
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }))
  env.EFFECT_HEYGEN_SANDBOX_STATE = path.join(dir, "sandbox.json")
}
const result = spawnSync(process.execPath, [bin, ...argv], { stdio: "inherit", env })
process.exit(result.status ?? 1)
