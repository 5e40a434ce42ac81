// The flags, typed by `@effect/cli`: each is an `Options` whose parser refuses a bad value naming the flag, and
// whose description is its one line of help. Shared flags are defined once here, a command's own with the command;
// `command` and `group` attach a command's summary, description and examples to its `@effect/cli` definition, from
// which `help.ts` renders help and `completions.ts` the completion scripts.
//
// Values are parsed from `Options.text` rather than `Options.integer`/`Options.choice`: those refuse with the
// library's wording and no flag name as data, while here the refusal's first highlighted span is the flag, which
// `Failure.fromCliValidationError` reads back to name it in the envelope.
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Types from "effect/Types"
import type { Io } from "../Io.js"
import * as Failure from "./failure.js"

const refusal = (flag: string, message: string): HelpDoc.HelpDoc =>
  HelpDoc.p(Span.spans([Span.code(flag), Span.text(`: ${message}`)]))

/** A refused flag value: the flag is the paragraph's highlighted span, so the CLI reads it back as data. */
export const invalid = (flag: string, message: string): ValidationError.ValidationError =>
  ValidationError.invalidValue(refusal(flag, message))

const checked = <A>(flag: string, expected: string, parse: (text: string) => Option.Option<A>) => (text: string) =>
  Option.match(parse(text), {
    onNone: () => Effect.fail(invalid(flag, `expected ${expected}, got ${JSON.stringify(text)}`)),
    onSome: Effect.succeed
  })

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * The one time parser, for every flag that takes a length of time or an age: a positive amount and a unit
 * (`500ms`, `1.5s`, `2m`, `48h`, `7d`). A bare number is seconds where `bare` says so (`--timeout 30`), and refused
 * where a missing unit is more likely a mistake (`--since 48`).
 */
export const parseDuration = (
  text: string,
  bare: "seconds" | "refused" = "seconds"
): Option.Option<Duration.Duration> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text)
  const unit = match?.[2] ?? (bare === "seconds" ? "s" : undefined)
  const millis = match === null || unit === undefined ? NaN : Number(match[1]) * units[unit]!
  return Number.isFinite(millis) && millis > 0 ? Option.some(Duration.millis(millis)) : Option.none()
}

/** A whole number from `min` to `max`. */
export const parseInteger = (min: number, max: number) => (text: string): Option.Option<number> => {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
  return Number.isSafeInteger(n) && n >= min && n <= max ? Option.some(n) : Option.none()
}

const textOption = (name: string, value: string, help: string) =>
  Options.text(name).pipe(Options.withPseudoName(value), Options.withDescription(help))

/** `--name VALUE`, optional. */
export const text = (name: string, value: string, help: string): Options.Options<Option.Option<string>> =>
  Options.optional(textOption(name, value, help))

/** `--name VALUE`, optional, parsed by `parse` (none: refused as not `expected`). */
const parsed = <A>(
  name: string,
  value: string,
  help: string,
  expected: string,
  parse: (t: string) => Option.Option<A>
) => textOption(name, value, help).pipe(Options.mapEffect(checked(`--${name}`, expected, parse)), Options.optional)

/** `--name N`, a whole number from `min` to `max`, optional. */
export const integer = (name: string, min: number, max: number, help: string): Options.Options<Option.Option<number>> =>
  parsed(name, "N", help, `a whole number from ${min} to ${max}`, parseInteger(min, max))

/** `--name DURATION`, optional. */
export const duration = (name: string, help: string): Options.Options<Option.Option<Duration.Duration>> =>
  parsed(name, "DURATION", help, "a duration such as 30s, 1.5s, 500ms, 2m or 48h", (t) => parseDuration(t))

/** `--name VALUE`, one of `values`, the first by default. */
export const choice = <const A extends string>(name: string, values: readonly [A, ...Array<A>], help: string) =>
  textOption(name, values.join("|"), help).pipe(
    Options.mapEffect(
      checked(`--${name}`, values.join(" or "), (t) => Option.fromNullable(values.find((v) => v === t)))
    ),
    Options.withDefault(values[0])
  )

/** A switch. */
export const boolean = (name: string, help: string): Options.Options<boolean> =>
  Options.boolean(name).pipe(Options.withDescription(help))

/** A flag that may be repeated, each value possibly a comma-separated list. */
export const list = (name: string, value: string, help: string): Options.Options<ReadonlyArray<string>> =>
  Options.repeated(textOption(name, value, help))

