// `--completions bash|zsh|fish`: shell completion scripts rendered from the `@effect/cli` definition (the tree,
// and each command's flags as `Help.flagsOf` reads them). They complete commands, flags, file paths for flags that
// take a file, the values of a choice, and event types for `--events`, `--event-types` (after the last comma too)
// and `--event-type`: what a flag's value is comes from its placeholder (`TYPES`, `PATH`, `a|b`).
//
// Not `@effect/cli`'s own scripts: in 0.77 its bash script does not recognise a subcommand of a program whose name
// has a dash (it completes `effect-heygen webhook <TAB>` as the root), and it completes no free-text value.
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import type * as Flags from "./flags.js"
import * as Help from "./help.js"

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`
// fish allows \' and \\ inside single quotes (and nothing else is special there).
const fishQuote = (s: string): string => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`

type Values = "none" | "file" | "event-types" | "event-type" | ReadonlyArray<string>

const valuesOf = (flag: Help.Flag): Values =>
  flag.value === "TYPES"
    ? "event-types"
    : flag.value === "TYPE"
    ? "event-type"
    : flag.value === "PATH" || flag.value === "FILE" || flag.value === "JSON"
    ? "file"
    : flag.value?.includes("|") === true
    ? flag.value.split(/\s*\|\s*/)
    : "none"

const namesOf = (flag: Help.Flag): Array<string> => [flag.name, ...(flag.alias === undefined ? [] : [`-${flag.alias}`])]

const bash = (root: Flags.Node): string => {
  const all = Help.nodes(root)
  const key = (at: Help.At) => at.path.join(" ")
  const valueCases = all.flatMap((at) =>
    Help.flagsOf(at.node, at.path.length === 0).filter((f) => f.value !== undefined).map((flag) => {
      const v = valuesOf(flag)
      const action = v === "event-types"
        ? `_effect_heygen_list "$cur"; return 0`
        : v === "event-type"
        ? `COMPREPLY=( $(compgen -W "$events" -- "$cur") ); return 0`
        : v === "file"
        ? `COMPREPLY=( $(compgen -f -- "$cur") ); return 0`
        : v === "none"
        ? "return 0"
        : `COMPREPLY=( $(compgen -W ${quote(v.join(" "))} -- "$cur") ); return 0`
      return `    ${namesOf(flag).map((name) => quote(`${key(at)}|${name}`)).join("|")}) ${action} ;;`
    })
  )
  const wordCases = all.map((at) => {
    const words = [
      ...at.node.children.map((c) => c.name),
      ...Help.flagsOf(at.node, at.path.length === 0).flatMap(namesOf)
    ]
    return `    ${quote(key(at))}) words=${quote(words.join(" "))} ;;`
  })
  return [
    "# effect-heygen completion for bash. Install: effect-heygen --completions bash > ~/.local/share/bash-completion/completions/effect-heygen",
    `_effect_heygen_list() {`,
    `  local head="" tail="$1"`,
    `  if [[ "$tail" == *,* ]]; then head="\${tail%,*},"; tail="\${tail##*,}"; fi`,
    `  COMPREPLY=( $(compgen -P "$head" -W "$events" -- "$tail") )`,
    `}`,
    `_effect_heygen_complete() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" node="" next i words`,
    `  local events=${quote(WebhookEventType.values.join(" "))}`,
    `  for ((i = 1; i < COMP_CWORD; i++)); do`,
    `    next="\${node:+$node }\${COMP_WORDS[i]}"`,
    `    case "$next" in ${
      all.filter((at) => at.path.length > 0).map((at) => quote(key(at))).join("|")
    }) node="$next" ;; esac`,
    `  done`,
    `  case "$node|$prev" in`,
    ...valueCases,
    `  esac`,
    `  case "$node" in`,
    ...wordCases,
    `  esac`,
    `  COMPREPLY=( $(compgen -W "$words" -- "$cur") )`,
    `}`,
    `complete -o bashdefault -F _effect_heygen_complete ${Help.programName}`,
    ""
  ].join("\n")
}

const fish = (root: Flags.Node): string => {
  const all = Help.nodes(root)
  const prog = Help.programName
  const lines = [
    "# effect-heygen completion for fish. Install: effect-heygen --completions fish > ~/.config/fish/completions/effect-heygen.fish",
    "function __effect_heygen_node",
    "    set -l node ''",
    "    for w in (commandline -opc)[2..-1]",
    "        set -l next (string trim -- \"$node $w\")",
    `        if contains -- $next ${
      all.filter((at) => at.path.length > 0).map((at) => quote(at.path.join(" "))).join(" ")
    }`,
    "            set node $next",
    "        end",
    "    end",
    "    test -n \"$node\"; and echo $node; or echo '.'",
    "end",
    "function __effect_heygen_at",
    "    test (__effect_heygen_node) = \"$argv[1]\"",
    "end",
    "function __effect_heygen_events",
    `    set -l types ${WebhookEventType.values.map(quote).join(" ")}`,
    "    set -l token (commandline -ct)",
    "    set -l head (string replace -r '[^,]*$' '' -- $token)",
    "    for t in $types",
    "        echo $head$t",
    "    end",
    "end",
    `complete -c ${prog} -f`
  ]
  for (const at of all) {
    // Command paths are plain words, so a double-quoted condition needs no escaping.
    const cond = `"__effect_heygen_at '${at.path.length === 0 ? "." : at.path.join(" ")}'"`
    for (const child of at.node.children) {
      const summary = Help.render(root, [...at.path, child.name]).split("\n")[0]!
      lines.push(`complete -c ${prog} -n ${cond} -a ${fishQuote(child.name)} -d ${fishQuote(summary)}`)
    }
    for (const flag of Help.flagsOf(at.node, at.path.length === 0)) {
      const names = [`-l ${flag.name.slice(2)}`, ...(flag.alias === undefined ? [] : [`-s ${flag.alias}`])].join(" ")
      const v = valuesOf(flag)
      const values = flag.value === undefined
        ? ""
        : v === "event-types" || v === "event-type"
        ? " -x -a '(__effect_heygen_events)'"
        : v === "file"
        ? " -r -F"
        : v === "none"
        ? " -x"
        : ` -x -a ${fishQuote(v.join(" "))}`
      lines.push(`complete -c ${prog} -n ${cond} ${names}${values} -d ${fishQuote(flag.help)}`)
    }
  }
  return `${lines.join("\n")}\n`
}

/** The script for `shell` (zsh runs the bash one through `bashcompinit`). */
export const render = (shell: "sh" | "bash" | "zsh" | "fish", root: Flags.Node): string =>
  shell === "fish"
    ? fish(root)
    : shell === "zsh"
    ? [
      "#compdef effect-heygen",
      "# effect-heygen completion for zsh. Install: effect-heygen --completions zsh > \"${fpath[1]}/_effect-heygen\"",
      "autoload -U +X bashcompinit && bashcompinit",
      bash(root)
    ].join("\n")
    : bash(root)
