/**
 * Where a new signing secret goes (create and rotate-secret): to a `--secret-file` (mode 0600, atomic, never over
 * an existing file without `--force`), or to stdout. The file is checked before the request is sent, so that a
 * mistake never leaves a secret with nowhere to go; if writing fails after the call, the secret is printed
 * instead, with a warning on stderr: HeyGen shows it once, so it is never lost.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import type * as Endpoints from "./endpoints.js"
import * as Failure from "./failure.js"
import * as SecretFile from "./secretFile.js"

/**
 * A checked `--secret-file`: the path as typed (for messages) and resolved.
 *
 * @since 0.2.0
 * @category models
 */
export interface Target {
  readonly shown: string
  readonly path: string
  readonly overwrite: boolean
}

/**
 * Checks `--secret-file` before anything is sent: an existing file is refused unless `--force`, and so is a path
 * the secret could not be written to (the secret is shown once: it must not fall back to stdout for a typo).
 *
 * @since 0.2.0
 * @category constructors
 */
export const plan = (
  secretFile: Option.Option<string>,
  force: boolean
): Effect.Effect<Option.Option<Target>, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    if (Option.isNone(secretFile)) return Option.none()
    const target: Target = {
      shown: secretFile.value,
      path: NodePath.resolve(io.cwd, secretFile.value),
      overwrite: force
    }
    if (!force && (yield* SecretFile.exists(target.path))) {
      return yield* Effect.fail(
        new Failure.CliError({
          code: "cli_secret_file_exists",
          message: `--secret-file: ${target.shown} already exists; nothing was sent`,
          hint: "choose a new path, or add --force to replace the file",
          param: "--secret-file",
          exitCode: ExitCode.Usage
        })
      )
    }
    const writable = yield* Effect.either(SecretFile.probe(target.path))
    if (Either.isLeft(writable)) {
      return yield* Effect.fail(
        new Failure.CliError({
          code: "cli_secret_file_unwritable",
          message: `--secret-file: cannot write ${target.shown} (${writable.left.reason}); nothing was sent`,
          hint: writable.left.reason === "ENOENT"
            ? `create the directory ${NodePath.dirname(target.shown)} first, or choose another path`
            : "choose a path in a directory you can write to",
          param: "--secret-file",
          exitCode: ExitCode.Usage
        })
      )
    }
    return Option.some(target)
  })

/**
 * Writes the secret to the target, if any; on failure prints a warning (the secret then goes to stdout).
 * `done` says what happened on HeyGen's side ("the endpoint was created").
 *
 * @since 0.2.0
 * @category writing
 */
export const deliver = (
  target: Option.Option<Target>,
  secret: string | null,
  done: string,
  idempotencyKey: string | null
): Effect.Effect<Endpoints.SecretDestination, never, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    if (Option.isNone(target) || secret === null) return { _tag: "Stdout" } as const
    const written = yield* Effect.either(
      SecretFile.write(target.value.path, secret, { overwrite: target.value.overwrite })
    )
    if (Either.isRight(written)) return { _tag: "File", path: target.value.shown } as const
    io.stderr(`${
      JSON.stringify({
        warning: {
          code: "cli_secret_file_failed",
          message: `--secret-file: ${written.left.message}; ${done}`,
          hint: "the signing secret is printed on stdout instead: store it now, HeyGen will not show it again",
          param: "--secret-file",
          path: target.value.shown
        },
        idempotency_key: idempotencyKey
      })
    }\n`)
    return { _tag: "Stdout" } as const
  })
