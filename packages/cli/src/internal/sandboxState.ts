// The sandbox's memory between commands: the fake API's state in one JSON file, so that `create --sandbox` then
// `list --sandbox`, `update`, `rotate-secret` and `delete` work as one session would against HeyGen.
// - Where: `$EFFECT_HEYGEN_SANDBOX_STATE`, else `effect-heygen/sandbox.json` under `$XDG_CACHE_HOME` or `~/.cache`.
// - Atomic: a 0600 temporary file in the same (0700) directory, flushed, renamed over the old: a crash leaves either.
// - Locked: a command holds `<file>.lock` (created exclusively, holding its pid) from reading the state to writing
//   it back, so two commands at once cannot lose each other's changes; a dead process's lock is taken over.
// - Unreadable, or not a sandbox's state: an error (exit 1) with a hint to `sandbox reset`; never a crash, never lost.
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import { CliError } from "./failure.js"
import { codeOf, write as writeSecret } from "./secretOutput.js"

/** The file's format tag (with a version): another program's file, or a future format, is refused by name. */
export const format = "effect-heygen-sandbox"
const version = 1
const StateFile = Schema.Struct({
  format: Schema.Literal(format),
  version: Schema.Literal(version),
  state: Schema.Unknown
})

export const path = (env: Readonly<Record<string, string | undefined>>): string => {
  const given = (name: string) => env[name] === "" ? undefined : env[name]
  const explicit = given("EFFECT_HEYGEN_SANDBOX_STATE")
  if (explicit !== undefined) return NodePath.resolve(explicit)
  const cache = given("XDG_CACHE_HOME") ?? NodePath.join(given("HOME") ?? NodeOs.homedir(), ".cache")
  return NodePath.join(cache, "effect-heygen", "sandbox.json")
}

const stateError = (file: string, message: string) =>
  new CliError({
    code: "cli_sandbox_state",
    message: `the sandbox state file ${file} ${message}`,
    hint: "run `effect-heygen sandbox reset` to start the sandbox over (its endpoints and events are lost)",
    exitCode: ExitCode.ApiOrNetwork
  })

const attempt = <A>(file: string, verb: string, run: () => Promise<A>): Effect.Effect<A, CliError> =>
  Effect.tryPromise({ try: run, catch: (e) => stateError(file, `cannot be ${verb} (${codeOf(e)})`) })

// How long a command waits for another to finish with the sandbox; and when a lock with no readable pid (its writer
// died between creating and writing it) is stale.
const lockPatience = 10_000
const unreadableLockAge = 5_000

const isAlive = (pid: number): boolean => {
  try {
    return process.kill(pid, 0)
  } catch (e) {
    return codeOf(e) === "EPERM" // the process exists but belongs to someone else
  }
}

// One try: true when the lock is ours. A stale lock is only removed, for the next try to create it exclusively,
// so that two takers cannot both win.
const tryLock = async (file: string, lock: string): Promise<boolean> => {
  await NodeFs.mkdir(NodePath.dirname(file), { recursive: true, mode: 0o700 })
  try {
    await NodeFs.writeFile(lock, String(process.pid), { flag: "wx", mode: 0o600 })
    return true
  } catch (e) {
    if (codeOf(e) !== "EEXIST") throw e
  }
  const pid = Number(await NodeFs.readFile(lock, "utf8").catch(() => ""))
  const stale = Number.isSafeInteger(pid) && pid > 0
    ? !isAlive(pid)
    : await NodeFs.stat(lock).then((stat) => Date.now() - stat.mtimeMs > unreadableLockAge, () => true)
  if (stale) await NodeFs.unlink(lock).catch(() => undefined)
  return false
}

const acquire = (file: string): Effect.Effect<string, CliError> =>
  Effect.gen(function*() {
    const lock = `${file}.lock`
    const started = yield* Clock.currentTimeMillis
    while (!(yield* attempt(file, "locked", () => tryLock(file, lock)))) {
      if ((yield* Clock.currentTimeMillis) - started > lockPatience) {
        return yield* new CliError({
          code: "cli_sandbox_busy",
          message: `another effect-heygen command is using the sandbox (lock: ${lock})`,
          hint: "wait for it to finish; if none is running, delete the lock file",
          exitCode: ExitCode.ApiOrNetwork
        })
      }
      yield* Effect.sleep("50 millis")
    }
    return lock
  })

// Only our own lock: one taken over as stale meanwhile is someone else's now.
const release = (lock: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const text = await NodeFs.readFile(lock, "utf8").catch(() => "")
    if (text === String(process.pid)) await NodeFs.unlink(lock).catch(() => undefined)
  })

export const withLock = <A, E, R>(file: string, use: Effect.Effect<A, E, R>): Effect.Effect<A, E | CliError, R> =>
  Effect.acquireUseRelease(acquire(file), () => use, release)

const unlessMissing = <A>(promise: Promise<A>, fallback: A): Promise<A> =>
  promise.catch((e) => codeOf(e) === "ENOENT" ? fallback : Promise.reject(e))

/** The saved state (none when there is no file yet), whatever it holds: `withFake` checks that. */
export const load = (file: string): Effect.Effect<Option.Option<unknown>, CliError> =>
  Effect.gen(function*() {
    const text = yield* attempt(file, "read", () => unlessMissing(NodeFs.readFile(file, "utf8"), undefined))
    if (text === undefined) return Option.none()
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () => stateError(file, "is not valid JSON")
    })
    if (Schema.is(StateFile)(json)) return Option.some(json.state)
    return yield* stateError(file, `is not an ${format} state file of version ${version}`)
  })

// The state holds the endpoints' signing secrets: it is written as a `--secret-file` is.
export const save = (file: string, state: unknown): Effect.Effect<void, CliError> =>
  Effect.zipRight(
    attempt(file, "written", () => NodeFs.mkdir(NodePath.dirname(file), { recursive: true, mode: 0o700 })),
    Effect.mapError(
      writeSecret(file, JSON.stringify({ format, version, state }), { overwrite: true }),
      (error) => stateError(file, `cannot be written (${error.reason})`)
    )
  )

/** Runs `use` under the lock on the fake over the saved state (a fresh one if none); a state it refuses is corrupt. */
export const withFake = <A, E, R>(
  file: string,
  use: (fake: FakeHeyGen.FakeHeyGen) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | CliError, R> =>
  withLock(
    file,
    Effect.gen(function*() {
      const saved = yield* load(file)
      const initialState = Option.isNone(saved) ? undefined : yield* Effect.mapError(
        Schema.decodeUnknown(FakeHeyGen.State)(saved.value),
        () => stateError(file, "does not hold a sandbox state")
      )
      return yield* use(yield* FakeHeyGen.make({ initialState }))
    })
  )

export const saveFake = (file: string, fake: FakeHeyGen.FakeHeyGen): Effect.Effect<void, CliError> =>
  Effect.flatMap(fake.snapshot, (state) => save(file, Schema.encodeSync(FakeHeyGen.State)(state)))

/** `sandbox reset`: removes the state file, whatever it holds (under the lock, so no command is mid-session). */
export const reset = (flags: { readonly human: boolean }): Effect.Effect<void, CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const file = path(io.env)
    const removed = attempt(file, "removed", () => unlessMissing(NodeFs.unlink(file).then(() => true), false))
    const existed = yield* withLock(file, removed)
    io.stdout(
      flags.human
        ? `${existed ? "Sandbox reset" : "Sandbox was already empty"}: ${file}\n`
        : `${JSON.stringify({ reset: true, state_file: file, existed })}\n`
    )
  })
