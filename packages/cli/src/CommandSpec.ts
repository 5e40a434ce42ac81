/**
 * One definition per command, read two ways: `@effect/cli` parses the flags from it, and `Help` and `Completions`
 * render the help text and the shell completion scripts from it. Defining a flag once keeps the three from ever
 * disagreeing (a flag that parses but is missing from the help, or a help line for a flag that does not exist).
 *
 * Why not `@effect/cli`'s own help: in 0.77 it prints the command's last name as the usage line (`$ create`), puts
 * "A user-defined piece of text." under every text flag and shows no examples. Parsing stays with the library.
 *
 * @since 0.2.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Failure from "./Failure.js"
import type { Io } from "./Io.js"

/**
 * What a shell may complete as a flag's value.
 *
 * @since 0.2.0
 * @category models
 */
export type Completion =
  | { readonly _tag: "None" }
  | { readonly _tag: "File" }
  /** Webhook event types; `list` when the flag takes a comma-separated list of them. */
  | { readonly _tag: "EventTypes"; readonly list: boolean }
  | { readonly _tag: "Choice"; readonly values: ReadonlyArray<string> }

/**
 * How a flag is shown in help and completed by shells.
 *
 * @since 0.2.0
 * @category models
 */
export interface FlagSpec {
  /** Without dashes: `limit` for `--limit`. */
  readonly name: string
  /** One letter, without the dash: `d` for `-d`. */
  readonly alias?: string | undefined
  /** The value's placeholder in help (`N`, `URL`); absent for a switch. */
  readonly value?: string | undefined
  /** One line that helps. */
  readonly help: string
  readonly completion: Completion
  /** Shown under "Connection flags" rather than with the command's own flags. */
  readonly common: boolean
}

/**
 * A positional argument, as help shows it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ArgSpec {
  readonly name: string
  readonly help: string
}

/**
 * A flag: how it is shown, and how `@effect/cli` parses it into an `A`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Flag<A> {
  readonly _tag: "Flag"
  readonly spec: FlagSpec
  readonly options: Options.Options<A>
}

/**
 * A positional argument: how it is shown, and how `@effect/cli` parses it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Arg<A> {
  readonly _tag: "Arg"
  readonly spec: ArgSpec
  readonly args: Args.Args<A>
}

/**
 * An example in help: what it does, and the command line (starting with `effect-heygen `).
 *
 * @since 0.2.0
 * @category models
 */
export interface Example {
  readonly what: string
  readonly command: string
}

/**
 * A node of the command tree as help and completions see it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Spec {
  /** The words after `effect-heygen`: `["webhook", "endpoints", "list"]`; empty for the root. */
  readonly path: ReadonlyArray<string>
  /** One line, shown in the parent's list of commands. */
  readonly summary: string
  /** More lines, shown in the command's own help. */
  readonly description: ReadonlyArray<string>
  readonly args: ReadonlyArray<ArgSpec>
  readonly flags: ReadonlyArray<FlagSpec>
  readonly examples: ReadonlyArray<Example>
  readonly children: ReadonlyArray<Spec>
}

/**
 * The name a program is run by; every usage line starts with it.
 *
 * @since 0.2.0
 * @category constants
 */
export const programName = "effect-heygen"

interface FlagOptions {
  readonly alias?: string | undefined
  readonly completion?: Completion | undefined
  readonly common?: boolean | undefined
}

const specOf = (name: string, value: string | undefined, help: string, options: FlagOptions): FlagSpec => ({
  name,
  alias: options.alias,
  value,
  help,
  completion: options.completion ?? { _tag: "None" },
  common: options.common ?? false
})

const described = <A>(spec: FlagSpec, options: Options.Options<A>): Flag<A> => {
  const named = spec.alias === undefined ? options : Options.withAlias(options, spec.alias)
  return { _tag: "Flag", spec, options: Options.withDescription(named, spec.help) }
}

/**
 * An optional flag that takes a value: `--limit N`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const text = (
  name: string,
  value: string,
  help: string,
  options: FlagOptions = {}
): Flag<Option.Option<string>> => described(specOf(name, value, help, options), Options.optional(Options.text(name)))

/**
 * A flag that may be repeated: `--events a --events b`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const repeated = (
  name: string,
  value: string,
  help: string,
  options: FlagOptions = {}
): Flag<ReadonlyArray<string>> => described(specOf(name, value, help, options), Options.repeated(Options.text(name)))

/**
 * An optional flag whose value is a secret: parsed straight into `Redacted`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const secret = (
  name: string,
  value: string,
  help: string,
  options: FlagOptions = {}
): Flag<Option.Option<Redacted.Redacted<string>>> =>
  described(specOf(name, value, help, options), Options.optional(Options.redacted(name)))

/**
 * A switch: `--force`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const boolean = (name: string, help: string, options: FlagOptions = {}): Flag<boolean> =>
  described(specOf(name, undefined, help, options), Options.boolean(name))

/**
 * A required positional argument: `<endpoint-id>`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const arg = (name: string, help: string): Arg<string> => ({
  _tag: "Arg",
  spec: { name, help },
  args: Args.text({ name })
})

/**
 * A command with its spec, ready to join a group.
 *
 * @since 0.2.0
 * @category models
 */
