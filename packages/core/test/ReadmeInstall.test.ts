/**
 * Each README example runs with the packages its section says to install: every package a ```ts block imports is
 * on the nearest `npm install` line above it. (A reader who installed what the core README said met
 * ERR_MODULE_NOT_FOUND for @effect/platform-node in the receiver example.)
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"

const readmes = {
  "README.md": "../../../README.md",
  "packages/core/README.md": "../README.md"
} as const

// A bare specifier's package: `@scope/name` or `name`, without a subpath; relative and node: imports are not packages.
const packageOf = (specifier: string): string | null => {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return null
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!
}

const blocks = (text: string) =>
  [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }))

describe("README install lines", () => {
  for (const [name, path] of Object.entries(readmes)) {
    it(`${name}: every package an example imports is on the install line of its section`, () => {
      const text = fs.readFileSync(new URL(path, import.meta.url), "utf8")
      let installed: ReadonlySet<string> | null = null
      const missing: Array<string> = []
      let examples = 0
      for (const block of blocks(text)) {
        const install = block.body.match(/^npm install ([^\n]+)$/m)
        if ((block.lang === "sh" || block.lang === "bash") && install !== null) {
          installed = new Set(install[1]!.split(/\s+/).filter((word) => !word.startsWith("-")))
          continue
        }
        if (block.lang !== "ts") continue
        examples++
        for (const [, specifier] of block.body.matchAll(/^(?:import|export)[^"\n]*from "([^"]+)"/gm)) {
          const pkg = packageOf(specifier!)
          if (pkg !== null && installed?.has(pkg) !== true) {
            missing.push(`${pkg} (imported by the example at "${block.body.slice(0, 60).replace(/\n/g, " ")}…")`)
          }
        }
      }
      expect(examples).toBeGreaterThan(3)
      expect(missing).toEqual([])
    })
  }
})
