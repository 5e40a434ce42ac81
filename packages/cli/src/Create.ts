/**
 * `webhook endpoints create`: flags and `--data` in, one call to core's `WebhookEndpoints.create`, the endpoint out.
 *
 * Order matters for safety: everything that can be checked locally (flag values, the body, whether the secret
 * file already exists) is checked before the request is sent, so that a mistake never leaves behind an endpoint
 * whose secret has nowhere to go. The idempotency key is chosen here rather than inside core so that it can be
 * reported even when the call is cut short by Ctrl-C.
 *
 * @since 0.1.0
 */
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as IdempotencyKey from "@effect-heygen/core/IdempotencyKey"
import type * as WebhookEndpoint from "@effect-heygen/core/WebhookEndpoint"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodePath from "node:path"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import * as FlagValue from "./FlagValue.js"
import { Io } from "./Io.js"
import * as Render from "./Render.js"
import * as RequestInput from "./RequestInput.js"
import * as SecretFile from "./SecretFile.js"

/**
 * The flags of `webhook endpoints create`, as parsed by `@effect/cli`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly url: Option.Option<string>
  readonly events: ReadonlyArray<string>
  readonly entityId: Option.Option<string>
  readonly idempotencyKey: Option.Option<string>
  readonly data: Option.Option<string>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: Option.Option<string>
  readonly maxRetries: Option.Option<string>
  readonly timeout: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly force: boolean
  readonly sandbox: boolean
  readonly human: boolean
}

/**
 * Core's limit on one attempt; `--timeout` can only lower it.
 *
 * @since 0.1.0
 * @category constants
 */
export const attemptTimeoutCap: Duration.Duration = HeyGenClient.defaults.attemptTimeout

const maxRetriesLimit = 10

/** An environment variable, with an empty value treated as unset (as shells usually mean it). */
const envValue = (env: Readonly<Record<string, string | undefined>>, name: string): Option.Option<string> =>
  Option.filter(Option.fromNullable(env[name]), (v) => v !== "")

const report = (failure: Failure.Failure) => new Failure.Reported({ failure })

const fromEither = <A>(either: Either.Either<A, Failure.CliError>): Effect.Effect<A, Failure.Reported> =>
  Either.match(either, {
    onLeft: (e) => Effect.fail(report(Failure.fromCliError(e))),
    onRight: Effect.succeed
  })

const usage = (message: string, param: string, hint: string) =>
  report(
    Failure.fromCliError(new Failure.CliError({ code: "cli_usage", message, param, hint, exitCode: ExitCode.Usage }))
  )

/** What the call needs, resolved from flags and environment. */
interface Plan {
  readonly body: Record<string, unknown>
  readonly key: string
  readonly client: HeyGenClient.Options
  readonly call: WebhookEndpoints.CallOptions
  readonly secretPath: Option.Option<string>
}

const plan = (flags: Flags) =>
  Effect.gen(function*() {
    const io = yield* Io
    if (flags.sandbox && Option.isSome(flags.baseUrl)) {
      return yield* Effect.fail(
        usage("--sandbox and --base-url cannot be used together", "--base-url", "drop one of them")
      )
    }
    if (flags.sandbox && Option.isSome(flags.apiKey)) {
      return yield* Effect.fail(
        usage("--sandbox has its own API key; --api-key cannot be used with it", "--api-key", "drop one of them")
      )
    }
    const maxRetries = yield* Option.match(flags.maxRetries, {
      onSome: (text) => fromEither(FlagValue.integer("--max-retries", text, 0, maxRetriesLimit)),
      onNone: () =>
        Option.match(envValue(io.env, "HEYGEN_MAX_RETRIES"), {
          onSome: (text) => fromEither(FlagValue.integer("HEYGEN_MAX_RETRIES", text, 0, maxRetriesLimit)),
          onNone: () => Effect.succeed(undefined)
        })
    })
    const deadline = yield* Option.match(flags.timeout, {
      onSome: (text) => fromEither(FlagValue.duration("--timeout", text)),
      onNone: () => Effect.succeed(undefined)
    })

    const data = yield* Option.match(flags.data, {
      onSome: (value) => Effect.mapError(RequestInput.loadData(value), (e) => report(Failure.fromCliError(e))),
      onNone: () => Effect.succeed({})
    })
    const body = RequestInput.merge(data, { url: flags.url, events: flags.events, entityId: flags.entityId })

    const secretPath = Option.map(flags.secretFile, (p) => NodePath.resolve(io.cwd, p))
    if (Option.isSome(secretPath) && !flags.force && (yield* SecretFile.exists(secretPath.value))) {
      return yield* Effect.fail(report(Failure.fromCliError(
        new Failure.CliError({
          code: "cli_secret_file_exists",
          message: `--secret-file: ${Option.getOrElse(flags.secretFile, () => "")} already exists; nothing was sent`,
          hint: "choose a new path, or add --force to replace the file",
          param: "--secret-file",
          exitCode: ExitCode.Usage
        })
      )))
    }

    const key = Option.isSome(flags.idempotencyKey) ? flags.idempotencyKey.value : yield* IdempotencyKey.generate
    const client: HeyGenClient.Options = {
      apiKey: Option.getOrUndefined(
        Option.orElse(flags.apiKey, () => Option.map(envValue(io.env, "HEYGEN_API_KEY"), Redacted.make))
      ),
      baseUrl: Option.getOrUndefined(Option.orElse(flags.baseUrl, () => envValue(io.env, "HEYGEN_API_BASE"))),
      maxRetries
    }
    const call: WebhookEndpoints.CallOptions = deadline === undefined
      ? { idempotencyKey: key }
      : { idempotencyKey: key, deadline, attemptTimeout: Duration.min(deadline, attemptTimeoutCap) }
    return { body, key, client, call, secretPath } satisfies Plan
  })

