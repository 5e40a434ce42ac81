// Builds bin/effect-heygen.cjs: the whole CLI in one minified CommonJS file.
//
// Why a bundle: resolving and evaluating hundreds of ESM files from node_modules costs ~0.6 s per run; one CJS
// file starts in a fraction of that (TOOLCHAIN.md). CJS rather than ESM because an ESM bundle needs a
// createRequire banner for Node built-ins. The dynamic import()s of the heavy parts (HTTP client, sandbox server)
// stay lazy: esbuild wraps each such module in an initialiser that runs only when the import() is reached.
//
// Workspace packages resolve through their package.json exports to dist/, so run `tsc -b` first (the `bundle`
// script does).
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const outfile = path.join(root, "bin", "effect-heygen.cjs")

// Packages @effect/platform-node imports at the top of modules we use, but only touches inside code paths the CLI
// never takes: undici (NodeHttpClient's undici variant; we use the node:http one), ws (WebSocket upgrades) and
// mime (serving files). Bundled, they would be half the file and ~30 ms of parsing on every run, --help included.
// Replaced by an empty module, any use would fail loudly with a TypeError rather than silently misbehave.
const unused = ["undici", "ws", "mime"]
const stubUnused = {
  name: "stub-unused",
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${unused.join("|")})(/.*)?$`) }, (args) => ({
      path: args.path,
      namespace: "stub-unused"
    }))
    build.onLoad({ filter: /.*/, namespace: "stub-unused" }, (args) => ({
      contents: `// ${args.path}: not used by effect-heygen (see scripts/bundle.mjs)\nmodule.exports = {}`,
      loader: "js"
    }))
  }
}

const result = await esbuild.build({
  plugins: [stubUnused],
  entryPoints: [path.join(root, "src", "bin.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  // Names stay readable in the rare defect message; the size cost is small.
  keepNames: false,
  legalComments: "none",
  banner: { js: "#!/usr/bin/env node" },
  metafile: process.argv.includes("--metafile"),
  logLevel: "warning"
})
fs.chmodSync(outfile, 0o755)
if (result.metafile) {
  fs.writeFileSync(path.join(root, "bin", "meta.json"), JSON.stringify(result.metafile))
  console.log(await esbuild.analyzeMetafile(result.metafile, { verbose: false }))
}
console.log(`bundled ${path.relative(process.cwd(), outfile)} (${(fs.statSync(outfile).size / 1024).toFixed(0)} KiB)`)
