// The project's own ESLint rules, registered as the plugin `local` in eslint.config.mjs.
import { effectDiagnostics } from "./effectDiagnostics.mjs"
import { noFloatingEffect } from "./noFloatingEffect.mjs"

export default {
  meta: { name: "effect-heygen-local" },
  rules: { "effect-diagnostics": effectDiagnostics, "no-floating-effect": noFloatingEffect }
}
