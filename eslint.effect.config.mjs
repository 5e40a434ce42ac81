// `pnpm lint:effect`: the main config plus every diagnostic of @effect/language-service (the editor's Effect checks,
// with the options of the plugin entry in tsconfig.base.json), over sources and tests alike. Not part of `pnpm test`:
// it roughly doubles the cost of the type-aware pass (about 14 s of CPU here), and the one check that must never
// slip, a floating Effect, is already in the main config.
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