const isEventType = (flag: string) => (value: string) =>
  WebhookEventType.is(value) ? Effect.succeed(value) : Effect.fail(refusal(flag, Failure.notAnEventTypeMessage(value)))

/** `--name TYPES`: event types, comma-separated or repeated, each one of HeyGen's. */
export const eventTypes = (name: string, help: string) =>
  list(name, "TYPES", help).pipe(
    Options.mapEffect((values) =>
      Effect.forEach(
        values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== ""),
        (value) => Effect.mapError(isEventType(`--${name}`)(value), ValidationError.invalidValue)
      )
    )
  )

/** A positional argument. */
export const arg = (name: string, help: string): Args.Args<string> =>
  Args.text({ name }).pipe(Args.withDescription(help))

/** A positional event type, one of HeyGen's. */
export const eventTypeArg = (name: string, help: string): Args.Args<WebhookEventType.WebhookEventType> =>
  arg(name, help).pipe(Args.mapEffect(isEventType(name)))

/** `-d/--data`: inline JSON, a file path, or `-`. */
export const data = (help: string): Options.Options<Option.Option<string>> =>
  Options.optional(Options.withAlias(textOption("data", "JSON", help), "d"))

/** A value from a flag or its environment variable, with where it came from: an error names the one the user set. */
export interface Sourced<A> {
  readonly value: A
  readonly source: string
}

// The flag's value, else its environment variable's (read through `Config`), with where it came from.
const fromEnv = <A>(flag: string, option: Options.Options<A>, variable: string, config: Config.Config<A>) =>
  option.pipe(
    Options.map((value): Sourced<A> => ({ value, source: flag })),
    Options.withFallbackConfig(Config.map(config, (value): Sourced<A> => ({ value, source: variable })))
  )

/** The connection and output flags every API command takes, under the names handlers read them by. */
export const connection = {
  apiKey: Options.optional(fromEnv(
    "--api-key",
    Options.redacted("api-key").pipe(
      Options.withPseudoName("KEY"),
      Options.withDescription("HeyGen API key (default: $HEYGEN_API_KEY); never printed.")
    ),
    "HEYGEN_API_KEY",
    Config.redacted("HEYGEN_API_KEY")
  )),
  baseUrl: Options.optional(fromEnv(
    "--base-url",
    textOption(
      "base-url",
      "URL",
      "API base URL (default: $HEYGEN_API_BASE, else https://api.heygen.com); plain http only for localhost."
    ),
    "HEYGEN_API_BASE",
    Config.string("HEYGEN_API_BASE")
  )),
  maxRetries: fromEnv(
    "--max-retries",
    textOption(
      "max-retries",
      "N",
      "Retries after a 429, 5xx, lost response or timeout, 0-10 (default: $HEYGEN_MAX_RETRIES, else 2)."
    ),
    "HEYGEN_MAX_RETRIES",
    Config.string("HEYGEN_MAX_RETRIES")
  ).pipe(
    Options.mapEffect(({ source, value }) =>
      Effect.map(
        checked(source, "a whole number from 0 to 10", parseInteger(0, 10))(value),
        (n) => ({ value: n, source })
      )
    ),
    Options.optional
  ),
  timeout: duration("timeout", "Time limit for each call, retries included: 10s, 500ms, 2m (default 2m)."),
  sandbox: boolean(
    "sandbox",
    "Use the built-in fake HeyGen API (no account); it keeps its state until `effect-heygen sandbox reset`."
  ),
  human: boolean("human", "Print a readable view (tables for lists) instead of JSON.")
} as const

/** The names of the connection and output flags, which help lists apart from a command's own. */
export const connectionNames = ["--api-key", "--base-url", "--max-retries", "--timeout", "--sandbox", "--human"]

/** The flags `list` commands share. */
export const page = {
  limit: integer("limit", 1, 100, "Items per page, 1-100 (default: the API's)."),
  token: text("token", "TOKEN", "Start at this page: the next_token of the previous one."),
  all: boolean("all", "Fetch every page, printing one item per line (NDJSON) as pages arrive.")
} as const

/** `--forward-to URL`: an http(s) URL, optional (required where the command says so). */
export const forwardTo = (help: string): Options.Options<Option.Option<string>> =>
  parsed("forward-to", "URL", help, "an http(s) URL", Option.liftPredicate((t) => /^https?:\/\/[^/]/.test(t)))

