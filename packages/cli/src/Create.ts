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
import * as IdempotencyKey from "@effect-heygen/core/IdempotencyKey"
import type * as WebhookEndpoint from "@effect-heygen/core/WebhookEndpoint"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Call from "./Call.js"
import * as Failure from "./Failure.js"
import { Io } from "./Io.js"
import * as Render from "./Render.js"
import * as RequestInput from "./RequestInput.js"
import * as SecretOutput from "./SecretOutput.js"

/**
 * The flags of `webhook endpoints create`, as parsed by `@effect/cli`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags extends Call.ConnectionFlags {
  readonly url: Option.Option<string>
  readonly events: ReadonlyArray<string>
  readonly entityId: Option.Option<string>
  readonly idempotencyKey: Option.Option<string>
  readonly data: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly force: boolean
}

/**
 * Core's limit on one attempt; `--timeout` can only lower it.
 *
 * @since 0.1.0
 * @category constants
 */
export const attemptTimeoutCap: Duration.Duration = Call.attemptTimeoutCap

const report = (failure: Failure.Failure) => new Failure.Reported({ failure })

/** What the call needs, resolved from flags and environment. */
interface Plan {
  readonly body: Record<string, unknown>
  readonly key: string
  readonly connection: Call.Connection
  readonly call: WebhookEndpoints.CallOptions
  readonly secret: Option.Option<SecretOutput.Target>
  readonly fromData: ReadonlyArray<string>
}

const plan = (flags: Flags) =>
  Effect.gen(function*() {
    const connection = yield* Call.connection(flags)
    const data = yield* Option.match(flags.data, {
      onSome: (value) => Effect.mapError(RequestInput.loadData(value), (e) => report(Failure.fromCliError(e))),
      onNone: () => Effect.succeed({})
    })
    const overrides = { url: flags.url, events: flags.events, entityId: flags.entityId }
    const body = RequestInput.merge(data, overrides)
    const secret = yield* SecretOutput.plan(flags.secretFile, flags.force)
    const key = Option.isSome(flags.idempotencyKey) ? flags.idempotencyKey.value : yield* IdempotencyKey.generate
    const call: WebhookEndpoints.CallOptions = { idempotencyKey: key, ...connection.limits }
    return { body, key, connection, call, secret, fromData: RequestInput.fromData(data, overrides) } satisfies Plan
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
    // The body is still untyped JSON from flags and --data: core validates it with its schema before sending
    // (and names the field at fault), so the cast only hands it over.
    const request = p.body as unknown as WebhookEndpoint.CreateWebhookEndpointRequest
    const result = yield* Call.run(
      p.connection,
      WebhookEndpoints.create(request, p.call),
      Option.getOrUndefined(flags.idempotencyKey),
      p.fromData
    ).pipe(
      Call.onInterruptReplayHint(p.key, "the endpoint may or may not exist")
    )

    const destination = yield* SecretOutput.deliver(
      p.secret,
      result.endpoint.secret === null ? null : Redacted.value(result.endpoint.secret),
      "the endpoint was created",
      result.idempotencyKey
    )
    const created: Render.Created = {
      endpoint: result.endpoint,
      idempotencyKey: result.idempotencyKey,
      requestId: result.requestId,
      secret: destination
    }
    io.stdout(`${flags.human ? Render.human(created) : Render.json(created)}\n`)
  })
