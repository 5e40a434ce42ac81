/**
 * `--help`, rendered from the `HelpDoc` `@effect/cli` builds from the command definitions (`Command.getHelp`): the
 * usage line names the whole command, each flag gets its own description (not the library's filler about the
 * value's type), the connection flags are listed apart, and the examples kept with each command are shown.
 *
 * @since 0.2.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Flags from "./flags.js"

/**
 * The name a program is run by; every usage line starts with it.
 *
 * @since 0.2.0
 * @category constants
 */
export const programName = "effect-heygen"

/**
 * The text of a span.
 *
 * @since 0.5.0
 * @category rendering
 */
export const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Text":
    case "URI":
      return span.value
    default:
      return spanText(span.value)
  }
}

/** A help document as sections: each header's paragraphs and definitions (term, then paragraphs). */
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

const sections = (doc: HelpDoc.HelpDoc): Map<string, Section> => {
  const found = new Map<string, Section>()
  let current: Section = { paragraphs: [], definitions: [] }
  const walk = (d: HelpDoc.HelpDoc): void => {
    switch (d._tag) {
      case "Sequence":
        walk(d.left)
        return walk(d.right)
      case "Header": {
        const title = spanText(d.value)
        current = found.get(title) ?? { paragraphs: [], definitions: [] }
        found.set(title, current)
        return
      }
      case "Paragraph":
        return void current.paragraphs.push(spanText(d.value))
      case "DescriptionList":
        // The first paragraph says what type the value has, in the library's words; the second is the command's own.
        for (const [term, body] of d.definitions) {
          current.definitions.push([spanText(term), paragraphs(body)])
        }
        return
      default:
        return
    }
  }
  walk(doc)
  return found
}

const none: Section = { paragraphs: [], definitions: [] }

/**
 * A command of the tree and the words that name it (after the program).
 *
 * @since 0.5.0
 * @category models
 */
export interface At {
  readonly path: ReadonlyArray<string>
  readonly node: Flags.Node
}

const childrenOf = (at: At): Array<At> => at.node.children.map((node) => ({ path: [...at.path, node.name], node }))

const helpOf = (node: Flags.Node) => sections(Command.getHelp(node.command, CliConfig.defaultConfig))

const leaves = (at: At): Array<At> => {
  const children = childrenOf(at)
  return children.length === 0 ? [at] : children.flatMap(leaves)
}

/**
 * The command argv names: the longest run of command words from its start (flags are skipped; the first word that
 * is not a command ends the walk, as a positional argument would).
 */
const find = (root: Flags.Node, argv: ReadonlyArray<string>): At => {
  let at: At = { path: [], node: root }
  for (const word of argv) {
    if (word === "--") break
    if (word.startsWith("-")) continue
    const child = childrenOf(at).find((c) => c.node.name === word)
    if (child === undefined) break
    at = child
  }
  return at
}

const summaryOf = (at: At): string => helpOf(at.node).get("DESCRIPTION")?.paragraphs[0] ?? ""

/** `(-d, --data JSON)` as `-d, --data JSON`, and `--url URL` indented to line up with it. */
const flagLabel = (term: string): string => {
  const bare = term.replace(/^\((.*)\)$/, "$1").replace(/\.\.\.$/, "")
  return /^-[^-]/.test(bare) ? bare : `    ${bare}`
}

