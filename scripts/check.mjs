// `pnpm check`: lint (with every @effect/language-service diagnostic: `lint:effect`, a superset of `lint`) and
// docgen side by side (each is mostly one single-threaded TypeScript program, so two cores
// finish both in about the time of the longer), each reporting all of its findings, and a failure if either
// fails. Not `pnpm run --no-bail "/^(lint|docgen)$/"`: pnpm 10 exits 0 from that even when a script fails.
import { spawn } from "node:child_process"

const run = (script) =>
  new Promise((resolve) => {
    const child = spawn("pnpm", ["run", script], { stdio: "inherit" })
    child.on("error", (error) => resolve({ script, code: 1, error }))
    child.on("exit", (code, signal) => resolve({ script, code: code ?? 1, signal }))
  })

const results = await Promise.all(["lint:effect", "docgen"].map(run))
const failed = results.filter((result) => result.code !== 0)
for (const { code, error, script, signal } of failed) {
  console.error(`pnpm check: ${script} failed (${error?.message ?? signal ?? `exit code ${code}`})`)
}
process.exitCode = failed.length === 0 ? 0 : 1
