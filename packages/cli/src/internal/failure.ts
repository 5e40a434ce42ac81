// How every failure becomes one line of JSON on stderr and one exit code. The envelope is HeyGen's own error shape,
// `{"error":{"code","message","hint","param","doc_url","request_id"}}`, plus the idempotency key the call used: with
// it, a user can repeat a call whose outcome is unknown and get the original result instead of a second endpoint.
// Codes the CLI makes itself (not HeyGen's) start with `cli_`.
import type * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import type * as CliValidationError from "@effect/cli/ValidationError"
import type * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ExitCode from "../ExitCode.js"

/** What every command fails with: the fields of the envelope on stderr, and the exit code. */
export class CliError extends Data.TaggedError("CliError")<{
  readonly code: string
  readonly message: string
  /** What to do next. */
  readonly hint?: string | null | undefined
  /** The flag (`--url`) or API field (`url`) at fault, when one is. */
  readonly param?: string | null | undefined
  readonly docUrl?: string | null | undefined
  /** HeyGen's `x-request-id`: quote it to HeyGen support. */
  readonly requestId?: string | null | undefined
  /** The key the call used, when a request was attempted (or the one the user gave). */
  readonly idempotencyKey?: string | null | undefined
  readonly exitCode: ExitCode.ExitCode
}> {
  get envelope() {
    return {
      error: {
        code: this.code,
        message: this.message,
        hint: this.hint ?? null,
        param: this.param ?? null,
        doc_url: this.docUrl ?? null,
        request_id: this.requestId ?? null
      },
      idempotency_key: this.idempotencyKey ?? null
    }
  }
}

/** The stderr line. */
export const render = (error: CliError): string => JSON.stringify(error.envelope)

/** A bad value for a flag: exit 2, naming the flag. */
export const invalidFlag = (flag: string, message: string, hint?: string): CliError =>
  new CliError({
    code: "cli_invalid_flag",
    message: `${flag}: ${message}`,
    hint: hint ?? `run with --help to see what ${flag} accepts`,
    param: flag,
    exitCode: ExitCode.Usage
  })

const eventTypeListing = `must be one of the ${WebhookEventType.values.length} HeyGen event types ` +
  "(see `effect-heygen webhook event-types list --offline`)"

// `"x" is not a HeyGen event type: did you mean "y"? It must be one of the 30 …`, the suggestion left out when none.
const notAnEventType = (quoted: string, suggestion: string | null | undefined): string =>
  `${quoted} is not a HeyGen event type: ${
    suggestion == null ? "" : `did you mean ${JSON.stringify(suggestion)}? It `
  }${eventTypeListing}`

/** Why `value` is not one of HeyGen's event types, with a "did you mean" when one is close: core's wording. */
export const notAnEventTypeMessage = (value: string): string =>
  notAnEventType(WebhookEventType.showActual(value), WebhookEventType.closest(value))

// The flag a request field comes from, so a validation message names what the user typed; an unknown key can
// only have come from a `--data` body.
const flagOfField: Record<string, string> = {
  url: "--url",
  events: "--events",
  entity_id: "--entity-id",
  event_type: "--event-type",
  limit: "--limit",
  token: "--token",
  endpoint_id: "<endpoint-id>",
  idempotencyKey: "--idempotency-key"
}

// Core's error carries the refused value as it may be shown and the closest event type as data; the CLI says the
// same with how many there are and where to list them.
const eventTypeMessage = (error: HeyGenError.ValidationError): string => {
  if (error.kind !== "UnknownEventType" || error.actual === undefined) return error.message
  return error.actual.startsWith("\"")
    ? `${error.field}: ${notAnEventType(error.actual, error.suggestion)}`
    : `${error.field}: ${error.actual} is not a HeyGen event type: ${eventTypeListing}`
}

const repeatHint = (key: string | null) =>
  key === null
    ? "repeat the same command: it is safe to repeat"
    : `repeat the same command with --idempotency-key ${key}: HeyGen replays the original result instead of creating a second endpoint`

// What to check first, by what the transport said.
const transportAdvice: Record<HeyGenError.TransportReason, string> = {
  "connection refused": "nothing listens at the base URL: check HEYGEN_API_BASE (or --base-url)",
  "connection reset": "the connection was dropped (a proxy or the network)",
  "DNS lookup failed": "the host name did not resolve: check HEYGEN_API_BASE and your DNS",
  "host unreachable": "no route to the host: check your network",
  "TLS": "the TLS handshake failed: check the base URL's certificate, or a proxy intercepting HTTPS",
  "invalid header": "a header value was refused before sending: check HEYGEN_API_KEY for stray characters",
  "invalid URL": "the request URL is not valid: check HEYGEN_API_BASE",
  "timeout": "the connection timed out",
  "response cut off": "the response was cut off part-way",
  "connection failed": "the connection failed"
}

