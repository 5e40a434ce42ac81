/**
 * Child processes for the multi-process tests: a child script (deliveryLogChild.ts, receiverChild.ts) bundled once
 * per test file from the sources (esbuild, about 1 s; a child then starts in about 0.3 s, where `node --import tsx`
 * takes 2.5 s), started with one JSON command, and every one of them killed when the file ends: by `cleanUp`
 * (afterAll), by this process's exit hook, and, should this process die without either, by the child itself, which
 * exits when its stdin (a pipe from this process) closes.
 */
import * as esbuild from "esbuild"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"
import type { Command } from "./deliveryLogChild.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const bundles = new Set<string>()

/**
 * Bundles a child script of this folder (default deliveryLogChild.ts); returns the bundle's path. better-sqlite3
 * stays outside (it loads its native addon).
 */
export const buildChild = async (entry = "deliveryLogChild.ts"): Promise<string> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "delivery-log-child-"))
  bundles.add(dir)
  const outfile = path.join(dir, "child.cjs")
  const fromSqlite = createRequire(createRequire(import.meta.url).resolve("@effect/sql-sqlite-node/package.json"))
  const betterSqlite = fromSqlite.resolve("better-sqlite3")
  await esbuild.build({
    entryPoints: [path.join(here, entry)],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile,
    logLevel: "error",
    plugins: [{
      name: "native",
      setup(build) {
        build.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: betterSqlite, external: true }))
        build.onResolve({ filter: /^pg-native$/ }, () => ({ path: "pg-native", external: true }))
      }
    }]
  })
  return outfile
}

/** A running child: its lines as they come, `go`, and `kill`. */
export interface Child {
  readonly process: ChildProcess
  /** Resolves with the first line that satisfies `test` (rejects if the child exits first). */
  readonly line: (test: (line: string) => boolean) => Promise<string>
  readonly go: () => void
  /** Resolves when the child has exited. */
  readonly exited: Promise<number | null>
}

const running = new Set<ChildProcess>()

// However the test process ends normally (a failed test, an uncaught error), no child outlives it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL")
})

/** Starts the bundled child with `command` (its JSON is the child's one argument). */
export const startChild = <C = Command>(bundle: string, command: C): Child => {
  const child = spawn(process.execPath, [bundle, JSON.stringify(command)], { stdio: ["pipe", "pipe", "pipe"] })
  running.add(child)
  const seen: Array<string> = []
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>()
  let stderr = ""
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk)
  })
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    seen.push(line)
    for (const waiter of waiters) {
      if (waiter.test(line)) {
        waiters.delete(waiter)
        waiter.resolve(line)
      }
    }
  })
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child)
      resolve(code)
    })
  )
  return {
    process: child,
    line: (test) =>
      new Promise((resolve, reject) => {
        const found = seen.find(test)
        if (found !== undefined) return resolve(found)
        waiters.add({ test, resolve })
        void exited.then(() => {
          const late = seen.find(test)
          if (late !== undefined) resolve(late)
          else reject(new Error(`the child exited without the line expected; it printed: ${seen.join("\n")}${stderr}`))
        })
      }),
    go: () => child.stdin!.write("go\n"),
    exited
  }
}

/** Kills every child still running and removes the bundles (afterAll). */
export const cleanUp = (): void => {
  for (const child of running) child.kill("SIGKILL")
  for (const dir of bundles) fs.rmSync(dir, { recursive: true, force: true })
  bundles.clear()
}

/** Starts `n` children, waits until all are ready, then lets them go at once; resolves with each one's result. */
export const runTogether = async (
  bundle: string,
  commands: ReadonlyArray<Command>
): Promise<Array<string>> => {
  const children = commands.map((command) => startChild(bundle, command))
  await Promise.all(children.map((child) => child.line((line) => line === "ready" || line.startsWith("error"))))
  for (const child of children) child.go()
  return Promise.all(children.map((child) => child.line((line) => line !== "ready")))
}
