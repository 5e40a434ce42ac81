/**
 * The route table and its matcher. A path that no route has is 404; a path a route has under another method, 405.
 */
import * as Endpoints from "./endpoints.js"
import * as Events from "./events.js"
import type { Route } from "./route.js"

export const routes: ReadonlyArray<Route> = [...Endpoints.routes, ...Events.routes]

const matchPath = (pattern: ReadonlyArray<string | null>, segments: ReadonlyArray<string>) => {
  if (pattern.length !== segments.length) return undefined
  const params: Array<string> = []
  for (const [i, expected] of pattern.entries()) {
    const segment = segments[i]!
    if (expected !== null) {
      if (segment !== expected) return undefined
      continue
    }
    let decoded: string
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      return undefined
    }
    // An empty id names no resource; a raw slash could not reach here (it splits the path).
    if (decoded === "") return undefined
    params.push(decoded)
  }
  return params
}

export type Match =
  | { readonly _tag: "Found"; readonly route: Route; readonly params: ReadonlyArray<string> }
  | { readonly _tag: "MethodNotAllowed" }
  | { readonly _tag: "NoRoute" }

export const match = (method: string, path: string): Match => {
  const segments = path.split("/")
  let pathKnown = false
  for (const route of routes) {
    const params = matchPath(route.pattern, segments)
    if (params === undefined) continue
    if (route.method === method) return { _tag: "Found", route, params }
    pathKnown = true
  }
  return pathKnown ? { _tag: "MethodNotAllowed" } : { _tag: "NoRoute" }
}