export interface Node {
  readonly spec: (parent: ReadonlyArray<string>) => Spec
  /**
   * The command with its parsed input type erased: a group holds commands of different input types, and only
   * each command's own handler ever reads its input.
   */
  readonly command: Command.Command<string, Io, Failure.Reported, unknown>
}

/**
 * The inputs of a command, by the names its handler reads them by.
 *
 * @since 0.2.0
 * @category models
 */
export type Inputs = Readonly<Record<string, Flag<unknown> | Arg<unknown>>>

/**
 * What a command's handler receives: each input parsed.
 *
 * @since 0.2.0
 * @category models
 */
export type Parsed<I extends Inputs> = {
  readonly [K in keyof I]: I[K] extends Flag<infer A> ? A : I[K] extends Arg<infer A> ? A : never
}

/**
 * What a command says about itself.
 *
 * @since 0.2.0
 * @category models
 */
export interface About {
  readonly summary: string
  readonly description?: ReadonlyArray<string> | undefined
  readonly examples: ReadonlyArray<Example>
}

const erase = <A>(command: Command.Command<string, Io, Failure.Reported, A>) =>
  command as unknown as Command.Command<string, Io, Failure.Reported, unknown>

/**
 * A command that runs: its inputs (flags and arguments), what it says about itself, and its handler.
 *
 * @since 0.2.0
 * @category constructors
 */
export const leaf = <const I extends Inputs>(
  name: string,
  inputs: I,
  about: About,
  handler: (input: Parsed<I>) => Effect.Effect<void, Failure.Reported, Io>
): Node => {
  const config: Record<string, Options.Options<unknown> | Args.Args<unknown>> = {}
  const flags: Array<FlagSpec> = []
  const args: Array<ArgSpec> = []
  for (const [key, input] of Object.entries(inputs)) {
    if (input._tag === "Flag") {
      config[key] = input.options
      flags.push(input.spec)
    } else {
      config[key] = input.args
      args.push(input.spec)
    }
  }
  // `config` holds exactly `inputs`' parsers under the same keys, so the library hands the handler a `Parsed<I>`.
  const command = Command.make(name, config, (parsed) => handler(parsed as unknown as Parsed<I>))
  return {
    spec: (parent) => ({
      path: [...parent, name],
      summary: about.summary,
      description: about.description ?? [],
      args,
      flags,
      examples: about.examples,
      children: []
    }),
    command: erase(command)
  }
}

/**
 * A command that only holds other commands (`webhook endpoints`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const group = (
  name: string,
  about: About,
  children: readonly [Node, ...Array<Node>]
): Node => {
  const [first, ...rest] = children
  const command = Command.make(name).pipe(Command.withSubcommands([first.command, ...rest.map((c) => c.command)]))
  return {
    spec: (parent) => ({
      path: [...parent, name],
      summary: about.summary,
      description: about.description ?? [],
      args: [],
      flags: [],
      examples: about.examples,
      children: children.map((c) => c.spec([...parent, name]))
    }),
    command: erase(command)
  }
}

/**
 * The root command: a group named after the program, whose children's paths start after it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const root = (
  about: About,
  children: readonly [Node, ...Array<Node>]
): { readonly spec: Spec; readonly command: Command.Command<string, Io, Failure.Reported, unknown> } => {
  const node = group(programName, about, children)
  return {
    spec: {
      path: [],
      summary: about.summary,
      description: about.description ?? [],
      args: [],
      flags: [],
      examples: about.examples,
      children: children.map((c) => c.spec([]))
    },
    command: node.command
  }
}

/**
 * A handler loaded when its command runs: handlers pull in core's schemas and request pipeline, which `--help`
 * and a mistyped command line never need (start-up time is a feature of a CLI).
 *
 * @since 0.2.0
 * @category constructors
 */
export const lazy = <M, A, E, R>(
  load: () => Promise<M>,
  run: (module: M) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.flatMap(Effect.promise(load), run)
