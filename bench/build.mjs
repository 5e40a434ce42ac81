// Bundles bench/run.ts to one ESM file (dependencies stay external and resolve from node_modules).
import * as esbuild from "esbuild"

await esbuild.build({
  entryPoints: [new URL("./run.ts", import.meta.url).pathname],
  outfile: new URL("./dist/run.mjs", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning"
})
