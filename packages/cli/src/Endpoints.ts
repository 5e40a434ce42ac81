/**
 * `webhook endpoints list|update|delete|rotate-secret`: each is its flags checked locally, one call to core's
 * `WebhookEndpoints`, and the result printed (JSON by default, `--human` for people). `create` is in `Create`.
 *
 * @since 0.2.0
 */
import * as IdempotencyKey from "@effect-heygen/core/IdempotencyKey"
import type * as WebhookEndpoint from "@effect-heygen/core/WebhookEndpoint"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Call from "./Call.js"
import * as ExitCode from "./ExitCode.js"
import * as Failure from "./Failure.js"
import { Io } from "./Io.js"
import * as Output from "./Output.js"
import * as RequestInput from "./RequestInput.js"
import * as SecretOutput from "./SecretOutput.js"
import * as Table from "./Table.js"

/**
 * An endpoint as printed: HeyGen's JSON field names. A listed endpoint never carries its secret (HeyGen shows
 * it only at creation and rotation), so `secret` is always null here, whatever was decoded.
 *
 * @since 0.2.0
 * @category rendering
 */
export const toJson = (endpoint: WebhookEndpoint.WebhookEndpoint) => ({ ...endpoint, secret: null })

/**
 * The columns of an endpoints table.
 *
 * @since 0.2.0
 * @category rendering
 */
export const columns: ReadonlyArray<Table.Column<WebhookEndpoint.WebhookEndpoint>> = [
  { header: "endpoint id", value: (e) => e.endpoint_id },
  { header: "url", value: (e) => e.url, max: 48 },
  { header: "events", value: (e) => (e.events === null ? "all" : e.events.join(",")), max: 40 },
  { header: "status", value: (e) => e.status, max: 12 },
  { header: "created", value: (e) => Table.localTime(e.created_at) }
]

/**
 * Page flags shared by the lists, as core's list parameters.
 *
 * @since 0.2.0
 * @category parsing
 */
export const pageParams = (
  flags: { readonly limit: Option.Option<number>; readonly token: Option.Option<string> }
): { limit?: number; token?: string } => ({
  ...(Option.isSome(flags.limit) ? { limit: flags.limit.value } : {}),
  ...(Option.isSome(flags.token) ? { token: flags.token.value } : {})
})

/**
 * The line under a `--human` page that has more after it.
 *
 * @since 0.2.0
 * @category rendering
 */
export const moreLine = (command: string, nextToken: string | null): string =>
  nextToken === null ? "" : `\nMore: effect-heygen ${command} --token ${nextToken}  (or --all for every page)`

/**
 * `webhook endpoints list`.
 *
 * @since 0.2.0
 * @category commands
 */
export const list = (
  flags: Call.ConnectionFlags & {
    readonly limit: Option.Option<number>
    readonly token: Option.Option<string>
    readonly all: boolean
  }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const params = pageParams(flags)
    if (flags.all) {
      return yield* Call.run(
        conn,
        Output.all(WebhookEndpoints.stream(params, conn.limits), {
          noun: "endpoints",
          human: flags.human,
          toJson,
          columns
        })
      )
    }
    const page = yield* Call.run(conn, WebhookEndpoints.list(params, conn.limits))
    if (flags.human) {
      const table = page.data.length === 0 ? "(no endpoints)" : Table.render(columns, page.data)
      return yield* Output.text(`${table}${moreLine("webhook endpoints list", page.hasMore ? page.nextToken : null)}`)
    }
    yield* Output.json({ data: page.data.map(toJson), has_more: page.hasMore, next_token: page.nextToken })
  })

const humanEndpoint = (title: string, e: WebhookEndpoint.WebhookEndpoint): string => {
  const row = (label: string, value: string) => `  ${label.padEnd(12)}${value}`
  return [
    title,
    row("url", e.url),
    row("events", e.events === null ? "all events" : e.events.length === 0 ? "(none)" : e.events.join(", ")),
    row("status", e.status),
    row("created", Table.localTime(e.created_at))
  ].join("\n")
}

/**
 * `webhook endpoints update`: `--url`, `--events` (which replace) and `-d` merged; at least one of `url` and
 * `events` is required, checked before anything is sent.
 *
 * @since 0.2.0
 * @category commands
 */
