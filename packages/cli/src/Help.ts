/**
 * `--help`, rendered from the command definitions (`CommandSpec`): the usage line names the whole command, each
 * flag has one line, each command shows examples, and the root lists the whole command tree.
 *
 * @since 0.2.0
 */
import * as CommandSpec from "./CommandSpec.js"

/**
 * The flags the program itself takes, on every command.
 *
 * @since 0.2.0
 * @category constants
 */
export const builtIns: ReadonlyArray<CommandSpec.FlagSpec> = [
  { name: "help", alias: "h", help: "Show this help.", completion: { _tag: "None" }, common: true },
  { name: "version", help: "Print the version.", completion: { _tag: "None" }, common: true },
  {
    name: "completions",
    value: "SHELL",
    help: "Print a completion script for bash, zsh or fish (see the README to install it).",
    completion: { _tag: "Choice", values: ["bash", "zsh", "fish"] },
    common: true
  }
]

/**
 * The node of `spec` that argv names: the longest run of command words from its start (flags are skipped; the
 * first word that is not a command ends the walk, as a positional argument would).
 *
 * @since 0.2.0
 * @category navigation
 */
export const find = (spec: CommandSpec.Spec, argv: ReadonlyArray<string>): CommandSpec.Spec => {
  let node = spec
  for (const word of argv) {
    if (word === "--") break
    if (word.startsWith("-")) continue
    const child = node.children.find((c) => c.path[c.path.length - 1] === word)
    if (child === undefined) break
    node = child
  }
  return node
}

/**
 * Every command that runs (the leaves), depth first.
 *
 * @since 0.2.0
 * @category navigation
 */
export const leaves = (spec: CommandSpec.Spec): Array<CommandSpec.Spec> =>
  spec.children.length === 0 ? [spec] : spec.children.flatMap(leaves)

/**
 * Every node of the tree, the root first.
 *
 * @since 0.2.0
 * @category navigation
 */
export const nodes = (spec: CommandSpec.Spec): Array<CommandSpec.Spec> => [spec, ...spec.children.flatMap(nodes)]

/**
 * How a flag is written in help: `-d, --data JSON`.
 *
 * @since 0.2.0
 * @category rendering
 */
export const flagLabel = (flag: CommandSpec.FlagSpec): string =>
  `${flag.alias === undefined ? "    " : `-${flag.alias}, `}--${flag.name}${
    flag.value === undefined ? "" : ` ${flag.value}`
  }`

/**
 * The usage line: the whole command, its arguments, and `[flags]`.
 *
 * @since 0.2.0
 * @category rendering
 */
export const usage = (spec: CommandSpec.Spec): string =>
  [
    CommandSpec.programName,
    ...spec.path,
    ...(spec.children.length > 0 ? ["<command>"] : spec.args.map((a) => `<${a.name}>`)),
    "[flags]"
  ].join(" ")

const rows = (pairs: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(0, ...pairs.map(([left]) => left.length))
  return pairs.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`)
}

const section = (title: string, lines: ReadonlyArray<string>): Array<string> =>
  lines.length === 0 ? [] : ["", title, ...lines]

/**
 * The help text of one node.
 *
 * @since 0.2.0
 * @category rendering
 */
export const render = (spec: CommandSpec.Spec): string => {
  const own = spec.flags.filter((f) => !f.common)
  const common = spec.flags.filter((f) => f.common)
  const isRoot = spec.path.length === 0
  const commands = isRoot
    ? leaves(spec).map((leaf) => [leaf.path.join(" "), leaf.summary] as const)
    : spec.children.map((child) => [child.path[child.path.length - 1]!, child.summary] as const)
  const lines = [
    spec.summary,
    ...spec.description,
    ...section("USAGE", [`  ${usage(spec)}`]),
    ...section("ARGUMENTS", rows(spec.args.map((a) => [`<${a.name}>`, a.help] as const))),
    ...section("COMMANDS", rows(commands)),
    ...section("FLAGS", rows(own.map((f) => [flagLabel(f), f.help] as const))),
    ...section(
      common.length > 0 ? "CONNECTION AND OUTPUT FLAGS" : "GLOBAL FLAGS",
      rows(
        [...common, ...builtIns.filter((b) => isRoot || b.name === "help")].map((f) => [flagLabel(f), f.help] as const)
      )
    ),
    ...section("EXAMPLES", spec.examples.flatMap((e) => [`  # ${e.what}`, `  ${e.command}`])),
    ...(spec.children.length > 0
      ? [
        "",
        `Run \`${[CommandSpec.programName, ...spec.path, "<command>", "--help"].join(" ")}\` for a command's flags.`
      ]
      : [])
  ]
  return `${lines.join("\n")}\n`
}