/** `-d/--data` of `sandbox trigger`: the event_data, a JSON object. */
export const eventData: Options.Options<Option.Option<Record<string, unknown>>> = textOption(
  "data",
  "JSON",
  "The event_data as a JSON object (default {})."
).pipe(
  Options.withAlias("d"),
  Options.mapEffect((text) => {
    const json = Option.liftThrowable(JSON.parse)(text)
    return Option.isSome(json) && typeof json.value === "object" && json.value !== null && !Array.isArray(json.value)
      ? Effect.succeed(json.value as Record<string, unknown>)
      : Effect.fail(invalid("--data", "expected a JSON object, the event_data"))
  }),
  Options.optional
)

/**
 * A point in the past, as epoch milliseconds: an age counted back from now (`48h`, `90m`, `7d`), or an ISO 8601
 * date or date-time (`2026-01-31`, `2026-01-31T12:00:00Z`; without an offset, UTC, as HeyGen's `created_at`). A
 * day that does not exist, another date form, or a time in the future is none.
 */
export const parseSince = (text: string, nowMillis: number): Option.Option<number> => {
  const age = parseDuration(text, "refused")
  if (Option.isSome(age)) return Option.some(nowMillis - Duration.toMillis(age.value))
  // Only ISO 8601 forms: Date.parse also reads "March 7" or "1", and rolls 2026-02-30 over to March.
  const iso = /^\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?\s*$/.exec(text)
  if (iso === null) return Option.none()
  const [, y, mo, d, h = "00", mi = "00", sec = "00", fraction = "", offset = "Z"] = iso
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  const real = day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(mo) - 1 &&
    day.getUTCDate() === Number(d) && Number(h) <= 23 && Number(mi) <= 59 && Number(sec) <= 59
  const millis = real ? Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${fraction}${offset}`) : NaN
  return Number.isNaN(millis) || millis > nowMillis ? Option.none() : Option.some(millis)
}

/** `--since WHEN`, as epoch milliseconds. */
export const since = (help: string): Options.Options<Option.Option<number>> =>
  textOption("since", "WHEN", help).pipe(
    Options.mapEffect((text) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        checked(
          "--since",
          "an age (48h, 90m, 7d) or an ISO 8601 time such as 2026-01-31T12:00:00Z",
          (t) => parseSince(t, now)
        )(text))
    ),
    Options.optional
  )

/** What a command says about itself in help: a summary, a description, and examples as [what it does, command]. */
interface About {
  readonly summary: string
  readonly description?: ReadonlyArray<string> | undefined
  readonly examples: ReadonlyArray<readonly [what: string, command: string]>
}

const describe = (about: About): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(about.summary),
    ...(about.description ?? []).map((line) => HelpDoc.p(line)),
    ...(about.examples.length === 0 ? [] : [
      HelpDoc.h2("EXAMPLES"),
      HelpDoc.descriptionList(
        about.examples.map(([what, command]) => [Span.text(what), HelpDoc.p(command)]) as [
          [Span.Span, HelpDoc.HelpDoc],
          ...Array<[Span.Span, HelpDoc.HelpDoc]>
        ]
      )
    ])
  ])

/**
 * A command of the tree: the `@effect/cli` command and, for a group, the commands under it (which help lists).
 * The parsed input's type is erased: a group holds commands of different input types, each read by its handler.
 */
export interface Node {
  readonly name: string
  readonly command: Command.Command<string, Io, Failure.CliError, unknown>
  readonly children: ReadonlyArray<Node>
}

/** What a command's handler gets from the options `config` defines. */
export type Input<Config extends Command.Command.Config> = Types.Simplify<Command.Command.ParseConfig<Config>>

/** A command that runs, with its help. */
export const command = <Name extends string, const Config extends Command.Command.Config>(
  name: Name,
  config: Config,
  about: About,
  handler: (input: Input<Config>) => Effect.Effect<void, Failure.CliError, Io>
): Node => ({
  name,
  command: Command.make(name, config, handler).pipe(Command.withDescription(describe(about))) as unknown as Node[
    "command"
  ],
  children: []
})

/** A group of commands, with its help. */
export const group = (name: string, about: About, children: readonly [Node, ...Array<Node>]): Node => ({
  name,
  command: Command.make(name).pipe(
    Command.withDescription(describe(about)),
    Command.withSubcommands(children.map((c) => c.command) as [Node["command"], ...Array<Node["command"]>])
  ) as unknown as Node["command"],
  children
})

/**
 * A handler loaded when its command runs: handlers pull in core's schemas and request pipeline, which `--help` and
 * a mistyped command line never need (start-up time is a feature of a CLI).
 */
export const lazy = <M, A, E, R>(load: () => Promise<M>, run: (module: M) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.promise(load), run)
