/**
 * How every failure becomes one line of JSON on stderr and one exit code.
 *
 * The envelope is HeyGen's own error shape, `{"error":{"code","message","hint","param","doc_url","request_id"}}`,
 * plus the idempotency key the call used: with it, a user can repeat a call whose outcome is unknown and get the
 * original result instead of a second endpoint. Codes the CLI makes itself (not HeyGen's) start with `cli_`.
 *
 * @since 0.1.0
 */
import type * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import type * as HelpDoc from "@effect/cli/HelpDoc"
import type * as Span from "@effect/cli/HelpDoc/Span"
import type * as CliValidationError from "@effect/cli/ValidationError"
import type * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ExitCode from "./ExitCode.js"
import * as Help from "./Help.js"

/**
 * The `error` object on stderr.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorBody {
  readonly code: string
  readonly message: string
  /** What to do next. */
  readonly hint: string | null
  /** The flag (`--url`) or API field (`url`) at fault, when one is. */
  readonly param: string | null
  readonly doc_url: string | null
  /** HeyGen's `x-request-id`: quote it to HeyGen support. */
  readonly request_id: string | null
}

/**
 * What is printed on stderr.
 *
 * @since 0.1.0
 * @category models
 */
export interface Envelope {
  readonly error: ErrorBody
  /** The key the call used, when a request was attempted (or the one the user gave). */
  readonly idempotency_key: string | null
}

/**
 * A failure ready to report.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly envelope: Envelope
  readonly exitCode: ExitCode.ExitCode
}

/**
 * An error the CLI itself raises (a bad flag value, an unreadable `--data` file, ...). Its code starts with
 * `cli_`.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly code: `cli_${string}`
  readonly message: string
  readonly hint?: string | undefined
  readonly param?: string | undefined
  readonly exitCode: ExitCode.ExitCode
  readonly idempotencyKey?: string | undefined
}> {}

/**
 * A failure already mapped to its envelope and exit code: what every command handler fails with.
 *
 * @since 0.1.0
 * @category errors
 */
export class Reported extends Data.TaggedError("Reported")<{ readonly failure: Failure }> {}

/**
 * A bad value for a flag: exit 2, naming the flag.
 *
 * @since 0.1.0
 * @category constructors
 */
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
const notAnEventType = (quoted: string, suggestion: string | undefined): string =>
  `${quoted} is not a HeyGen event type: ${
    suggestion === undefined ? "" : `did you mean ${JSON.stringify(suggestion)}? It `
  }${eventTypeListing}`

/**
 * Why `value`, given where an event type goes, is not one of HeyGen's, with a "did you mean" when one of them is
 * close (`"avatar_video.sucess" is not a HeyGen event type: did you mean "avatar_video.success"? …`): the wording
 * of the SDK's own refusals as the CLI prints them. The value is shown as core shows it (secrets scrubbed).
 *
 * @since 0.5.0
 * @category constructors
 */
export const notAnEventTypeMessage = (value: string): string =>
  notAnEventType(WebhookEventType.showActual(value), WebhookEventType.closest(value))

