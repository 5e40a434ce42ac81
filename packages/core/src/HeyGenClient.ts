/**
 * The `HeyGenClient` service: credentials, base URL, time limits and retry policy, over the consumer's
 * `HttpClient`. Operations such as `createWebhookEndpoint` need only this service.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as RetryPolicy from "./RetryPolicy.js"
import * as Version from "./Version.js"

/**
 * How requests authenticate: `x-api-key: <key>` or `Authorization: Bearer <token>`. Both are `Redacted`, so
 * printing the client or its config never shows them.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials =
  | { readonly _tag: "ApiKey"; readonly apiKey: Redacted.Redacted<string> }
  | { readonly _tag: "Bearer"; readonly token: Redacted.Redacted<string> }

/**
 * What `make` and `layer` accept. Exactly one of `apiKey` and `bearerToken` is required.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly apiKey?: Redacted.Redacted<string> | string | undefined
  readonly bearerToken?: Redacted.Redacted<string> | string | undefined
  /** Default `https://api.heygen.com`. Plain `http:` is refused unless the host is loopback. */
  readonly baseUrl?: string | URL | undefined
  /** Default `effect-heygen/<version>`. */
  readonly userAgent?: string | undefined
  /** Limit on one attempt, response body included (default 30 s). */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Limit on a whole call, retries and their waits included (default 2 min). */
  readonly deadline?: Duration.DurationInput | undefined
  /** Retries for the default policy (default 2); ignored when `retryPolicy` is given. */
  readonly maxRetries?: number | undefined
  /** Ceiling on Retry-After for the default policy (default 60 s); ignored when `retryPolicy` is given. */
  readonly retryAfterCeiling?: Duration.DurationInput | undefined
  /** Replaces the default retry policy. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
}

/**
 * The service: resolved settings plus the `HttpClient` requests go through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly baseUrl: URL
  readonly credentials: Credentials
  readonly userAgent: string
  readonly attemptTimeout: Duration.Duration
  readonly deadline: Duration.Duration
  readonly retryPolicy: RetryPolicy.RetryPolicy
  readonly httpClient: HttpClient.HttpClient
}

/**
 * @since 0.1.0
 * @category tags
 */
export class HeyGenClient extends Context.Tag("@effect-heygen/core/HeyGenClient")<HeyGenClient, Service>() {}

/**
 * HeyGen's production API.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://api.heygen.com"

/**
 * The defaults of `make`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  attemptTimeout: Duration.seconds(30),
  deadline: Duration.minutes(2)
} as const

const loopbackHosts = new Set(["localhost", "[::1]", "::1"])

/**
 * Whether a host name is a loopback address (`localhost`, `127.0.0.0/8`, `::1`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLoopbackHost = (hostname: string): boolean =>
  loopbackHosts.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

const invalid = (path: string, message: string) => ConfigError.InvalidData([path], message)

/**
 * Parses and checks a base URL: `https:`, or `http:` on a loopback host only (so that a key is never sent in
 * clear text across a network).
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseBaseUrl = (input: string | URL): Either.Either<URL, ConfigError.ConfigError> => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return Either.left(invalid("baseUrl", `${JSON.stringify(String(input))} is not an absolute URL`))
  }
  if (url.protocol === "https:") return Either.right(url)
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return Either.right(url)
  if (url.protocol === "http:") {
    return Either.left(invalid("baseUrl", `plain http is allowed only for loopback hosts, got ${url.host}`))
  }
  return Either.left(invalid("baseUrl", `must use https, got ${url.protocol}`))
}

const redact = (value: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

// Why a credential cannot be sent as an HTTP header value, or `undefined` when it can. RFC 9110 field-value:
// visible ASCII and obs-text (0x80-0xFF), with spaces or tabs only between them. Checked before any I/O because
// Node's fetch refuses such a value only once the call has started, with a bare "invalid header" or ByteString
// error. The reason quotes neither the value nor the offending character: both are part of a secret.
const headerValueProblem = (value: string): string | undefined => {
  let control = false
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code > 0xff) return "contains a character above U+00FF, which an HTTP header cannot carry"
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) control = true
  }
  if (control) return "contains a control character (a line break, NUL, DEL, ...), which an HTTP header cannot carry"
  if (/^[ \t]|[ \t]$/.test(value)) return "starts or ends with a space or tab"
  return undefined
}

/** Why a credential cannot be used, or `undefined`; `what` names it in the message. */
const credentialProblem = (what: string, clear: string): string | undefined => {
  if (clear.trim() === "") return `the ${what} is empty`
  const problem = headerValueProblem(clear)
  return problem === undefined ? undefined : `the ${what} ${problem}`
}

