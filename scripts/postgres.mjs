// A throwaway PostgreSQL cluster for tests and benchmarks: the one starter every test (through the vitest global
// setup, vitest.postgres.ts) and the bench use. `initdb` in a fresh temporary directory, `pg_ctl start` on a free
// loopback port with trust authentication, stopped and the directory removed by `stop()`, and also when the process
// that started it dies in any way (a detached reaper holds a pipe from it; see `reap` below).
//
// initdb refuses to run as root ("cannot be run as root"), and CI runs as root: then every server command runs as
// the `postgres` user (`runuser -u postgres --`) in a directory that user owns. As any other user, directly.
//
// From a shell: `node scripts/postgres.mjs` starts one, prints its URL and keeps it until Ctrl-C.
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** How to get the server binaries, named in every failure to find them. */
export const installHint = "install PostgreSQL's server (Debian/Ubuntu: `apt-get install postgresql`), " +
  "or set HEYGEN_TEST_DATABASE_URL to a server where the tests may create databases"

/** The environment variable naming an existing server to use instead of starting one. */
export const urlVariable = "HEYGEN_TEST_DATABASE_URL"

/** The environment variable naming the directory of `initdb` and `pg_ctl`, where they are not found otherwise. */
export const binVariable = "HEYGEN_POSTGRES_BIN"

/** PostgreSQL could not be started here; the message says why and what to install or set. */
export class PostgresUnavailable extends Error {
  constructor(message) {
    super(message)
    this.name = "PostgresUnavailable"
  }
}

const isExecutable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The directory holding `initdb` and `pg_ctl`: HEYGEN_POSTGRES_BIN when set, else on PATH, or where Debian puts each major version
 * (/usr/lib/postgresql/<major>/bin, not on PATH), the newest first. `undefined` when there is none.
 */
export const findBinaries = () => {
  const given = process.env[binVariable]
  if (given !== undefined && given.length > 0) {
    return isExecutable(path.join(given, "initdb")) && isExecutable(path.join(given, "pg_ctl")) ? given : undefined
  }
  const fromPath = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir.length > 0)
  for (const dir of fromPath) {
    if (isExecutable(path.join(dir, "initdb")) && isExecutable(path.join(dir, "pg_ctl"))) return dir
  }
  const debian = "/usr/lib/postgresql"
  const majors = fs.existsSync(debian)
    ? fs.readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))
    : []
  for (const major of majors) {
    const dir = path.join(debian, major, "bin")
    if (isExecutable(path.join(dir, "initdb")) && isExecutable(path.join(dir, "pg_ctl"))) return dir
  }
  return undefined
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0

/** uid and gid of the `postgres` user, when running as root (initdb refuses root). */
const postgresUser = () => {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: "pipe" }).trim())
    return { uid, gid }
  } catch {
    throw new PostgresUnavailable(
      "running as root, and PostgreSQL's initdb refuses root: a `postgres` user is needed to run the server as " +
        `(the postgresql package creates it); ${installHint}`
    )
  }
}

/** The command line for a server binary: as the `postgres` user when we are root. */
const asServerUser = (bin, file, args) =>
  isRoot() ? ["runuser", ["-u", "postgres", "--", path.join(bin, file), ...args]] : [path.join(bin, file), args]

const run = (bin, file, args) => {
  const [command, argv] = asServerUser(bin, file, args)
  const result = spawnSync(command, argv, { encoding: "utf8", stdio: "pipe" })
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim()
    throw new PostgresUnavailable(
      `${file} failed (${result.error?.message ?? `exit code ${result.status}`})${output ? `: ${output}` : ""}`
    )
  }
  return result.stdout
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(address.port))
    })
  })

// Settings for a server whose data is thrown away: nothing is flushed to disk. A test kills clients, never the
// server, so durability is not what they check. `durable: true` keeps the defaults (a benchmark may want them).
const fastSettings = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }

const reaperScript = fileURLToPath(import.meta.url)