const body = (fields: Partial<ErrorBody> & Pick<ErrorBody, "code" | "message">): ErrorBody => ({
  code: fields.code,
  message: fields.message,
  hint: fields.hint ?? null,
  param: fields.param ?? null,
  doc_url: fields.doc_url ?? null,
  request_id: fields.request_id ?? null
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const fromCliError = (error: CliError): Failure => ({
  envelope: {
    error: body({ code: error.code, message: error.message, hint: error.hint ?? null, param: error.param ?? null }),
    idempotency_key: error.idempotencyKey ?? null
  },
  exitCode: error.exitCode
})

/** The flag a request field comes from, so a validation message names what the user typed. */
const flagOfField = (field: string): string => {
  const [head] = field.split(".")
  switch (head) {
    case "url":
      return "--url"
    case "events":
      return "--events"
    case "entity_id":
      return "--entity-id"
    case "event_type":
      return "--event-type"
    case "limit":
      return "--limit"
    case "token":
      return "--token"
    case "endpoint_id":
      return "<endpoint-id>"
    case "idempotencyKey":
      return "--idempotency-key"
    default:
      // An unknown key can only have come from a `--data` body.
      return "--data"
  }
}

// An unknown event type: core's error carries the value as it may be shown and the closest event type as data;
// the CLI says the same with how many there are and where to list them. `events.2` is an item of `--events` (or
// of `--data`'s events); `event_type` a single one.
const eventTypeMessage = (error: HeyGenError.ValidationError): string => {
  if (error.kind !== "UnknownEventType" || error.actual === undefined) return error.message
  return error.actual.startsWith("\"")
    ? `${error.field}: ${notAnEventType(error.actual, error.suggestion ?? undefined)}`
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
 * Maps each of core's errors to exactly one envelope and exit code.
 *
 * `suppliedKey` is the key the user passed: a `ValidationError` happens before any key is generated, so the user's
 * own key is the only one to report.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHeyGenError = (
  error: HeyGenError.HeyGenError,
  suppliedKey?: string,
  context: CallContext = {}
): Failure => {
  switch (error._tag) {
    case "ValidationError": {
      const head = error.field.split(".")[0] ?? ""
      const inData = context.fromData?.includes(head) === true
      const flag = inData ? "--data" : flagOfField(error.field)
      return {
        envelope: {
          error: body({
            code: "cli_invalid_input",
            message: eventTypeMessage(error),
            param: flag,
            hint: inData
              ? `fix the ${head} field of -d/--data (see --help); nothing was sent`
              : flag === "--data"
              ? "a --data body may hold only url, events and entity_id"
              : `fix ${flag} (see --help); nothing was sent`
          }),
          idempotency_key: suppliedKey ?? null
        },
        exitCode: ExitCode.Usage
      }
    }
    case "TransportError":
      return {
        envelope: {
          error: body({
            code: "cli_network_error",
            // The message starts with the reason ("connection refused: POST https://…"), so say what to fix first.
            message: error.message,
            hint: `${transportAdvice[error.reason]}; the response was lost, so the endpoint may or may not exist: ${
              repeatHint(error.idempotencyKey)
            }`
          }),
          idempotency_key: error.idempotencyKey
        },
        exitCode: ExitCode.ApiOrNetwork
      }
    case "TimeoutError":
      return {
        envelope: {
          error: body({
            code: "cli_timeout",
            message: error.message,
            hint: `the endpoint may or may not exist: ${repeatHint(error.idempotencyKey)} (a longer --timeout may help)`
          }),
          idempotency_key: error.idempotencyKey
        },
        exitCode: ExitCode.Timeout
      }
    case "UnexpectedResponse":
      return {
        envelope: {
          error: body({
            code: "cli_unexpected_response",
            message: error.message,
            hint: error.status >= 500
              ? `the server or a proxy failed: ${repeatHint(error.idempotencyKey)}`
              : "check --base-url / HEYGEN_API_BASE points at the HeyGen API",
            request_id: error.requestId
          }),
          idempotency_key: error.idempotencyKey
        },
        exitCode: ExitCode.ApiOrNetwork
      }
    case "PaginationError":
      return {
        envelope: {
          error: body({
            code: "cli_pagination_error",
            message: error.message,
            hint: "the server's pagination is broken: the items printed before this error (none with --human, " +
              "whose table waits for the last page) are complete up to this page; page by hand with --token"
          }),
          idempotency_key: null
        },
        exitCode: ExitCode.ApiOrNetwork
      }
    default:
      return fromApiFailure(error, context)
  }
}

/**
 * What a call's failure is reported against: whether it ran on the sandbox (hints then keep `--sandbox`), and
 * which request fields came from `-d/--data` rather than their own flags (an error about one names `--data`).
 *
 * @since 0.5.0
 * @category models
 */
export interface CallContext {
  readonly sandbox?: boolean | undefined
  readonly fromData?: ReadonlyArray<string> | undefined
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

const apiExitCode = (error: HeyGenError.ApiFailure): ExitCode.ExitCode => {
  switch (error._tag) {
    case "AuthenticationFailed":
      return ExitCode.Auth
    case "InvalidParameter":
      // The fix is in the user's input, as for a local validation error.
      return ExitCode.Usage
    case "ApiError":
      return error.status === 401 || error.status === 403 ? ExitCode.Auth : ExitCode.ApiOrNetwork
    default:
      return ExitCode.ApiOrNetwork
  }
}

const fromApiFailure = (error: HeyGenError.ApiFailure, context: CallContext): Failure => ({
  envelope: {
    error: body({
      code: error.code,
      message: error.message,
      hint: apiHint(error, context),
      param: error.param,
      doc_url: error.docUrl,
      request_id: error.requestId
    }),
    idempotency_key: error.idempotencyKey
  },
  exitCode: apiExitCode(error)
})

const firstLeaf = (
  error: ConfigError.ConfigError
): { readonly path: ReadonlyArray<string>; readonly message: string; readonly missing: boolean } => {
  switch (error._op) {
    case "And":
    case "Or":
      return firstLeaf(error.left)
    case "MissingData":
      return { path: error.path, message: error.message, missing: true }
    case "InvalidData":
    case "SourceUnavailable":
    case "Unsupported":
      return { path: error.path, message: error.message, missing: false }
  }
}

/**
 * Where the API key and the base URL were given: a flag or its environment variable. An error about one of them
 * names the one the user actually set.
 *
 * @since 0.3.0
 * @category models
 */
export interface ConfigSources {
  readonly apiKey: "--api-key" | "HEYGEN_API_KEY"
  readonly baseUrl: "--base-url" | "HEYGEN_API_BASE"
}

const flagOfConfigPath = (sources: ConfigSources): Record<string, string> => ({
  apiKey: sources.apiKey,
  HEYGEN_API_KEY: "HEYGEN_API_KEY",
  bearerToken: sources.apiKey,
  baseUrl: sources.baseUrl,
  HEYGEN_API_BASE: "HEYGEN_API_BASE",
  maxRetries: "--max-retries",
  HEYGEN_MAX_RETRIES: "HEYGEN_MAX_RETRIES"
})

const flagSources: ConfigSources = { apiKey: "--api-key", baseUrl: "--base-url" }

/**
 * Maps a configuration error from `HeyGenClient.make` (no key, a plain-http base URL, ...), naming the flag or
 * environment variable the bad value came from (`sources`; flags when not known).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromConfigError = (error: ConfigError.ConfigError, sources: ConfigSources = flagSources): Failure => {
  const leaf = firstLeaf(error)
  const name = leaf.path[leaf.path.length - 1] ?? ""
  const flag = flagOfConfigPath(sources)[name] ?? null
  if ((flag === "--api-key" || flag === "HEYGEN_API_KEY") && leaf.missing) {
    return {
      envelope: {
        error: body({
          code: "cli_missing_api_key",
          message: "no HeyGen API key was given",
          hint: "set HEYGEN_API_KEY or pass --api-key; to try the CLI with no account, add --sandbox",
          param: "--api-key"
        }),
        idempotency_key: null
      },
      exitCode: ExitCode.Auth
    }
  }
  return {
    envelope: {
      error: body({
        code: "cli_invalid_config",
        message: flag === null ? leaf.message : `${flag}: ${leaf.message}`,
        hint: flag === "--base-url" || flag === "HEYGEN_API_BASE"
          ? "use an https URL (plain http is allowed only for localhost / 127.0.0.1 / ::1)"
          : "see --help",
        param: flag
      }),
      idempotency_key: null
    },
    exitCode: ExitCode.Usage
  }
}

/** The paragraphs of a help document, and its first highlighted span: where `Flags.invalid` puts the flag. */
const read = (doc: HelpDoc.HelpDoc): { readonly text: Array<string>; readonly flag: string | undefined } => {
  const text: Array<string> = []
  let flag: string | undefined = undefined
  const highlighted = (span: Span.Span): void => {
    if (flag !== undefined) return
    if (span._tag === "Highlight") {
      flag = Help.spanText(span.value)
    } else if (span._tag === "Sequence") {
      highlighted(span.left)
      highlighted(span.right)
    }
  }
  const walk = (d: HelpDoc.HelpDoc): void => {
    if (d._tag === "Sequence") {
      walk(d.left)
      walk(d.right)
    } else if (d._tag === "Paragraph") {
      text.push(Help.spanText(d.value))
      highlighted(d.value)
    }
  }
  walk(doc)
  return { text, flag }
}

/**
 * Maps a parse error of `@effect/cli` (a refused flag value, unknown flag, missing value, unknown command, ...):
 * always a usage error. A value a flag's parser refused (`Flags.invalid`) names the flag.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCliValidationError = (error: CliValidationError.ValidationError): Failure => {
  const { flag, text } = error._tag === "HelpRequested" ? { flag: undefined, text: [] } : read(error.error)
  const message = text.join(" ").replace(/\s+/g, " ").trim()
  return {
    envelope: {
      error: body({
        code: flag === undefined ? "cli_usage" : "cli_invalid_flag",
        message: message === "" ? `invalid command line (${error._tag})` : message,
        hint: flag === undefined
          ? "run with --help to see the commands and flags"
          : `run with --help to see what ${flag} accepts`,
        param: flag ?? null
      }),
      idempotency_key: null
    },
    exitCode: ExitCode.Usage
  }
}

/**
 * A defect: a bug, never an expected outcome. Reported in the same envelope (no stack trace: the CLI's output is
 * parsed by scripts), with exit code 1.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDefect = (message: string): Failure => ({
  envelope: {
    error: body({
      code: "cli_internal_error",
      message,
      hint: "this is a bug in effect-heygen: please report it with the command you ran (without the API key)"
    }),
    idempotency_key: null
  },
  exitCode: ExitCode.ApiOrNetwork
})

/**
 * The stderr line.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (failure: Failure): string => JSON.stringify(failure.envelope)