export const update = (
  flags: Call.ConnectionFlags & {
    readonly endpointId: string
    readonly url: Option.Option<string>
    readonly events: ReadonlyArray<string>
    readonly data: Option.Option<string>
  }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const data = yield* Option.match(flags.data, {
      onSome: (value) => Effect.catchAll(RequestInput.loadData(value), Call.fail),
      onNone: () => Effect.succeed({})
    })
    const overrides = { url: flags.url, events: flags.events, entityId: Option.none() }
    const body = RequestInput.merge(data, overrides)
    if (!("url" in body) && !("events" in body)) {
      return yield* Call.fail(
        Call.usage(
          "nothing to update: give --url, --events, or both; nothing was sent",
          "--url",
          "e.g. effect-heygen webhook endpoints update ID --events avatar_video.success"
        )
      )
    }
    // Untyped JSON from flags and --data: core validates it (and names the field at fault) before sending.
    const request = body as unknown as WebhookEndpoint.UpdateWebhookEndpointRequest
    const result = yield* Call.run(
      conn,
      WebhookEndpoints.update(flags.endpointId, request, conn.limits),
      undefined,
      RequestInput.fromData(data, overrides)
    )
    yield* flags.human
      ? Output.text(humanEndpoint(`Updated webhook endpoint ${result.endpoint.endpoint_id}`, result.endpoint))
      : Output.json({ data: toJson(result.endpoint), request_id: result.requestId })
  })

const notConfirmed = (id: string, onTerminal: boolean) =>
  new Failure.CliError({
    code: onTerminal ? "cli_not_confirmed" : "cli_confirmation_required",
    message: onTerminal
      ? `not confirmed: endpoint ${id} was not deleted`
      : `refusing to delete endpoint ${id} without --force: not on a terminal, so there is no one to ask`,
    hint: "add --force to delete without asking (scripts must)",
    param: "--force",
    exitCode: ExitCode.Usage
  })

/**
 * `webhook endpoints delete`: asks on a terminal unless `--force`; off a terminal, refuses without `--force`.
 *
 * @since 0.2.0
 * @category commands
 */
export const del = (
  flags: Call.ConnectionFlags & { readonly endpointId: string; readonly force: boolean }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const conn = yield* Call.connection(flags)
    if (!flags.force) {
      if (io.confirm === undefined) return yield* Call.fail(notConfirmed(flags.endpointId, false))
      const yes = yield* io.confirm(
        `Delete webhook endpoint ${flags.endpointId}? HeyGen will stop sending it events. [y/N] `
      )
      if (!yes) return yield* Call.fail(notConfirmed(flags.endpointId, true))
    }
    const result = yield* Call.run(conn, WebhookEndpoints.delete(flags.endpointId, conn.limits))
    yield* flags.human
      ? Output.text(
        `Deleted webhook endpoint ${result.endpointId}${
          result.alreadyGone ? " (an earlier attempt whose response was lost had deleted it)" : ""
        }`
      )
      : Output.json({
        deleted: true,
        endpoint_id: result.endpointId,
        already_gone: result.alreadyGone,
        request_id: result.requestId
      })
  })

/**
 * `webhook endpoints rotate-secret`: the new secret handled as create's (file or stdout, never lost), one
 * idempotency key across retries, reported if the call is cut short.
 *
 * @since 0.2.0
 * @category commands
 */
export const rotateSecret = (
  flags: Call.ConnectionFlags & {
    readonly endpointId: string
    readonly secretFile: Option.Option<string>
    readonly force: boolean
    readonly idempotencyKey: Option.Option<string>
  }
): Effect.Effect<void, Failure.Reported, Io> =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const target = yield* SecretOutput.plan(flags.secretFile, flags.force)
    const key = Option.isSome(flags.idempotencyKey) ? flags.idempotencyKey.value : yield* IdempotencyKey.generate
    const result = yield* Call.run(
      conn,
      WebhookEndpoints.rotateSecret(flags.endpointId, { idempotencyKey: key, ...conn.limits }),
      Option.getOrUndefined(flags.idempotencyKey)
    ).pipe(
      Call.onInterruptReplayHint(key, "the secret may or may not have been rotated")
    )
    const secret = Redacted.value(result.secret)
    const destination = yield* SecretOutput.deliver(target, secret, "the secret was rotated", result.idempotencyKey)
    if (flags.human) {
      return yield* Output.text(
        [
          `Rotated the signing secret of webhook endpoint ${result.endpointId}; the old secret no longer works.`,
          ...(destination._tag === "File"
            ? [`New signing secret written to ${destination.path} (mode 0600).`]
            : [
              `New signing secret: ${secret}`,
              "Store this secret now: HeyGen shows it only once, and you need it to verify every delivery."
            ])
        ].join("\n")
      )
    }
    yield* Output.json({
      data: { endpoint_id: result.endpointId, ...(destination._tag === "File" ? {} : { secret }) },
      idempotency_key: result.idempotencyKey,
      request_id: result.requestId,
      ...(destination._tag === "File" ? { secret_file: destination.path } : {})
    })
  })