/**
 * Starts a throwaway cluster. Resolves to `{ url, host, port, dir, stop }`; `stop()` stops the server (immediate
 * mode: the data is thrown away) and removes `dir`. Fails with `PostgresUnavailable` when the binaries are
 * missing or the server does not start (with the end of its log).
 *
 * @param {{ durable?: boolean, settings?: Record<string, string | number> }} [options]
 */
export const startPostgres = async (options = {}) => {
  const bin = findBinaries()
  if (bin === undefined) {
    const given = process.env[binVariable]
    const where = given ? `in ${binVariable}=${given}` : "on PATH or in /usr/lib/postgresql"
    throw new PostgresUnavailable(
      `PostgreSQL's initdb and pg_ctl were not found ${where}; ${installHint}`
    )
  }
  const owner = isRoot() ? postgresUser() : undefined
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heygen-pg-"))
  if (owner !== undefined) fs.chownSync(dir, owner.uid, owner.gid)
  const data = path.join(dir, "data")

  // The reaper starts first, so that even a failure half-way through initdb leaves nothing behind.
  const reaper = spawn(process.execPath, [reaperScript, "--reap", dir, bin], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"]
  })
  reaper.unref()
  reaper.stdin.on("error", () => {})
  // The pipe must not keep this process alive; it closes when this process exits, however it exits.
  reaper.stdin.unref?.()

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    stopCluster(dir, bin)
    reaper.stdin.end()
  }

  try {
    run(bin, "initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions"
    ])
    const settings = { ...(options.durable === true ? {} : fastSettings), max_connections: 200, ...options.settings }
    const extra = Object.entries(settings).map(([key, value]) => `-c ${key}=${value}`).join(" ")
    // A port found free can be taken before the server binds it: try a few.
    for (let attempt = 1;; attempt++) {
      const port = await freePort()
      try {
        run(bin, "pg_ctl", [
          "-D",
          data,
          "-l",
          path.join(dir, "log"),
          "-w",
          "-t",
          "30",
          "-o",
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${extra}`,
          "start"
        ])
        const host = "127.0.0.1"
        return { url: `postgresql://postgres@${host}:${port}/postgres`, host, port, dir, stop }
      } catch (error) {
        const log = readTail(path.join(dir, "log"))
        if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue
        throw new PostgresUnavailable(`${error.message}${log ? `\nserver log:\n${log}` : ""}`)
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
}

const readTail = (file) => {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-12).join("\n")
  } catch {
    return ""
  }
}

const stopCluster = (dir, bin) => {
  const data = path.join(dir, "data")
  if (fs.existsSync(path.join(data, "postmaster.pid"))) {
    const [command, argv] = asServerUser(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
    spawnSync(command, argv, { stdio: "ignore" })
  }
  fs.rmSync(dir, { recursive: true, force: true })
}

/**
 * The reaper: waits until the pipe from the process that started the cluster closes (it stopped the cluster, or
 * it died: killed, crashed, interrupted), then stops the cluster if it still runs and removes its directory.
 * Detached, in a session of its own, so the Ctrl-C that ends a test run does not end it first.
 */
const reap = (dir, bin) => {
  const finish = () => {
    stopCluster(dir, bin)
    process.exit(0)
  }
  for (const signal of ["SIGINT", "SIGHUP"]) process.on(signal, () => {})
  process.on("SIGTERM", finish)
  process.stdin.on("close", finish)
  process.stdin.resume()
}

const main = async () => {
  const cluster = await startPostgres()
  console.log(cluster.url)
  // Kept until a signal; the reaper stops the cluster however this process ends.
  const keepAlive = setInterval(() => {}, 1 << 30)
  const end = () => {
    clearInterval(keepAlive)
    return cluster.stop()
  }
  process.on("SIGINT", end)
  process.on("SIGTERM", end)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === reaperScript) {
  if (process.argv[2] === "--reap") {
    reap(process.argv[3], process.argv[4])
  } else {
    main().catch((error) => {
      console.error(error.message)
      process.exit(1)
    })
  }
}