const checkCredential = (
  setting: string,
  what: string,
  value: Redacted.Redacted<string>
): Either.Either<Redacted.Redacted<string>, ConfigError.ConfigError> => {
  const problem = credentialProblem(what, Redacted.value(value))
  return problem === undefined ? Either.right(value) : Either.left(invalid(setting, problem))
}

const resolveCredentials = (options: Options): Either.Either<Credentials, ConfigError.ConfigError> => {
  const apiKey = Option.fromNullable(options.apiKey).pipe(Option.map(redact))
  const token = Option.fromNullable(options.bearerToken).pipe(Option.map(redact))
  if (Option.isSome(apiKey) && Option.isSome(token)) {
    return Either.left(invalid("apiKey", "give an API key or a bearer token, not both"))
  }
  if (Option.isSome(apiKey)) {
    return Either.map(checkCredential("apiKey", "API key", apiKey.value), (key) => ({ _tag: "ApiKey", apiKey: key }))
  }
  if (Option.isSome(token)) {
    return Either.map(
      checkCredential("bearerToken", "bearer token", token.value),
      (t) => ({ _tag: "Bearer", token: t })
    )
  }
  return Either.left(
    ConfigError.MissingData(["HEYGEN_API_KEY"], "no HeyGen API key: set HEYGEN_API_KEY or pass apiKey / bearerToken")
  )
}

/**
 * Builds the service from options and the ambient `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const credentials = yield* resolveCredentials(options)
    const baseUrl = yield* parseBaseUrl(options.baseUrl ?? defaultBaseUrl)
    const maxRetries = options.maxRetries ?? RetryPolicy.defaults.maxRetries
    if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
      return yield* Effect.fail(invalid("maxRetries", `must be a whole number >= 0, got ${maxRetries}`))
    }
    return {
      baseUrl,
      credentials,
      userAgent: options.userAgent ?? Version.userAgent,
      attemptTimeout: Duration.decode(options.attemptTimeout ?? defaults.attemptTimeout),
      deadline: Duration.decode(options.deadline ?? defaults.deadline),
      retryPolicy: options.retryPolicy ??
        RetryPolicy.make({ maxRetries, retryAfterCeiling: options.retryAfterCeiling }),
      httpClient: yield* HttpClient.HttpClient
    }
  })

/**
 * A layer from explicit options.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { HeyGenClient, WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * // The client service over the platform's fetch-based HttpClient (NodeHttpClient.layerUndici works too).
 * const HeyGenLive = HeyGenClient.layer({ apiKey: Redacted.make("my-api-key"), maxRetries: 3 }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 *
 * export const program = WebhookEndpoints.list().pipe(Effect.provide(HeyGenLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<HeyGenClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(HeyGenClient, make(options))

/**
 * The options read from the environment, as HeyGen's own CLI names them: `HEYGEN_API_KEY` (required, read as
 * `Redacted`), `HEYGEN_API_BASE` and `HEYGEN_MAX_RETRIES`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  // Checked here too, so that a bad key from the environment is reported under the variable's own name; on the
  // string, before `redacted` wraps it, because only then does the error carry the variable's path.
  apiKey: Config.redacted(
    Config.string("HEYGEN_API_KEY").pipe(
      Config.mapOrFail((key) => {
        const problem = credentialProblem("API key", key)
        return problem === undefined ? Either.right(key) : Either.left(ConfigError.InvalidData([], problem))
      })
    )
  ),
  baseUrl: Config.string("HEYGEN_API_BASE").pipe(Config.withDefault(defaultBaseUrl)),
  maxRetries: Config.integer("HEYGEN_MAX_RETRIES").pipe(Config.withDefault(RetryPolicy.defaults.maxRetries))
})

/**
 * A layer whose options come from a `Config` (by default `config`, the environment), with `overrides` on top.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { HeyGenClient, WebhookEvents } from "@effect-heygen/core"
 * import { Effect, Layer } from "effect"
 *
 * // HEYGEN_API_KEY (and optionally HEYGEN_API_BASE, HEYGEN_MAX_RETRIES) from the environment, with a shorter
 * // deadline on top.
 * const HeyGenLive = HeyGenClient.layerConfig({ overrides: { deadline: "30 seconds" } }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 *
 * export const program = WebhookEvents.listEventTypes().pipe(Effect.provide(HeyGenLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: { readonly config?: Config.Config<Options>; readonly overrides?: Options } = {}
): Layer.Layer<HeyGenClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    HeyGenClient,
    Effect.flatMap(options.config ?? config, (fromConfig) => make({ ...fromConfig, ...options.overrides }))
  )