/**
 * What a call's failure is reported against: whether it ran on the sandbox (hints then keep `--sandbox`), and
 * which request fields came from `-d/--data` rather than their own flags (an error about one names `--data`).
 */
export interface CallContext {
  readonly sandbox?: boolean | undefined
  readonly fromData?: ReadonlyArray<string> | undefined
}

/**
 * Maps each of core's errors to exactly one envelope and exit code. `suppliedKey` is the key the user passed: a
 * `ValidationError` happens before any key is generated, so the user's own key is the only one to report.
 */
export const fromHeyGenError = (
  error: HeyGenError.HeyGenError,
  suppliedKey?: string,
  context: CallContext = {}
): CliError => {
  switch (error._tag) {
    case "ValidationError": {
      const head = error.field.split(".")[0] ?? ""
      const inData = context.fromData?.includes(head) === true
      const flag = inData ? "--data" : flagOfField[head] ?? "--data"
      return new CliError({
        code: "cli_invalid_input",
        message: eventTypeMessage(error),
        param: flag,
        hint: inData
          ? `fix the ${head} field of -d/--data (see --help); nothing was sent`
          : flag === "--data"
          ? "a --data body may hold only url, events and entity_id"
          : `fix ${flag} (see --help); nothing was sent`,
        idempotencyKey: suppliedKey,
        exitCode: ExitCode.Usage
      })
    }
    case "TransportError":
      return new CliError({
        code: "cli_network_error",
        // The message starts with the reason ("connection refused: POST https://…"), so say what to fix first.
        message: error.message,
        hint: `${transportAdvice[error.reason]}; the response was lost, so the endpoint may or may not exist: ${
          repeatHint(error.idempotencyKey)
        }`,
        idempotencyKey: error.idempotencyKey,
        exitCode: ExitCode.ApiOrNetwork
      })
    case "TimeoutError":
      return new CliError({
        code: "cli_timeout",
        message: error.message,
        hint: `the endpoint may or may not exist: ${repeatHint(error.idempotencyKey)} (a longer --timeout may help)`,
        idempotencyKey: error.idempotencyKey,
        exitCode: ExitCode.Timeout
      })
    case "UnexpectedResponse":
      return new CliError({
        code: "cli_unexpected_response",
        message: error.message,
        hint: error.status >= 500
          ? `the server or a proxy failed: ${repeatHint(error.idempotencyKey)}`
          : "check --base-url / HEYGEN_API_BASE points at the HeyGen API",
        requestId: error.requestId,
        idempotencyKey: error.idempotencyKey,
        exitCode: ExitCode.ApiOrNetwork
      })
    case "PaginationError":
      return new CliError({
        code: "cli_pagination_error",
        message: error.message,
        hint: "the server's pagination is broken: the items printed before this error (none with --human, " +
          "whose table waits for the last page) are complete up to this page; page by hand with --token",
        exitCode: ExitCode.ApiOrNetwork
      })
    default:
      // HeyGen's own code, with its hint: the row of the README's exit-code table is the code's.
      return new CliError({
        code: error.code,
        message: error.message,
        hint: apiHint(error, context),
        param: error.param,
        docUrl: error.docUrl,
        requestId: error.requestId,
        idempotencyKey: error.idempotencyKey,
        exitCode:
          error._tag === "AuthenticationFailed" || (error._tag === "ApiError" && [401, 403].includes(error.status))
            ? ExitCode.Auth
            : error._tag === "InvalidParameter" // The fix is in the user's input, as for a local validation error.
            ? ExitCode.Usage
            : ExitCode.ApiOrNetwork
      })
  }
}

const apiHint = (error: HeyGenError.ApiFailure, context: CallContext): string | null => {
  switch (error._tag) {
    case "InvalidParameter":
      return error.param === null ? "fix the request (see --help)" : `fix ${error.param} (see --help)`
    case "AuthenticationFailed":
      return "check the API key in --api-key or HEYGEN_API_KEY (HeyGen app: Settings > API)"
    case "Conflict":
      return "an endpoint with this URL already exists for this account: use it, or register a different URL"
    case "NotFound":
      return `no endpoint ${error.resourceId} in this account: list them with \`effect-heygen webhook endpoints list${
        context.sandbox === true ? " --sandbox" : ""
      }\``
    case "RequestInProgress":
      return `an earlier request with this key is still running: wait a few seconds, then ${
        repeatHint(error.idempotencyKey)
      }`
    case "RateLimited": {
      const wait = Option.match(error.retryAfter, {
        onNone: () => "wait a little",
        onSome: (d) => `wait ${Duration.format(d)}`
      })
      return `too many requests: ${wait}, then ${repeatHint(error.idempotencyKey)}`
    }
    case "ApiError":
      if (error.status === 403) return "the API key is valid but not allowed to do this: check its permissions"
      if (error.status === 404) return "check --base-url / HEYGEN_API_BASE points at the HeyGen API"
      if (error.status >= 500) return `HeyGen failed: ${repeatHint(error.idempotencyKey)}`
      return null
  }
}

