/**
 * Help is rendered from the command definitions: for every command and group, `--help` names the whole command
 * in its usage line, says something specific under each flag (never @effect/cli's generic filler), shows
 * examples, and the root lists the whole tree. Run in-process through `Main.run`, as the bin runs it.
 */
import { describe, expect, it } from "vitest"
import * as Commands from "../src/internal/commands.js"
import * as Help from "../src/internal/help.js"
import { runInProcess } from "./harness.js"

const everyNode = Help.nodes(Commands.root)
const filler = /A user-defined piece of text|A true or false value|This setting is optional|One of the following/

const usageLines = (text: string): Array<string> => {
  const lines = text.split("\n")
  const at = lines.indexOf("USAGE")
  return at < 0 ? [] : [lines[at + 1]!.trim()]
}

describe("--help", () => {
  it("covers the whole command tree HeyGen's CLI has", () => {
    const paths = Help.commands(Commands.root).map((l) => l.path.join(" "))
    for (
      const p of [
        "webhook endpoints create",
        "webhook endpoints list",
        "webhook endpoints update",
        "webhook endpoints delete",
        "webhook endpoints rotate-secret",
        "webhook event-types list",
        "webhook events list",
        "sandbox reset"
      ]
    ) expect(paths).toContain(p)
  })

  it.each(everyNode.map((n) => [n.path.join(" ") || "(root)", n] as const))(
    "%s: full usage line, no filler, a line per flag, examples",
    async (_, node) => {
      for (const flag of ["--help", "-h"]) {
        const out = await runInProcess([...node.path, flag])
        expect(out.code).toBe(0)
        expect(out.stderr).toBe("")
        expect(out.stdout).not.toMatch(filler)
        const usage = usageLines(out.stdout)
        expect(usage).toHaveLength(1)
        expect(usage[0]!.startsWith(`effect-heygen ${node.path.join(" ")}`.trimEnd() + " ")).toBe(true)
        for (const f of Help.flagsOf(node.node)) {
          const line = out.stdout.split("\n").find((l) => l.includes(f.name) && l.includes(f.help))
          expect(f.help.length, f.name).toBeGreaterThan(10)
          expect(line, f.name).toBeDefined()
        }
        const lines = out.stdout.split("\n")
        const examples = lines.slice(lines.indexOf("EXAMPLES")).filter((l) => l.startsWith("  # "))
        expect(examples.length).toBeGreaterThanOrEqual(node.node.children.length > 0 ? 1 : 2)
        expect(examples.length).toBeLessThanOrEqual(3)
      }
    }
  )

  it("the root lists every command with its summary", async () => {
    const out = await runInProcess(["--help"])
    for (const leaf of Help.commands(Commands.root)) {
      const help = await runInProcess([...leaf.path, "--help"])
      const summary = help.stdout.split("\n")[0]!
      expect(summary.length).toBeGreaterThan(10)
      expect(out.stdout).toMatch(
        new RegExp(`^  ${leaf.path.join(" ")} +${summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m")
      )
    }
  })

  it("update's --events says it replaces the list", async () => {
    const out = await runInProcess(["webhook", "endpoints", "update", "--help"])
    expect(out.stdout).toMatch(/--events TYPES +.*REPLACE/)
  })

  it("a group named alone prints its help (exit 0); a flag value `-h` after `--` is not a help request", async () => {
    const out = await runInProcess(["webhook", "endpoints"])
    expect(out.code).toBe(0)
    expect(usageLines(out.stdout)).toEqual(["effect-heygen webhook endpoints <command> [flags]"])
  })
})
