// The README's exit-code table against the code: the table once could be read as exit 1 for an API 400
// (`invalid_parameter`), which exits 2. Each `error.code` the table names must end in the row of the exit code
// the CLI really gives it (through Failure's mappings, or the `CliError` built where the code is raised), and
// every code the CLI raises must be in the table.
import * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as WebhookSignature from "@effect-heygen/core/WebhookSignature"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as CliValidationError from "@effect/cli/ValidationError"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as Failure from "../src/internal/failure.js"

const readme = fs.readFileSync(new URL("../README.md", import.meta.url), "utf8")
const srcDirs = [new URL("../src/", import.meta.url), new URL("../src/internal/", import.meta.url)]

/** The table's rows: exit code, meaning, and the codes named in its third column. */
const table = (() => {
  const start = readme.indexOf("| exit | meaning | `error.code` |")
  expect(start, "the exit-code table in packages/cli/README.md").toBeGreaterThanOrEqual(0)
  const lines = readme.slice(start).split("\n")
  const rows: Array<{ readonly exit: number; readonly meaning: string; readonly text: string }> = []
  for (const line of lines.slice(2)) {
    if (!line.startsWith("|")) break
    const [exit, meaning, text] = line.split("|").slice(1, -1).map((cell) => cell.trim())
    rows.push({ exit: Number(exit), meaning: meaning!, text: text! })
  }
  return rows
})()

const codesOf = (text: string) => [...text.matchAll(/`([a-z][a-z_]*)`/g)].map((m) => m[1]!)
const rowOf = (code: string) => table.filter((row) => codesOf(row.text).includes(code)).map((row) => row.exit)

const api = (status: number, code: string) => ({
  status,
  code,
  message: `HTTP ${status} ${code}`,
  param: null,
  docUrl: null,
  requestId: "req_1",
  idempotencyKey: "k1"
})

/** One failure of each kind Failure maps, each with HeyGen's own code where the API gives one. */
const mapped: ReadonlyArray<readonly [string, Failure.CliError]> = [
  ["ValidationError", Failure.fromHeyGenError(new HeyGenError.ValidationError({ field: "url", message: "url: bad" }))],
  ["InvalidParameter (400)", Failure.fromHeyGenError(new HeyGenError.InvalidParameter(api(400, "invalid_parameter")))],
  [
    "AuthenticationFailed (401)",
    Failure.fromHeyGenError(new HeyGenError.AuthenticationFailed(api(401, "authentication_failed")))
  ],
  ["Conflict (409)", Failure.fromHeyGenError(new HeyGenError.Conflict(api(409, "conflict")))],
  [
    "RequestInProgress (409)",
    Failure.fromHeyGenError(new HeyGenError.RequestInProgress(api(409, "request_in_progress")))
  ],
  [
    "NotFound (404)",
    Failure.fromHeyGenError(new HeyGenError.NotFound({ ...api(404, "not_found"), resourceId: "ep_1" }))
  ],
  [
    "RateLimited (429)",
    Failure.fromHeyGenError(
      new HeyGenError.RateLimited({ ...api(429, "rate_limit_exceeded"), retryAfter: Option.some(Duration.seconds(1)) })
    )
  ],
  [
    "TransportError",
    Failure.fromHeyGenError(new HeyGenError.TransportError({ message: "connection refused", idempotencyKey: "k1" }))
  ],
  [
    "TimeoutError",
    Failure.fromHeyGenError(
      new HeyGenError.TimeoutError({ scope: "call", timeout: Duration.seconds(5), idempotencyKey: "k1" })
    )
  ],
  [
    "UnexpectedResponse",
    Failure.fromHeyGenError(
      new HeyGenError.UnexpectedResponse({
        status: 502,
        message: "html",
        bodyExcerpt: "<html>",
        requestId: null,
        idempotencyKey: "k1"
      })
    )
  ],
  [
    "PaginationError",
    Failure.fromHeyGenError(new HeyGenError.PaginationError({ reason: "MissingToken", token: null, page: 1 }))
  ],
  ["no API key", Failure.fromConfigError(ConfigError.MissingData(["HEYGEN_API_KEY"], "missing"))],
  ["a bad base URL", Failure.fromConfigError(ConfigError.InvalidData(["HEYGEN_API_BASE"], "plain http"))],
  [
    "a parse error of @effect/cli",
    Failure.fromCliValidationError(CliValidationError.invalidValue(HelpDoc.p("bad")))
  ],
  ["a bad flag value", Failure.invalidFlag("--limit", "not a number")],
  ["a defect", Failure.fromDefect("bug")]
]

