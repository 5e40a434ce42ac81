// Lint and format in one pass, the way Effect's own repository does it: typescript-eslint for the mistakes, and
// @effect/eslint-plugin's `@effect/dprint` rule for the layout (its options are Effect's own). `pnpm lint` checks,
// `pnpm lint:fix` rewrites what can be rewritten (layout, type-only imports).
import * as effectEslint from "@effect/eslint-plugin"
import eslint from "@eslint/js"
import tseslint from "typescript-eslint"
import local from "./scripts/eslint/plugin.mjs"

const typeScriptFiles = ["**/*.ts", "**/*.mts"]

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/",
      "**/dist/",
      "**/build/",
      "**/docs/",
      "**/coverage/",
      "**/.tmp/",
      "bench/dist/",
      // Written by openapi-typescript from the spec (bench/generate.mjs); regenerated, never edited.
      "bench/generated/"
    ]
  },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  effectEslint.configs.dprint,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        performance: "readonly",
        Buffer: "readonly",
        globalThis: "readonly"
      }
    },
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_",
        varsIgnorePattern: "^_",
        caughtErrorsIgnorePattern: "^_"
      }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Effect idioms, off as in Effect's own repository: `interface X extends Schema.Schema.Type<typeof X> {}` names
      // a schema's type, and a Context.Tag class merges with the interface of its service.
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unsafe-declaration-merging": "off",
      // A package reaches another only through its public entry points (`exports` closes `internal/*` to consumers;
      // this closes it inside the monorepo too, where a relative path would get around it).
      "no-restricted-imports": ["error", {
        patterns: [{
          group: ["@effect-heygen/*/internal", "@effect-heygen/*/internal/*", "@effect-heygen/*/src/*"],
          message: "Import another package through its public modules, not its internals."
        }, {
          group: ["../../*/src/*", "../../../*/src/*", "**/packages/*/src/*"],
          message: "Import another package by its name (@effect-heygen/...), not by a relative path into its src/."
        }]
      }]
    }
  },
  {
    // Type-aware rules need a TypeScript program: one program over every package's sources, tests and examples
    // (tsconfig.lint.json maps @effect-heygen/* to the sources, so linting needs no prior build).
    files: typeScriptFiles,
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.lint.json"],
        tsconfigRootDir: import.meta.dirname
      }
    },
    plugins: { local },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // The floating-Effect check of @effect/language-service, cheaply (see scripts/eslint/noFloatingEffect.mjs);
      // `pnpm lint:effect` runs all of that plugin's diagnostics (eslint.effect.config.mjs).
      "local/no-floating-effect": "error"
    }
  }
)