const rows = (pairs: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(0, ...pairs.map(([left]) => left.length))
  return pairs.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`)
}

const section = (title: string, lines: ReadonlyArray<string>): Array<string> =>
  lines.length === 0 ? [] : ["", title, ...lines]

const nameOf = (term: string): string => /--[\w-]+/.exec(term)?.[0] ?? term

/** Built-in flags the CLI shows: `--help` everywhere, `--version` and `--completions` at the root. */
const shownBuiltIns = (isRoot: boolean) => (isRoot ? ["--help", "--version", "--completions"] : ["--help"])
const builtIns = ["--help", "--version", "--completions", "--wizard", "--log-level"]

/**
 * The help text of the command `argv` names, from `root`'s definition.
 *
 * @since 0.2.0
 * @category rendering
 */
export const render = (root: Flags.Node, argv: ReadonlyArray<string>): string => {
  const node = find(root, argv)
  const isRoot = node.path.length === 0
  const doc = helpOf(node.node)
  const [summary = "", ...description] = doc.get("DESCRIPTION")?.paragraphs ?? []
  const flags = (doc.get("OPTIONS") ?? none).definitions.map(([term, body]) =>
    [nameOf(term), flagLabel(term), body[1] ?? body[0] ?? ""] as const
  )
  const own = flags.filter(([name]) => !Flags.connectionNames.includes(name) && !builtIns.includes(name))
  const common = flags.filter(([name]) => Flags.connectionNames.includes(name) || shownBuiltIns(isRoot).includes(name))
  const args = (doc.get("ARGUMENTS") ?? none).definitions
  const children = childrenOf(node)
  const commands = isRoot
    ? leaves(node).map((leaf) => [leaf.path.join(" "), summaryOf(leaf)] as const)
    : children.map((child) => [child.path[child.path.length - 1]!, summaryOf(child)] as const)
  const examples = (doc.get("EXAMPLES") ?? none).definitions
  const usage = [
    programName,
    ...node.path,
    ...(children.length > 0 ? ["<command>"] : args.map(([term]) => term)),
    "[flags]"
  ].join(" ")
  const lines = [
    summary,
    ...description,
    ...section("USAGE", [`  ${usage}`]),
    ...section("ARGUMENTS", rows(args.map(([term, body]) => [term, body[1] ?? body[0] ?? ""] as const))),
    ...section("COMMANDS", rows(commands)),
    ...section("FLAGS", rows(own.map(([, label, help]) => [label, help] as const))),
    ...section(
      flags.some(([name]) => Flags.connectionNames.includes(name)) ? "CONNECTION AND OUTPUT FLAGS" : "GLOBAL FLAGS",
      rows(common.map(([, label, help]) => [label, help] as const))
    ),
    ...section("EXAMPLES", examples.flatMap(([what, body]) => [`  # ${what}`, `  ${body[0] ?? ""}`])),
    ...(children.length > 0
      ? ["", `Run \`${[programName, ...node.path, "<command>", "--help"].join(" ")}\` for a command's flags.`]
      : [])
  ]
  return `${lines.join("\n")}\n`
}

/**
 * Every command of the tree, the root first, with the words that name it.
 *
 * @since 0.5.0
 * @category navigation
 */
export const nodes = (root: Flags.Node): Array<At> => {
  const all = (at: At): Array<At> => [at, ...childrenOf(at).flatMap(all)]
  return all({ path: [], node: root })
}

/**
 * The commands of the tree that run (the leaves), with the words that name them.
 *
 * @since 0.5.0
 * @category navigation
 */
export const commands = (root: Flags.Node): Array<At> => leaves({ path: [], node: root })

/**
 * A flag as `@effect/cli` defines it: its name, one-letter alias, the value's placeholder (absent for a switch),
 * and the description given to it.
 *
 * @since 0.5.0
 * @category models
 */
export interface Flag {
  readonly name: string
  readonly alias: string | undefined
  readonly value: string | undefined
  readonly help: string
}

/**
 * A command's flags, the built-in ones it shows included (`--help`; at the root `--version` and `--completions`).
 *
 * @since 0.5.0
 * @category rendering
 */
export const flagsOf = (node: Flags.Node, isRoot = false): Array<Flag> =>
  (helpOf(node).get("OPTIONS") ?? none).definitions
    .map(([term, body]): Flag => {
      const [, alias, name = term, value] = /^(?:-(\w), )?(--[\w-]+)(?: (.+))?$/.exec(flagLabel(term).trim()) ?? []
      return { name, alias, value, help: body[1] ?? body[0] ?? "" }
    })
    .filter((f) => !builtIns.includes(f.name) || shownBuiltIns(isRoot).includes(f.name))