const toFailure = (suppliedKey: string | undefined) =>
(
  error: HeyGenError.HeyGenError | ConfigError.ConfigError | Failure.CliError
): Failure.Reported => {
  if (ConfigError.isConfigError(error)) return report(Failure.fromConfigError(error))
  if (error._tag === "CliError") return report(Failure.fromCliError(error))
  return report(Failure.fromHeyGenError(error, suppliedKey))
}

/**
 * Sends the create over real HTTP (`NodeHttpClient`), against the sandbox when asked. Both are loaded on first
 * use: they are the heaviest parts of the CLI and `--help` needs neither.
 */
const send = (p: Plan, sandbox: boolean) =>
  Effect.scoped(Effect.gen(function*() {
    const NodeHttpClient = yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))
    let client = p.client
    if (sandbox) {
      const Sandbox = yield* Effect.promise(() => import("./Sandbox.js"))
      const running = yield* Sandbox.start(0)
      client = { ...client, apiKey: running.apiKey, baseUrl: running.baseUrl }
    }
    // The body is still untyped JSON from flags and --data: core validates it with its schema before sending
    // (and names the field at fault), so the cast only hands it over.
    return yield* WebhookEndpoints.create(p.body as unknown as WebhookEndpoint.CreateWebhookEndpointRequest, p.call)
      .pipe(
        Effect.provide(HeyGenClient.layer(client)),
        Effect.provide(NodeHttpClient.layer)
      )
  }))

const secretFileWarning = (path: string, error: SecretFile.SecretFileError, key: string) =>
  JSON.stringify({
    warning: {
      code: "cli_secret_file_failed",
      message: `--secret-file: ${error.message}; the endpoint was created`,
      hint: "the signing secret is printed on stdout instead: store it now, HeyGen will not show it again",
      param: "--secret-file",
      path
    },
    idempotency_key: key
  })

/**
 * Runs `webhook endpoints create`.
 *
 * @since 0.1.0
 * @category commands
 */
export const run = (flags: Flags): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const p = yield* plan(flags)
    const result = yield* send(p, flags.sandbox).pipe(
      Effect.mapError(toFailure(Option.getOrUndefined(flags.idempotencyKey))),
      Effect.onInterrupt(() =>
        Effect.sync(() =>
          io.stderr(`${
            JSON.stringify({
              error: {
                code: "cli_interrupted",
                message: "interrupted before the response arrived",
                hint:
                  `the endpoint may or may not exist: repeat the same command with --idempotency-key ${p.key} to replay it`,
                param: null,
                doc_url: null,
                request_id: null
              },
              idempotency_key: p.key
            })
          }\n`)
        )
      )
    )

    let destination: Render.SecretDestination = { _tag: "Stdout" }
    if (Option.isSome(p.secretPath) && result.endpoint.secret !== null) {
      const shown = Option.getOrElse(flags.secretFile, () => p.secretPath.pipe(Option.getOrElse(() => "")))
      const written = yield* Effect.either(
        SecretFile.write(p.secretPath.value, Redacted.value(result.endpoint.secret), { overwrite: flags.force })
      )
      if (Either.isRight(written)) destination = { _tag: "File", path: shown }
      // The endpoint exists and HeyGen will not show its secret again: print it rather than lose it.
      else io.stderr(`${secretFileWarning(shown, written.left, result.idempotencyKey)}\n`)
    }
    const created: Render.Created = {
      endpoint: result.endpoint,
      idempotencyKey: result.idempotencyKey,
      requestId: result.requestId,
      secret: destination
    }
    io.stdout(`${flags.human ? Render.human(created) : Render.json(created)}\n`)
  })
