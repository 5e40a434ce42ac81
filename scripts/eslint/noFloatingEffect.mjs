// A local ESLint rule: an `Effect` value used as a bare statement is a description that never runs (the mistake
// `@typescript-eslint/no-floating-promises` catches for Promises). It mirrors `floatingEffect` of
// @effect/language-service, inside the type-aware ESLint pass we already pay for; the plugin's whole set of checks
// (`pnpm lint:effect`) costs about 14 s of CPU more, too much for every `pnpm test`.

/** Whether a property of `type` is keyed by the unique symbol declared as `name` (e.g. `EffectTypeId`). */
const hasSymbolKey = (type, name) =>
  type.getProperties().some((property) => String(property.escapedName).startsWith(`__@${name}@`))

const hasProperty = (checker, type, name) => checker.getPropertyOfType(type, name) !== undefined

/**
 * Whether `type` is an Effect that must be run. As in the language service's rule, the Effect subtypes that are
 * values in their own right are allowed: those with a `_tag` or a `get` (Exit, Option, Either, yieldable errors, a
 * Context.Tag) and fibers (`await` and `poll`), so `Effect.runFork(x)` as a statement is a deliberate fire-and-forget.
 */
const isEffect = (checker, type) => {
  const parts = type.isUnion() ? type.types : [type]
  return parts.some((part) => {
    const apparent = checker.getApparentType(part)
    if (!hasSymbolKey(apparent, "EffectTypeId")) return false
    if (hasProperty(checker, apparent, "_tag") || hasProperty(checker, apparent, "get")) return false
    return !(hasProperty(checker, apparent, "await") && hasProperty(checker, apparent, "poll"))
  })
}

/** @type {import("eslint").Rule.RuleModule} */
export const noFloatingEffect = {
  meta: {
    type: "problem",
    docs: { description: "An Effect expression statement is never run: yield it, run it, or assign it" },
    messages: {
      floating: "This Effect is never run: `yield*` it, run it, or assign it (a bare Effect statement does nothing)."
    },
    schema: []
  },
  create(context) {
    // The typed parser services of typescript-eslint (the config turns on `parserOptions.project` for .ts files).
    const services = context.sourceCode.parserServices
    if (!services?.program) throw new Error("no-floating-effect needs typed linting (parserOptions.project)")
    const checker = services.program.getTypeChecker()
    return {
      ExpressionStatement(node) {
        if (node.parent.type !== "BlockStatement" && node.parent.type !== "Program") return
        const expression = node.expression.type === "ChainExpression" ? node.expression.expression : node.expression
        // `x = eff` stores it and `void eff` discards it on purpose; neither is a forgotten Effect.
        if (expression.type === "AssignmentExpression") return
        if (expression.type === "UnaryExpression" && expression.operator === "void") return
        if (isEffect(checker, checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(expression)))) {
          context.report({ node, messageId: "floating" })
        }
      }
    }
  }
}
