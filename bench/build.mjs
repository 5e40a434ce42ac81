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
  logLevel: "warning",
  plugins: [{
    // The PostgreSQL starter stays a file of its own: it runs itself as its cluster's reaper
    // (`node scripts/postgres.mjs --reap`), which a copy inside the bundle cannot do.
    name: "postgres-starter",
    setup(build) {
      build.onResolve(
        { filter: /scripts\/postgres\.mjs$/ },
        () => ({ path: "../../scripts/postgres.mjs", external: true })
      )
    }
  }]
})
