/**
 * Writes an endpoint's signing secret to a file: readable by its owner only, written atomically, and never over
 * an existing file unless asked.
 *
 * HeyGen shows the secret once, at creation, so a half-written or clobbered file is lost data. The secret is
 * written to a temporary file in the same directory (so the final step is a same-filesystem rename), flushed, then
 * moved into place: a reader sees no file or the whole secret, never part of it. Without `overwrite` the move is a
 * hard link, which fails if the target exists even when another process created it a moment ago.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"

/**
 * The secret could not be written. `reason` is an errno code (`EEXIST`, `EACCES`, `ENOENT`, ...) or a message.
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretFileError extends Data.TaggedError("SecretFileError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return this.reason === "EEXIST"
      ? `${this.path} already exists`
      : `cannot write ${this.path} (${this.reason})`
  }
}

/**
 * The file mode: read and write for the owner only.
 *
 * @since 0.1.0
 * @category constants
 */
export const mode = 0o600

const reasonOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string"
    ? e.code
    : e instanceof Error
    ? e.message
    : String(e)

/**
 * Whether something already exists at `path` (a file, a directory, a dangling link...).
 *
 * @since 0.1.0
 * @category predicates
 */
export const exists = (path: string): Effect.Effect<boolean> =>
  Effect.promise(() => NodeFs.lstat(path).then(() => true, () => false))

const tempPath = (path: string) =>
  NodePath.join(NodePath.dirname(path), `.${NodePath.basename(path)}.${NodeCrypto.randomBytes(6).toString("hex")}.tmp`)

/**
 * Checks, before a request whose secret must land in `path`, that it can: its directory exists and takes a new
 * file (a temporary one is created there and removed), and `path` is not a directory.
 *
 * @since 0.5.0
 * @category writing
 */
export const probe = (path: string): Effect.Effect<void, SecretFileError> =>
  Effect.tryPromise({
    try: async () => {
      const target = await NodeFs.stat(path).catch(() => undefined)
      if (target?.isDirectory() === true) throw Object.assign(new Error("a directory"), { code: "EISDIR" })
      const temp = tempPath(path)
      const handle = await NodeFs.open(temp, "wx", mode)
      await handle.close()
      await NodeFs.unlink(temp)
    },
    catch: (e) => new SecretFileError({ path, reason: reasonOf(e) })
  })

const place = async (temp: string, path: string, overwrite: boolean): Promise<void> => {
  if (overwrite) return NodeFs.rename(temp, path)
  try {
    await NodeFs.link(temp, path)
  } catch (e) {
    const code = reasonOf(e)
    // Some filesystems (FAT, some network mounts) have no hard links: fall back to check-then-rename.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e
    if (await NodeFs.lstat(path).then(() => true, () => false)) {
      throw Object.assign(new Error("exists"), { code: "EEXIST" })
    }
    return NodeFs.rename(temp, path)
  }
  await NodeFs.unlink(temp)
}

/**
 * Writes `secret` (exactly, with no trailing newline) to `path` with mode 0600.
 *
 * @since 0.1.0
 * @category writing
 */
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
        const handle = await NodeFs.open(temp, "wx", mode)
        try {
          await handle.writeFile(secret, "utf8")
          // The umask can only narrow the mode given to open; chmod makes it exactly 0600 anyway.
          await handle.chmod(mode)
          await handle.sync()
        } finally {
          await handle.close()
        }
        await place(temp, path, options.overwrite)
      } catch (e) {
        await NodeFs.unlink(temp).catch(() => undefined)
        throw e
      }
    },
    catch: (e) => new SecretFileError({ path, reason: reasonOf(e) })
  })