const firstLeaf = (error: ConfigError.ConfigError): ConfigError.ConfigError =>
  error._op === "And" || error._op === "Or" ? firstLeaf(error.left) : error

/**
 * Where the API key and the base URL were given: a flag or its environment variable. An error about one of them
 * names the one the user actually set.
 */
export interface ConfigSources {
  readonly apiKey: "--api-key" | "HEYGEN_API_KEY"
  readonly baseUrl: "--base-url" | "HEYGEN_API_BASE"
}

/**
 * Maps a configuration error from `HeyGenClient.make` (no key, a plain-http base URL, ...), naming the flag or
 * environment variable the bad value came from (`sources`; flags when not known).
 */
export const fromConfigError = (
  error: ConfigError.ConfigError,
  sources: ConfigSources = { apiKey: "--api-key", baseUrl: "--base-url" }
): CliError => {
  const leaf = firstLeaf(error)
  const path = "path" in leaf ? leaf.path : []
  const flag = ({
    apiKey: sources.apiKey,
    HEYGEN_API_KEY: "HEYGEN_API_KEY",
    bearerToken: sources.apiKey,
    baseUrl: sources.baseUrl,
    HEYGEN_API_BASE: "HEYGEN_API_BASE",
    maxRetries: "--max-retries",
    HEYGEN_MAX_RETRIES: "HEYGEN_MAX_RETRIES"
  } as Record<string, string>)[path[path.length - 1] ?? ""] ?? null
  if ((flag === "--api-key" || flag === "HEYGEN_API_KEY") && leaf._op === "MissingData") {
    return new CliError({
      code: "cli_missing_api_key",
      message: "no HeyGen API key was given",
      hint: "set HEYGEN_API_KEY or pass --api-key; to try the CLI with no account, add --sandbox",
      param: "--api-key",
      exitCode: ExitCode.Auth
    })
  }
  const message = "message" in leaf ? leaf.message : ""
  return new CliError({
    code: "cli_invalid_config",
    message: flag === null ? message : `${flag}: ${message}`,
    hint: flag === "--base-url" || flag === "HEYGEN_API_BASE"
      ? "use an https URL (plain http is allowed only for localhost / 127.0.0.1 / ::1)"
      : "see --help",
    param: flag,
    exitCode: ExitCode.Usage
  })
}

/** The text of a span. */
export const spanText = (span: Span.Span): string =>
  span._tag === "Sequence"
    ? spanText(span.left) + spanText(span.right)
    : span._tag === "Text" || span._tag === "URI"
    ? span.value
    : spanText(span.value)

// The paragraphs of a help document, and its first highlighted span: where `Flags.invalid` puts the flag.
const read = (doc: HelpDoc.HelpDoc, found: { text: Array<string>; flag?: string | undefined } = { text: [] }) => {
  const highlighted = (span: Span.Span): string | undefined =>
    span._tag === "Highlight"
      ? spanText(span.value)
      : span._tag === "Sequence"
      ? highlighted(span.left) ?? highlighted(span.right)
      : undefined
  if (doc._tag === "Sequence") {
    read(doc.left, found)
    read(doc.right, found)
  } else if (doc._tag === "Paragraph") {
    found.text.push(spanText(doc.value))
    found.flag ??= highlighted(doc.value)
  }
  return found
}

/**
 * Maps a parse error of `@effect/cli` (a refused flag value, unknown flag, missing value, unknown command, ...):
 * always a usage error. A value a flag's parser refused (`Flags.invalid`) names the flag.
 */
export const fromCliValidationError = (error: CliValidationError.ValidationError): CliError => {
  const { flag, text } = error._tag === "HelpRequested" ? { text: [], flag: undefined } : read(error.error)
  const message = text.join(" ").replace(/\s+/g, " ").trim()
  return new CliError({
    code: flag === undefined ? "cli_usage" : "cli_invalid_flag",
    message: message === "" ? `invalid command line (${error._tag})` : message,
    hint: flag === undefined
      ? "run with --help to see the commands and flags"
      : `run with --help to see what ${flag} accepts`,
    param: flag,
    exitCode: ExitCode.Usage
  })
}

/**
 * A defect: a bug, never an expected outcome. Reported in the same envelope (no stack trace: the CLI's output is
 * parsed by scripts), with exit code 1.
 */
export const fromDefect = (message: string): CliError =>
  new CliError({
    code: "cli_internal_error",
    message,
    hint: "this is a bug in effect-heygen: please report it with the command you ran (without the API key)",
    exitCode: ExitCode.ApiOrNetwork
  })
