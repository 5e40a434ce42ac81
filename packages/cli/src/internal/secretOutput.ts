// Where a new signing secret goes (create and rotate-secret): a `--secret-file`, or stdout. HeyGen shows it once:
// - the file is checked before the request is sent (absent unless `--force`, its directory writable), so that a
//   typo never leaves the secret with nowhere to go;
// - it is written 0600 to a temporary file in the same directory, flushed, then moved into place, never half-written;
//   without `--force` by a hard link, which fails if the target exists (even one made a moment ago by another);
// - if writing still fails after the call, the secret is printed on stdout instead, with a warning on stderr.
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import { CliError } from "./failure.js"

/** A checked `--secret-file`: the path as typed (for messages) and resolved. */
export interface Target {
  readonly shown: string
  readonly path: string
  readonly overwrite: boolean
}

/** Where the secret went. */
export type Destination = { readonly _tag: "Stdout" } | { readonly _tag: "File"; readonly path: string }

/** The secret could not be written. `reason` is an errno code (`EEXIST`, `EACCES`, `ENOENT`, ...) or a message. */
export class SecretFileError extends Data.TaggedError("SecretFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return this.reason === "EEXIST" ? `${this.path} already exists` : `cannot write ${this.path} (${this.reason})`
  }
}

export const codeOf = (e: unknown): string =>
  e instanceof Error ? (e as NodeJS.ErrnoException).code ?? e.message : String(e)
const errno = (code: string) => Object.assign(new Error(code), { code })
const exists = (path: string): Promise<boolean> => NodeFs.lstat(path).then(() => true, () => false)
const tempPath = (path: string) =>
  NodePath.join(NodePath.dirname(path), `.${NodePath.basename(path)}.${NodeCrypto.randomBytes(6).toString("hex")}.tmp`)

// Fails as writing would (on the path as typed): it exists (unless overwriting), is a directory, or its directory
// refuses a new file (a temporary one is created there and removed).
const probe = ({ overwrite, path, shown }: Target): Effect.Effect<void, SecretFileError> =>
  Effect.tryPromise({
    try: async () => {
      if (!overwrite && await exists(path)) throw errno("EEXIST")
      if ((await NodeFs.stat(path).catch(() => undefined))?.isDirectory() === true) throw errno("EISDIR")
      const temp = tempPath(path)
      await (await NodeFs.open(temp, "wx", 0o600)).close()
      await NodeFs.unlink(temp)
    },
    catch: (e) => new SecretFileError({ path: shown, reason: codeOf(e) })
  })

const place = async (temp: string, path: string, overwrite: boolean): Promise<void> => {
  if (overwrite) return NodeFs.rename(temp, path)
  try {
    await NodeFs.link(temp, path)
  } catch (e) {
    // Some filesystems (FAT, some network mounts) have no hard links: fall back to check-then-rename.
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP"].includes(codeOf(e))) throw e
    if (await exists(path)) throw errno("EEXIST")
    return NodeFs.rename(temp, path)
  }
  await NodeFs.unlink(temp)
}

/** Writes `secret` exactly, with no trailing newline. */
export const write = (
  path: string,
  secret: string,
  options: { readonly overwrite: boolean }
): Effect.Effect<void, SecretFileError> =>
  Effect.tryPromise({
    try: async () => {
      const temp = tempPath(path)
      try {
        // `wx`: never reuse an existing temp file (it could be a planted symlink).
        const handle = await NodeFs.open(temp, "wx", 0o600)
        // The umask can only narrow the mode given to open; chmod makes it exactly 0600 anyway.
        const written = handle.writeFile(secret, "utf8").then(() => handle.chmod(0o600)).then(() => handle.sync())
        await written.finally(() => handle.close())
        await place(temp, path, options.overwrite)
      } catch (e) {
        await NodeFs.unlink(temp).catch(() => undefined)
        throw e
      }
    },
    catch: (e) => new SecretFileError({ path, reason: codeOf(e) })
  })

export const plan = (
  secretFile: Option.Option<string>,
  force: boolean
): Effect.Effect<Option.Option<Target>, CliError, Io> =>
  Effect.gen(function*() {
    if (Option.isNone(secretFile)) return Option.none()
    const shown = secretFile.value
    const target = { shown, path: NodePath.resolve((yield* Io).cwd, shown), overwrite: force }
    yield* Effect.mapError(probe(target), (error) =>
      new CliError({
        code: error.reason === "EEXIST" ? "cli_secret_file_exists" : "cli_secret_file_unwritable",
        message: `--secret-file: ${error.message}; nothing was sent`,
        hint: error.reason === "EEXIST"
          ? "choose a new path, or add --force to replace the file"
          : error.reason === "ENOENT"
          ? `create the directory ${NodePath.dirname(shown)} first, or choose another path`
          : "choose a path in a directory you can write to",
        param: "--secret-file",
        exitCode: ExitCode.Usage
      }))
    return Option.some(target)
  })

/** On failure, the warning says what HeyGen has `done`. */
export const deliver = (
  target: Option.Option<Target>,
  secret: string | null,
  done: string,
  idempotencyKey: string | null
): Effect.Effect<Destination, never, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    if (Option.isNone(target) || secret === null) return { _tag: "Stdout" } as const
    const { overwrite, path, shown } = target.value
    const written = yield* Effect.either(write(path, secret, { overwrite }))
    if (Either.isRight(written)) return { _tag: "File", path: shown } as const
    const warning = {
      code: "cli_secret_file_failed",
      message: `--secret-file: ${written.left.message}; ${done}`,
      hint: "the signing secret is printed on stdout instead: store it now, HeyGen will not show it again",
      param: "--secret-file",
      path: shown
    }
    io.stderr(`${JSON.stringify({ warning, idempotency_key: idempotencyKey })}\n`)
    return { _tag: "Stdout" } as const
  })
