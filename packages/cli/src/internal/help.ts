// `--help`, rendered from the `HelpDoc` `@effect/cli` builds from the command definitions (`Command.getHelp`):
// the usage line names the whole command (the library's prints `$ list`), each flag gets its own description (not
// the library's filler about the value's type), the connection flags are listed apart, and the examples kept with
// each command are shown.
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import { spanText } from "./failure.js"
import * as Flags from "./flags.js"

/** The name a program is run by; every usage line starts with it. */
export const programName = "effect-heygen"

/** A help document's section: its paragraphs and definitions (term, then paragraphs). */
interface Section {
  readonly paragraphs: Array<string>
  readonly definitions: Array<readonly [string, ReadonlyArray<string>]>
}

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> =>
  doc._tag === "Sequence"
    ? [...paragraphs(doc.left), ...paragraphs(doc.right)]
    : doc._tag === "Paragraph"
    ? [spanText(doc.value)]
    : []

const helpOf = (node: Flags.Node): Map<string, Section> => {
  const found = new Map<string, Section>()
  let current: Section = { paragraphs: [], definitions: [] }
  const walk = (d: HelpDoc.HelpDoc): void => {
    if (d._tag === "Sequence") {
      walk(d.left)
      walk(d.right)
    } else if (d._tag === "Header") {
      current = found.get(spanText(d.value)) ?? { paragraphs: [], definitions: [] }
      found.set(spanText(d.value), current)
    } else if (d._tag === "Paragraph") {
      current.paragraphs.push(spanText(d.value))
    } else if (d._tag === "DescriptionList") {
      for (const [term, body] of d.definitions) current.definitions.push([spanText(term), paragraphs(body)])
    }
  }
  walk(Command.getHelp(node.command, CliConfig.defaultConfig))
  return found
}

const section = (doc: Map<string, Section>, title: string): Section =>
  doc.get(title) ?? { paragraphs: [], definitions: [] }

// A definition's own description: the library puts what type the value has first, the command's own second.
const ownText = (body: ReadonlyArray<string>): string => body[1] ?? body[0] ?? ""

/** A command of the tree and the words that name it (after the program). */
export interface At {
  readonly path: ReadonlyArray<string>
  readonly node: Flags.Node
}

const childrenOf = (at: At): Array<At> => at.node.children.map((node) => ({ path: [...at.path, node.name], node }))

/** Every command of the tree, the root first, with the words that name it. */
export const nodes = (root: Flags.Node): Array<At> => {
  const all = (at: At): Array<At> => [at, ...childrenOf(at).flatMap(all)]
  return all({ path: [], node: root })
}

/** The commands of the tree that run (the leaves). */
export const commands = (root: Flags.Node): Array<At> => nodes(root).filter((at) => at.node.children.length === 0)

/** A flag as `@effect/cli` defines it: its name, alias, the value's placeholder (none for a switch), its help. */
export interface Flag {
  readonly name: string
  readonly alias: string | undefined
  readonly value: string | undefined
  readonly help: string
}

// Built-in flags the CLI shows: `--help` everywhere, `--version` and `--completions` at the root.
const shownBuiltIns = (isRoot: boolean) => (isRoot ? ["--help", "--version", "--completions"] : ["--help"])
const builtIns = ["--help", "--version", "--completions", "--wizard", "--log-level"]

/** A command's flags, the built-in ones it shows included. `(-d, --data JSON)` is read as `-d`, `--data`, `JSON`. */
export const flagsOf = (node: Flags.Node, isRoot = false): Array<Flag> =>
  section(helpOf(node), "OPTIONS").definitions
    .map(([term, body]): Flag => {
      const bare = term.replace(/^\((.*)\)$/, "$1").replace(/\.\.\.$/, "")
      const [, alias, name = bare, value] = /^(?:-(\w), )?(--[\w-]+)(?: (.+))?$/.exec(bare) ?? []
      return { name, alias, value, help: ownText(body) }
    })
    .filter((f) => !builtIns.includes(f.name) || shownBuiltIns(isRoot).includes(f.name))

const rows = (pairs: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(0, ...pairs.map(([left]) => left.length))
  return pairs.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`)
}

const titled = (title: string, lines: ReadonlyArray<string>): Array<string> =>
  lines.length === 0 ? [] : ["", title, ...lines]

const label = (f: Flag) =>
  `${f.alias === undefined ? "    " : `-${f.alias}, `}${f.name}${f.value === undefined ? "" : ` ${f.value}`}`

/**
 * The help text of the command `argv` names: the longest run of command words from its start (flags are skipped;
 * the first word that is not a command ends the walk, as a positional argument would).
 */
export const render = (root: Flags.Node, argv: ReadonlyArray<string>): string => {
  let at: At = { path: [], node: root }
  for (const word of argv) {
    if (word === "--") break
    const child = word.startsWith("-") ? at : childrenOf(at).find((c) => c.node.name === word)
    if (child === undefined) break
    at = child
  }
  const isRoot = at.path.length === 0
  const doc = helpOf(at.node)
  const [summary = "", ...description] = section(doc, "DESCRIPTION").paragraphs
  const flags = flagsOf(at.node, isRoot)
  const common = (f: Flag) => Flags.connectionNames.includes(f.name) || builtIns.includes(f.name)
  const args = section(doc, "ARGUMENTS").definitions
  const children = childrenOf(at)
  const summaryOf = (c: At) => section(helpOf(c.node), "DESCRIPTION").paragraphs[0] ?? ""
  const usage = [programName, ...at.path, ...(children.length > 0 ? ["<command>"] : args.map(([term]) => term))]
  return [
    summary,
    ...description,
    ...titled("USAGE", [`  ${[...usage, "[flags]"].join(" ")}`]),
    ...titled("ARGUMENTS", rows(args.map(([term, body]) => [term, ownText(body)] as const))),
    ...titled(
      "COMMANDS",
      rows(
        isRoot
          ? commands(at.node).map((c) => [c.path.join(" "), summaryOf(c)] as const)
          : children.map((c) => [c.node.name, summaryOf(c)] as const)
      )
    ),
    ...titled("FLAGS", rows(flags.filter((f) => !common(f)).map((f) => [label(f), f.help] as const))),
    ...titled(
      flags.some((f) => Flags.connectionNames.includes(f.name)) ? "CONNECTION AND OUTPUT FLAGS" : "GLOBAL FLAGS",
      rows(flags.filter(common).map((f) => [label(f), f.help] as const))
    ),
    ...titled(
      "EXAMPLES",
      section(doc, "EXAMPLES").definitions.flatMap(([what, body]) => [`  # ${what}`, `  ${body[0]}`])
    ),
    ...(children.length > 0
      ? ["", `Run \`${[programName, ...at.path, "<command>", "--help"].join(" ")}\` for a command's flags.`]
      : []),
    ""
  ].join("\n")
}
