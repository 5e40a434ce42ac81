// What the published CLI brings along: the sandbox's fake (test-utils' FakeHeyGen, FakeServer, FakeDelivery) at
// run time, but not the property-testing library the arbitraries beside it need.
import * as NodeFs from "node:fs"
import { describe, expect, it } from "vitest"
import { bin } from "./harness.js"

const manifest = (path: string) =>
  JSON.parse(NodeFs.readFileSync(new URL(path, import.meta.url), "utf8")) as {
    dependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
    peerDependenciesMeta?: Record<string, { optional?: boolean }>
  }

describe("runtime dependencies", () => {
  it("fast-check is not a dependency of the CLI, and test-utils needs it only for its arbitraries", () => {
    expect(Object.keys(manifest("../package.json").dependencies ?? {})).not.toContain("fast-check")
    const testUtils = manifest("../../test-utils/package.json")
    expect(testUtils.peerDependenciesMeta?.["fast-check"]?.optional).toBe(true)
  })

  it("the bundled bin holds the sandbox's fake but no fast-check", () => {
    const bundle = NodeFs.readFileSync(bin, "utf8")
    expect(bundle).toContain("sandbox_heygen_key")
    // fast-check's own error text, present in any build of it.
    expect(bundle).not.toContain("Property failed after")
  })
})
