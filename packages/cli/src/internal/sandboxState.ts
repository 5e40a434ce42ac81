/**
 * The sandbox's memory between commands: the fake API's state in one JSON file, so that `create --sandbox` then
 * `list --sandbox`, `update`, `rotate-secret` and `delete` work as one session would against HeyGen.
 *
 * - Where: `$EFFECT_HEYGEN_SANDBOX_STATE`, else `$XDG_CACHE_HOME/effect-heygen/sandbox.json`, else
 *   `~/.cache/effect-heygen/sandbox.json` (the directory made with mode 0700).
 * - Written atomically: to a temporary file in the same directory (mode 0600), flushed, then renamed over the old
 *   one, so a crash leaves the old state or the new, never half of one.
 * - Locked: a command holds `<file>.lock` (created exclusively, holding its pid) from reading the state to
 *   writing it back, so two commands at once cannot lose each other's changes. A lock whose process is gone is
 *   stale and taken over.
 * - A file that cannot be read or parsed is reported (exit 1) with a hint to `effect-heygen sandbox reset`;
 *   never a crash, and never silently replaced.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Failure from "./failure.js"

/**
 * What the file holds around the fake's own snapshot: a format tag and version, so that a file from another
 * program or a future format is refused by name instead of misread.
 *
 * @since 0.2.0
 * @category constants
 */
export const format = "effect-heygen-sandbox"

/**
 * @since 0.2.0
 * @category constants
 */
export const version = 1

/**
 * The state file's path for an environment.
 *
 * @since 0.2.0
 * @category paths
 */
export const path = (env: Readonly<Record<string, string | undefined>>): string => {
  const explicit = env.EFFECT_HEYGEN_SANDBOX_STATE
  if (explicit !== undefined && explicit !== "") return NodePath.resolve(explicit)
  const cache = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ""
    ? env.XDG_CACHE_HOME
    : NodePath.join(env.HOME !== undefined && env.HOME !== "" ? env.HOME : NodeOs.homedir(), ".cache")
  return NodePath.join(cache, "effect-heygen", "sandbox.json")
}

const codeOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string"
    ? e.code
    : e instanceof Error
    ? e.message
    : String(e)

const stateError = (file: string, message: string) =>
  new Failure.CliError({
    code: "cli_sandbox_state",
    message: `the sandbox state file ${file} ${message}`,
    hint: "run `effect-heygen sandbox reset` to start the sandbox over (its endpoints and events are lost)",
    exitCode: ExitCode.ApiOrNetwork
  })

/**
 * The failure for a state file that parsed but does not hold a sandbox's state.
 *
 * @since 0.2.0
 * @category failures
 */
export const corrupt = (file: string): Failure.CliError => stateError(file, "does not hold a sandbox state")

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return codeOf(e) === "EPERM"
  }
}

/** How long a command waits for another to finish with the sandbox before giving up. */
const lockPatience = 10_000
/** A lock file with no readable pid (a writer died between create and write) is stale after this long. */
const unreadableLockAge = 5_000

const acquire = (file: string): Effect.Effect<string, Failure.CliError> => {
  const lock = `${file}.lock`
  const attempt = Effect.tryPromise({
    try: async (): Promise<boolean> => {
      await NodeFs.mkdir(NodePath.dirname(file), { recursive: true, mode: 0o700 })
      try {
        const handle = await NodeFs.open(lock, "wx", 0o600)
        await handle.writeFile(String(process.pid))
        await handle.close()
        return true
      } catch (e) {
        if (codeOf(e) !== "EEXIST") throw e
      }
      const [text, stat] = await Promise.all([
        NodeFs.readFile(lock, "utf8").catch(() => ""),
        NodeFs.stat(lock).catch(() => undefined)
      ])
      const pid = Number(text)
      const stale = Number.isSafeInteger(pid) && pid > 0
        ? !isAlive(pid)
        : stat === undefined || Date.now() - stat.mtimeMs > unreadableLockAge
      // Taking over a stale lock: remove it and let the next attempt create it exclusively, so that two takers
      // cannot both win.
      if (stale) await NodeFs.unlink(lock).catch(() => undefined)
      return false
    },
    catch: (e) => stateError(file, `cannot be locked (${codeOf(e)})`)
  })
  const loop = (started: number): Effect.Effect<string, Failure.CliError> =>
    Effect.flatMap(Effect.zip(attempt, Clock.currentTimeMillis), ([won, now]) => {
      if (won) return Effect.succeed(lock)
      if (now - started > lockPatience) {
        return Effect.fail(
          new Failure.CliError({
            code: "cli_sandbox_busy",
            message: `another effect-heygen command is using the sandbox (lock: ${lock})`,
            hint: "wait for it to finish; if none is running, delete the lock file",
            exitCode: ExitCode.ApiOrNetwork
          })
        )
      }
      return Effect.zipRight(Effect.sleep("50 millis"), Effect.suspend(() => loop(started)))
    })
  return Effect.flatMap(Clock.currentTimeMillis, loop)
}

