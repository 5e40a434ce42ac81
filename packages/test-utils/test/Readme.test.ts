// The README's recipe is the recipe test itself, byte for byte, so the documented example always compiles and passes.
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"

const read = (relative: string) => Fs.readFileSync(new URL(relative, import.meta.url), "utf8")

describe("README", () => {
  it("shows test/Recipe.test.ts verbatim as its recipe", () => {
    const blocks = [...read("../README.md").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    expect(blocks).toContain(read("./Recipe.test.ts"))
  })
})
