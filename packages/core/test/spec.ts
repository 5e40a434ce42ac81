/**
 * The operation's OpenAPI document, read from the repo's own copy (spec/ at the root), never from outside it.
 */
import * as fs from "node:fs"
import { parse } from "yaml"

export const specPath = new URL("../../../spec/webhooks.openapi.yaml", import.meta.url)

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

interface Parameter {
  readonly name: string
  readonly in: string
  readonly schema: Json
}

export const spec = parse(fs.readFileSync(specPath, "utf8")) as {
  readonly paths: Record<string, Record<string, { readonly parameters?: ReadonlyArray<Parameter> }>>
  readonly components: { readonly schemas: Record<string, Json> }
}

/** The schema of one query parameter of an operation, e.g. `queryParameter("/v3/webhooks/events", "get", "limit")`. */
export const queryParameter = (path: string, method: string, name: string): Json => {
  const parameter = spec.paths[path]?.[method]?.parameters?.find((p) => p.in === "query" && p.name === name)
  if (parameter === undefined) throw new Error(`no query parameter ${name} on ${method} ${path} in the spec`)
  return parameter.schema
}

/** A schema of `components.schemas` with every local `$ref` inlined (the spec has no cycles). */
export const resolved = (name: string): Json => inline(spec.components.schemas[name] ?? null, spec.components.schemas)

const inline = (node: Json, defs: Record<string, Json>): Json => {
  if (Array.isArray(node)) return node.map((n) => inline(n, defs))
  if (node === null || typeof node !== "object") return node
  const obj = node as { readonly [key: string]: Json }
  const ref = obj["$ref"]
  if (typeof ref === "string") {
    const target = ref.replace(/^#\/(components\/schemas|\$defs)\//, "")
    return inline(defs[target] ?? null, defs)
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, inline(v, defs)]))
}

export { inline }
export type { Json }
