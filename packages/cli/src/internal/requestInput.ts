// The request body of `webhook endpoints create`, from `-d/--data` and the individual flags. `--data` takes inline
// JSON, a file path, or `-` for standard input (as HeyGen's own CLI does); individual flags override its fields. The
// body is not validated here: core's schema does that, before anything is sent, and names the field at fault.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import { CliError } from "./failure.js"

export type DataSource =
  | { readonly _tag: "Stdin" }
  | { readonly _tag: "Inline"; readonly json: string }
  | { readonly _tag: "File"; readonly path: string }

/** `-` is stdin; text starting with `{` (after blanks) is inline JSON (no path does, in practice); else a path. */
export const classifyData = (value: string): DataSource => {
  if (value === "-") return { _tag: "Stdin" }
  if (/^\s*\{/.test(value)) return { _tag: "Inline", json: value }
  return { _tag: "File", path: value }
}

const invalidData = (message: string, hint: string) =>
  new CliError({
    code: "cli_invalid_data",
    message: `--data: ${message}`,
    hint,
    param: "--data",
    exitCode: ExitCode.Usage
  })

export const parseDataJson = (text: string, origin: string): Effect.Effect<Record<string, unknown>, CliError> =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (e) =>
      invalidData(
        `${origin} is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
        `give a JSON object, e.g. -d '{"url":"https://example.com/hooks/heygen","events":["avatar_video.success"]}'`
      )
  }).pipe(Effect.filterOrFail(
    Predicate.isRecord,
    () => invalidData(`${origin} must be a JSON object`, `e.g. -d '{"url":"https://example.com/hooks/heygen"}'`)
  ))

// Fatal: a body that is not UTF-8 is refused rather than read with replacement characters.
const utf8 = new TextDecoder("utf-8", { fatal: true })

export const loadData = (value: string): Effect.Effect<Record<string, unknown>, CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const source = classifyData(value)
    if (source._tag === "Inline") return yield* parseDataJson(source.json, "the inline body")
    if (source._tag === "Stdin") {
      const bytes = yield* Effect.mapError(
        io.readStdin,
        (e) => invalidData(`cannot read standard input (${e.message})`, "pipe a JSON object into the command")
      )
      const text = yield* Effect.try({
        try: () => utf8.decode(bytes),
        catch: () => invalidData("standard input is not UTF-8", "pipe a JSON object encoded as UTF-8")
      })
      return yield* parseDataJson(text, "standard input")
    }
    const file = `file ${JSON.stringify(source.path)}`
    const text = yield* Effect.tryPromise({
      try: () => NodeFs.readFile(NodePath.resolve(io.cwd, source.path), "utf8"),
      catch: (e) =>
        invalidData(
          `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
          "give inline JSON starting with {, a readable file path, or - for standard input"
        )
    })
    return yield* parseDataJson(text, file)
  })

/** `--events` values: repeated flags, each a comma-separated list; blank items dropped (`--events a,` is `["a"]`). */
export const splitEvents = (values: ReadonlyArray<string>): Array<string> =>
  values.flatMap((value) => value.split(",")).map((s) => s.trim()).filter((s) => s !== "")

export interface Overrides {
  readonly url: Option.Option<string>
  /** Raw `--events` values; empty when the flag was not given. */
  readonly events: ReadonlyArray<string>
  readonly entityId: Option.Option<string>
}

/** `--data`'s fields with each given flag on top; unknown keys are kept, for core's validation to refuse by name. */
export const merge = (data: Record<string, unknown>, overrides: Overrides): Record<string, unknown> => {
  const body: Record<string, unknown> = { ...data }
  if (Option.isSome(overrides.url)) body.url = overrides.url.value
  if (overrides.events.length > 0) body.events = splitEvents(overrides.events)
  if (Option.isSome(overrides.entityId)) body.entity_id = overrides.entityId.value
  return body
}

/** The body's fields that came from `--data` (no flag overrode them): an error about one names `-d/--data`. */
export const fromData = (data: Record<string, unknown>, overrides: Overrides): Array<string> =>
  Object.keys(data).filter((key) => !Object.hasOwn(merge({}, overrides), key))
