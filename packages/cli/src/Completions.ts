/**
 * `--completions bash|zsh|fish`: shell completion scripts rendered from the command definitions. They complete
 * commands, each command's flags, file paths for `--data` and `--secret-file`, and webhook event types for
 * `--events` (after the last comma too, for a comma-separated list) and `--event-type`.
 *
 * Why not `@effect/cli`'s own scripts: 0.77 completes a choice in bash as one comma-joined word (`compgen -W
 * "a,b"`), and can only complete a flag from a fixed choice, which `--events a,b` is not.
 *
 * @since 0.2.0
 */
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as CommandSpec from "./CommandSpec.js"
import * as Help from "./Help.js"

/**
 * The shells a script can be printed for.
 *
 * @since 0.2.0
 * @category models
 */
export type Shell = "bash" | "zsh" | "fish"

/**
 * @since 0.2.0
 * @category constants
 */
export const shells: ReadonlyArray<Shell> = ["bash", "zsh", "fish"]

/**
 * @since 0.2.0
 * @category predicates
 */
export const isShell = (s: string): s is Shell => (shells as ReadonlyArray<string>).includes(s)

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`
// fish allows \' and \\ inside single quotes (and nothing else is special there).
const fishQuote = (s: string): string => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`
const key = (spec: CommandSpec.Spec): string => spec.path.join(" ")
const fnName = "_effect_heygen_complete"

const flagsOf = (spec: CommandSpec.Spec): Array<CommandSpec.FlagSpec> => [
  ...spec.flags,
  ...Help.builtIns.filter((b) => spec.path.length === 0 || b.name === "help")
]

const namesOf = (flag: CommandSpec.FlagSpec): Array<string> => [
  `--${flag.name}`,
  ...(flag.alias === undefined ? [] : [`-${flag.alias}`])
]

/**
 * The bash script (also used by zsh, through `bashcompinit`).
 *
 * @since 0.2.0
 * @category rendering
 */
export const bash = (spec: CommandSpec.Spec, eventTypes: ReadonlyArray<string> = WebhookEventType.values): string => {
  const all = Help.nodes(spec)
  const known = all.filter((n) => n.path.length > 0).map((n) => quote(key(n)))
  const valueCases: Array<string> = []
  for (const node of all) {
    for (const flag of flagsOf(node)) {
      if (flag.value === undefined) continue
      const pattern = namesOf(flag).map((name) => quote(`${key(node)}|${name}`)).join("|")
      const c = flag.completion
      const action = c._tag === "EventTypes" && c.list
        ? `_effect_heygen_list "$cur"; return 0`
        : c._tag === "EventTypes"
        ? `COMPREPLY=( $(compgen -W "$events" -- "$cur") ); return 0`
        : c._tag === "File"
        ? `COMPREPLY=( $(compgen -f -- "$cur") ); return 0`
        : c._tag === "Choice"
        ? `COMPREPLY=( $(compgen -W ${quote(c.values.join(" "))} -- "$cur") ); return 0`
        : "return 0"
      valueCases.push(`    ${pattern}) ${action} ;;`)
    }
  }
  const wordCases = all.map((node) => {
    const words = [...node.children.map((c) => c.path[c.path.length - 1]!), ...flagsOf(node).flatMap(namesOf)]
    return `    ${quote(key(node))}) words=${quote(words.join(" "))} ;;`
  })
  return [
    "# effect-heygen completion for bash. Install: effect-heygen --completions bash > ~/.local/share/bash-completion/completions/effect-heygen",
    `_effect_heygen_list() {`,
    `  local head="" tail="$1"`,
    `  if [[ "$tail" == *,* ]]; then head="\${tail%,*},"; tail="\${tail##*,}"; fi`,
    `  COMPREPLY=( $(compgen -P "$head" -W "$events" -- "$tail") )`,
    `}`,
    `${fnName}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" node="" next i words`,
    `  local events=${quote(eventTypes.join(" "))}`,
    `  for ((i = 1; i < COMP_CWORD; i++)); do`,
    `    next="\${node:+$node }\${COMP_WORDS[i]}"`,
    `    case "$next" in ${known.join("|")}) node="$next" ;; esac`,
    `  done`,
    `  case "$node|$prev" in`,
    ...valueCases,
    `  esac`,
    `  case "$node" in`,
    ...wordCases,
    `  esac`,
    `  COMPREPLY=( $(compgen -W "$words" -- "$cur") )`,
    `}`,
    `complete -o bashdefault -F ${fnName} ${CommandSpec.programName}`,
    ""
  ].join("\n")
}

