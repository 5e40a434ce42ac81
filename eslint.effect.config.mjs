// `pnpm lint:effect`: the main config plus every diagnostic of @effect/language-service (the editor's Effect checks,
// with the options of the plugin entry in tsconfig.base.json), over sources and tests alike. `pnpm test` runs this
// one (through scripts/check.mjs, beside docgen): about 8 s more than the main config alone on an idle machine.
import config from "./eslint.config.mjs"

export default [
  ...config,
  {
    files: ["**/*.ts", "**/*.mts"],
    rules: {
      "local/effect-diagnostics": "error",
      // Reported by effect-diagnostics as floatingEffect; one report is enough.
      "local/no-floating-effect": "off"
    }
  }
]