/**
 * Every `CliError` the sources build with a literal code, and the exit code it is built with: the first
 * `exitCode: ExitCode.X` after its `code` (each `CliError` names both). A code made from a template
 * (`webhook verify`'s `cli_${reason}`) is returned with its template, for the test to expand.
 */
const raised = (() => {
  const found: Array<{ readonly code: string; readonly exit: number; readonly file: string }> = []
  const exitOf: Record<string, number> = {
    Ok: ExitCode.Ok,
    ApiOrNetwork: ExitCode.ApiOrNetwork,
    Usage: ExitCode.Usage,
    Auth: ExitCode.Auth,
    Timeout: ExitCode.Timeout
  }
  for (const dir of srcDirs) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = fs.readFileSync(new URL(file, dir), "utf8")
      for (const start of text.matchAll(/new (?:Failure\.)?CliError\(\{/g)) {
        const rest = text.slice(start.index)
        // The code's expression: a literal, a choice of literals, or a template.
        const code = /code: ([^\n]+)/.exec(rest)?.[1] ?? ""
        const literals = [...code.matchAll(/"(cli_[a-z_]+)"/g)].map((m) => m[1]!)
        const template = /`(cli_\$\{[^`]+\})`/.exec(code)?.[1]
        const exit = /exitCode: ExitCode\.(\w+)/.exec(rest)
        const codes = literals.length > 0 ? literals : template === undefined ? [] : [template]
        // HeyGen's own code, passed through: the mapped rows above check where those land.
        if (code.trim() === "error.code,") continue
        if (codes.length === 0 || exit === null) throw new Error(`a CliError in ${file} without a code or an exit code`)
        for (const c of codes) found.push({ code: c, exit: exitOf[exit[1]!]!, file })
      }
    }
  }
  return found
})()

// `webhook verify`'s refusal codes: `cli_` and the snake_case of core's reason.
const verifyCodes = WebhookSignature.Reason.literals.map((reason) =>
  `cli_${reason.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? "" : "_"}${c.toLowerCase()}`)}`
)

describe("the CLI README's exit-code table", () => {
  it("has one row per exit code, in order, and names each code in one row only", () => {
    expect(table.map((row) => row.exit)).toEqual([...ExitCode.all])
    const named = table.flatMap((row) => codesOf(row.text))
    expect(named.filter((code, i) => named.indexOf(code) !== i)).toEqual([])
  })

  it.each(mapped)("%s: its code is in the row of its exit code", (_, failure) => {
    expect(rowOf(failure.envelope.error.code)).toEqual([failure.exitCode])
  })

  it("an API 400 invalid_parameter is exit 2, in the usage row", () => {
    const failure = Failure.fromHeyGenError(new HeyGenError.InvalidParameter(api(400, "invalid_parameter")))
    expect(failure.exitCode).toBe(ExitCode.Usage)
    expect(rowOf("invalid_parameter")).toEqual([2])
  })

  it("any other API code: 401 and 403 are exit 3, everything else exit 1, as the table says", () => {
    for (const status of [401, 403]) {
      expect(Failure.fromHeyGenError(new HeyGenError.ApiError(api(status, "some_code"))).exitCode).toBe(ExitCode.Auth)
    }
    for (const status of [400, 404, 422, 500, 503]) {
      expect(Failure.fromHeyGenError(new HeyGenError.ApiError(api(status, "some_code"))).exitCode).toBe(
        ExitCode.ApiOrNetwork
      )
    }
    expect(table[3]!.text).toContain("any API error with status 401 or 403")
    expect(table[1]!.text).toContain("any other code")
  })

  it("every code the CLI raises itself is in the row of the exit code it is raised with", () => {
    expect(raised.length).toBeGreaterThan(10)
    for (const { code, exit, file } of raised) {
      if (code.includes("${")) {
        // webhook verify: the table names some of its codes; each must be a real one, in this row.
        const listed = codesOf(table.find((row) => row.exit === exit)!.text).filter((c) => verifyCodes.includes(c))
        expect(listed.length, `${code} (${file})`).toBeGreaterThan(0)
        continue
      }
      expect(rowOf(code), `${code} (${file})`).toEqual([exit])
    }
  })

  it("names no code the CLI does not produce", () => {
    const produced = new Set([
      ...mapped.map(([, failure]) => failure.envelope.error.code),
      ...raised.map((r) => r.code),
      ...verifyCodes
    ])
    const named = table.flatMap((row) => codesOf(row.text))
    expect(named.filter((code) => !produced.has(code))).toEqual([])
  })
})