/**
 * The zsh script: the bash one, through zsh's `bashcompinit`.
 *
 * @since 0.2.0
 * @category rendering
 */
export const zsh = (spec: CommandSpec.Spec, eventTypes: ReadonlyArray<string> = WebhookEventType.values): string =>
  [
    "#compdef effect-heygen",
    "# effect-heygen completion for zsh. Install: effect-heygen --completions zsh > \"${fpath[1]}/_effect-heygen\"",
    "autoload -U +X bashcompinit && bashcompinit",
    bash(spec, eventTypes)
  ].join("\n")

/**
 * The fish script.
 *
 * @since 0.2.0
 * @category rendering
 */
export const fish = (spec: CommandSpec.Spec, eventTypes: ReadonlyArray<string> = WebhookEventType.values): string => {
  const all = Help.nodes(spec)
  const prog = CommandSpec.programName
  const lines = [
    "# effect-heygen completion for fish. Install: effect-heygen --completions fish > ~/.config/fish/completions/effect-heygen.fish",
    "function __effect_heygen_node",
    "    set -l node ''",
    "    for w in (commandline -opc)[2..-1]",
    "        set -l next (string trim -- \"$node $w\")",
    `        if contains -- $next ${all.filter((n) => n.path.length > 0).map((n) => quote(key(n))).join(" ")}`,
    "            set node $next",
    "        end",
    "    end",
    "    test -n \"$node\"; and echo $node; or echo '.'",
    "end",
    "function __effect_heygen_at",
    "    test (__effect_heygen_node) = \"$argv[1]\"",
    "end",
    "function __effect_heygen_events",
    `    set -l types ${eventTypes.map(quote).join(" ")}`,
    "    set -l token (commandline -ct)",
    "    set -l head (string replace -r '[^,]*$' '' -- $token)",
    "    for t in $types",
    "        echo $head$t",
    "    end",
    "end",
    `complete -c ${prog} -f`
  ]
  for (const node of all) {
    // Node paths are plain words, so a double-quoted condition needs no escaping.
    const at = `"__effect_heygen_at '${node.path.length === 0 ? "." : key(node)}'"`
    for (const child of node.children) {
      lines.push(
        `complete -c ${prog} -n ${at} -a ${fishQuote(child.path[child.path.length - 1]!)} -d ${
          fishQuote(child.summary)
        }`
      )
    }
    for (const flag of flagsOf(node)) {
      const names = [`-l ${flag.name}`, ...(flag.alias === undefined ? [] : [`-s ${flag.alias}`])].join(" ")
      const c = flag.completion
      const values = flag.value === undefined
        ? ""
        : c._tag === "EventTypes"
        ? " -x -a '(__effect_heygen_events)'"
        : c._tag === "File"
        ? " -r -F"
        : c._tag === "Choice"
        ? ` -x -a ${fishQuote(c.values.join(" "))}`
        : " -x"
      lines.push(`complete -c ${prog} -n ${at} ${names}${values} -d ${fishQuote(flag.help)}`)
    }
  }
  return `${lines.join("\n")}\n`
}

/**
 * The script for `shell`.
 *
 * @since 0.2.0
 * @category rendering
 */
export const render = (shell: Shell, spec: CommandSpec.Spec): string =>
  shell === "bash" ? bash(spec) : shell === "zsh" ? zsh(spec) : fish(spec)