const release = (lock: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    // Only our own lock: if it was taken over as stale meanwhile, it is someone else's now.
    const text = await NodeFs.readFile(lock, "utf8").catch(() => "")
    if (text === String(process.pid)) await NodeFs.unlink(lock).catch(() => undefined)
  })

/**
 * Runs `use` holding the lock on the state file.
 *
 * @since 0.2.0
 * @category locking
 */
export const withLock = <A, E, R>(
  file: string,
  use: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Failure.CliError, R> => Effect.acquireUseRelease(acquire(file), () => use, release)

/**
 * Reads the saved state: none when there is no file yet; a failure, with a hint to reset, when it cannot be
 * read or is not a state file.
 *
 * @since 0.2.0
 * @category reading
 */
export const load = (file: string): Effect.Effect<Option.Option<unknown>, Failure.CliError> =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () =>
        NodeFs.readFile(file, "utf8").then(Option.some, (e) => {
          if (codeOf(e) === "ENOENT") return Option.none<string>()
          throw e
        }),
      catch: (e) => stateError(file, `cannot be read (${codeOf(e)})`)
    })
    if (Option.isNone(text)) return Option.none()
    let json: unknown
    try {
      json = JSON.parse(text.value)
    } catch {
      return yield* Effect.fail(stateError(file, "is not valid JSON"))
    }
    if (
      typeof json !== "object" || json === null || !("format" in json) || json.format !== format ||
      !("version" in json) || json.version !== version || !("state" in json)
    ) {
      return yield* Effect.fail(stateError(file, `is not an ${format} state file of version ${version}`))
    }
    return Option.some(json.state)
  })

/**
 * Writes `state` atomically with mode 0600.
 *
 * @since 0.2.0
 * @category writing
 */
export const save = (file: string, state: unknown): Effect.Effect<void, Failure.CliError> =>
  Effect.tryPromise({
    try: async () => {
      await NodeFs.mkdir(NodePath.dirname(file), { recursive: true, mode: 0o700 })
      const temp = `${file}.${NodeCrypto.randomBytes(6).toString("hex")}.tmp`
      try {
        const handle = await NodeFs.open(temp, "wx", 0o600)
        try {
          await handle.writeFile(JSON.stringify({ format, version, state }))
          await handle.sync()
        } finally {
          await handle.close()
        }
        await NodeFs.rename(temp, file)
      } catch (e) {
        await NodeFs.unlink(temp).catch(() => undefined)
        throw e
      }
    },
    catch: (e) => stateError(file, `cannot be written (${codeOf(e)})`)
  })

/**
 * `sandbox reset`: removes the state file (under the lock, so no command is mid-session), whatever it holds.
 *
 * @since 0.2.0
 * @category commands
 */
export const reset = (flags: { readonly human: boolean }): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const file = path(io.env)
    const existed = yield* withLock(
      file,
      Effect.tryPromise({
        try: () =>
          NodeFs.unlink(file).then(() => true, (e) => {
            if (codeOf(e) === "ENOENT") return false
            throw e
          }),
        catch: (e) => stateError(file, `cannot be removed (${codeOf(e)})`)
      })
    )
    io.stdout(
      flags.human
        ? `${existed ? "Sandbox reset" : "Sandbox was already empty"}: ${file}\n`
        : `${JSON.stringify({ reset: true, state_file: file, existed })}\n`
    )
  })
