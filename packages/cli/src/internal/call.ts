// What every API command shares: the connection flags turned into a client configuration, one call to core run
// over real HTTP (against the sandbox when asked, its state loaded and saved around the call), and every failure
// mapped to the stderr envelope. A command is its own flags plus one `Call.run`.
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as HeyGenError from "@effect-heygen/core/HeyGenError"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Failure from "./failure.js"
import type * as Flags from "./flags.js"

/** The connection flags, as parsed. */
export type ConnectionFlags = Flags.Input<typeof Flags.connection>

/** Where and how to call: the client's options, the time limits of each call, and whether to use the sandbox. */
interface Connection {
  readonly client: HeyGenClient.Options
  /** From `--timeout`; empty when not given, so core's defaults apply (`--timeout` can only lower an attempt's). */
  readonly limits: { readonly deadline?: Duration.Duration; readonly attemptTimeout?: Duration.Duration }
  readonly sandbox: boolean
  readonly sources: Failure.ConfigSources
}

const usage = (message: string, param: string) =>
  new Failure.CliError({ code: "cli_usage", message, param, hint: "drop one of them", exitCode: ExitCode.Usage })

/** Resolves the connection flags and environment, checking everything that can be checked before any I/O. */
export const connection = (flags: ConnectionFlags): Effect.Effect<Connection, Failure.CliError> => {
  const given = (o: Option.Option<Flags.Sourced<unknown>>) => Option.isSome(o) && o.value.source.startsWith("--")
  if (flags.sandbox && given(flags.baseUrl)) {
    return Effect.fail(usage("--sandbox and --base-url cannot be used together", "--base-url"))
  }
  if (flags.sandbox && given(flags.apiKey)) {
    return Effect.fail(usage("--sandbox has its own API key; --api-key cannot be used with it", "--api-key"))
  }
  const value = <A>(o: Option.Option<Flags.Sourced<A>>) => Option.getOrUndefined(Option.map(o, (s) => s.value))
  const deadline = Option.getOrUndefined(flags.timeout)
  return Effect.succeed({
    client: { apiKey: value(flags.apiKey), baseUrl: value(flags.baseUrl), maxRetries: value(flags.maxRetries) },
    limits: deadline === undefined
      ? {}
      : { deadline, attemptTimeout: Duration.min(deadline, HeyGenClient.defaults.attemptTimeout) },
    sandbox: flags.sandbox,
    sources: {
      apiKey: given(flags.apiKey) ? "--api-key" : "HEYGEN_API_KEY",
      baseUrl: given(flags.baseUrl) ? "--base-url" : "HEYGEN_API_BASE"
    }
  })
}

/**
 * Maps whatever a call can fail with to its envelope. `suppliedKey` is the idempotency key the user passed,
 * reported when the call fails before it has a key of its own.
 */
export const toFailure = (suppliedKey?: string, sources?: Failure.ConfigSources, context?: Failure.CallContext) =>
(
  error: HeyGenError.HeyGenError | ConfigError.ConfigError | Failure.CliError
): Failure.CliError =>
  ConfigError.isConfigError(error)
    ? Failure.fromConfigError(error, sources)
    : error._tag === "CliError"
    ? error
    : Failure.fromHeyGenError(error, suppliedKey, context)

/**
 * Runs one call to core over real HTTP (`NodeHttpClient`), or against the sandbox (its saved state loaded before
 * and saved after, under a lock), and maps its failures. The HTTP client and the sandbox are loaded on first use:
 * they are the heaviest parts of the CLI and `--help` needs neither.
 */
export const run = <A, E extends HeyGenError.HeyGenError | Failure.CliError>(
  conn: Connection,
  call: Effect.Effect<A, E, HeyGenClient.HeyGenClient | Io>,
  suppliedKey?: string,
  fromData?: ReadonlyArray<string>
): Effect.Effect<A, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const NodeHttpClient = yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))
    const withClient = (client: HeyGenClient.Options) =>
      call.pipe(Effect.provide(HeyGenClient.layer(client)), Effect.provide(NodeHttpClient.layer))
    if (!conn.sandbox) return yield* withClient(conn.client)
    const Sandbox = yield* Effect.promise(() => import("./sandbox.js"))
    return yield* Sandbox.session((running) =>
      withClient({ ...conn.client, apiKey: Redacted.make(running.apiKey), baseUrl: running.baseUrl })
    )
  }).pipe(Effect.mapError(toFailure(suppliedKey, conn.sources, { sandbox: conn.sandbox, fromData })))

/**
 * When a keyed call is interrupted (Ctrl-C) before its response arrived, says on stderr, as the error envelope,
 * that its effect is unknown and how to replay it with the same key: the user must not simply run it again.
 */
export const onInterruptReplayHint =
  (key: string, unknownOutcome: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Io> =>
    Effect.onInterrupt(self, () =>
      Effect.flatMap(Io, (io) =>
        Effect.sync(() =>
          io.stderr(`${
            Failure.render(
              new Failure.CliError({
                code: "cli_interrupted",
                message: "interrupted before the response arrived",
                hint: `${unknownOutcome}: repeat the same command with --idempotency-key ${key} to replay it`,
                exitCode: ExitCode.ApiOrNetwork,
                idempotencyKey: key
              })
            )
          }\n`)
        )))
