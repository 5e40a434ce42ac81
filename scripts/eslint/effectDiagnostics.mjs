// A local ESLint rule that reports the diagnostics of @effect/language-service (floatingEffect,
// missingEffectContext, missingStarInYieldEffectGen, ...) for each linted file.
//
// Why here and not with the language service's own command line: `effect-language-service diagnostics` builds a
// TypeScript program per tsconfig (about 25 s for our three packages, and it skips tests, which no tsconfig.json
// covers), and its `patch` mode rewrites node_modules/typescript in place, which pnpm hard-links from the shared
// store. The package also ships the entry it uses inside a compiler (`transform.js`: given a program, it adds the
// diagnostics of one source file), so we call that on the program typescript-eslint has already built: the same
// checks as the editor, with the options of tsconfig.base.json's plugin entry, for the price of the checks alone.
import { createRequire } from "node:module"
import ts from "typescript"

const require = createRequire(import.meta.url)
const transform = require("@effect/language-service/transform.js").default

const pluginName = "@effect/language-service"

/** @type {import("eslint").Rule.RuleModule} */
export const effectDiagnostics = {
  meta: {
    type: "problem",
    docs: { description: "Report the diagnostics of @effect/language-service (errors and warnings)" },
    schema: []
  },
  create(context) {
    const services = context.sourceCode.parserServices
    if (!services?.program) throw new Error("effect-diagnostics needs typed linting (parserOptions.project)")
    const program = services.program
    return {
      Program(node) {
        const sourceFile = services.esTreeNodeToTSNodeMap.get(node)
        const plugins = program.getCompilerOptions().plugins ?? []
        const config = plugins.find((plugin) => plugin.name === pluginName)
        if (config === undefined) return
        const found = []
        transform(program, config, { addDiagnostic: (diagnostic) => found.push(diagnostic), ts })()(sourceFile)
        for (const diagnostic of found) {
          const start = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
          const end = sourceFile.getLineAndCharacterOfPosition((diagnostic.start ?? 0) + (diagnostic.length ?? 0))
          context.report({
            loc: {
              start: { line: start.line + 1, column: start.character },
              end: { line: end.line + 1, column: end.character }
            },
            message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
          })
        }
      }
    }
  }
}
