// Vitest 3.2 deprecates a default-exported workspace file; a named `projects` array imported by
// vitest.config.ts gives one run over every package with no warning.
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.dirname(fileURLToPath(import.meta.url))

// Tests run against the sources of sibling packages, not their dist, so a change is tested without a rebuild.
const alias = [
  { find: /^@effect-heygen\/core$/, replacement: path.join(root, "packages/core/src/index.ts") },
  { find: /^@effect-heygen\/core\/(.*)$/, replacement: path.join(root, "packages/core/src/$1.ts") },
  { find: /^@effect-heygen\/test-utils$/, replacement: path.join(root, "packages/test-utils/src/index.ts") },
  { find: /^@effect-heygen\/test-utils\/(.*)$/, replacement: path.join(root, "packages/test-utils/src/$1.ts") }
]

const project = (name: string, globalSetup: Array<string> = []) => ({
  resolve: { alias },
  test: {
    name,
    root: path.join(root, "packages", name),
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    globalSetup
  }
})

// Core's tests include the SQL delivery log on a real PostgreSQL: one throwaway cluster per run, started only when
// core's tests run (vitest.postgres.ts).
export const projects = [
  project("core", [path.join(root, "vitest.postgres.ts")]),
  project("test-utils"),
  project("cli")
]
