/**
 * `effect-heygen webhook endpoints create|list|update|delete|rotate-secret`: each command's flags, help and
 * examples (named as in HeyGen's own CLI), and its handler: flags in, one call to core's `WebhookEndpoints`, the
 * result printed (JSON by default, `--human` for people).
 *
 * Create's order matters for safety: everything that can be checked locally (flag values, the body, whether the
 * secret file can be written) is checked before the request is sent, so that a mistake never leaves behind an
 * endpoint whose secret has nowhere to go. The idempotency key is chosen here rather than inside core so that it
 * can be reported even when the call is cut short by Ctrl-C.
 *
 * @since 0.2.0
 */
import * as IdempotencyKey from "@effect-heygen/core/IdempotencyKey"
import type * as WebhookEndpoint from "@effect-heygen/core/WebhookEndpoint"
import * as WebhookEndpoints from "@effect-heygen/core/WebhookEndpoints"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Call from "./call.js"
import * as Failure from "./failure.js"
import * as Flags from "./flags.js"
import * as Output from "./output.js"
import * as RequestInput from "./requestInput.js"
import * as SecretOutput from "./secretOutput.js"
import * as Table from "./table.js"

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
): Effect.Effect<void, Failure.CliError, Io> =>
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
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const data = yield* Option.match(flags.data, {
      onSome: (value) => Effect.catchAll(RequestInput.loadData(value), Call.fail),
      onNone: () => Effect.succeed({})
    })
    const overrides = { url: flags.url, events: flags.events, entityId: Option.none() }
    const body = RequestInput.merge(data, overrides)
    if (!("url" in body) && !("events" in body)) {
      return yield* Effect.fail(
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
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const conn = yield* Call.connection(flags)
    if (!flags.force) {
      if (io.confirm === undefined) return yield* Effect.fail(notConfirmed(flags.endpointId, false))
      const yes = yield* io.confirm(
        `Delete webhook endpoint ${flags.endpointId}? HeyGen will stop sending it events.`
      )
      if (!yes) return yield* Effect.fail(notConfirmed(flags.endpointId, true))
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
): Effect.Effect<void, Failure.CliError, Io> =>
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

/**
 * Where the secret went.
 *
 * @since 0.1.0
 * @category models
 */
export type SecretDestination =
  | { readonly _tag: "Stdout" }
  | { readonly _tag: "File"; readonly path: string }

/**
 * A created endpoint and what the user needs to trace or repeat the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Created {
  readonly endpoint: WebhookEndpoint.WebhookEndpoint
  readonly idempotencyKey: string
  readonly requestId: string | null
  readonly secret: SecretDestination
}

/**
 * The JSON view: HeyGen's response (`{"data": ...}`) with the idempotency key and request id beside it. When the
 * secret went to a file, `data.secret` is left out and `secret_file` names the file.
 *
 * @since 0.1.0
 * @category rendering
 */
export const json = (created: Created): string => {
  const { secret, ...rest } = created.endpoint
  const data = created.secret._tag === "File"
    ? rest
    : { ...rest, secret: secret === null ? null : Redacted.value(secret) }
  return JSON.stringify({
    data,
    idempotency_key: created.idempotencyKey,
    request_id: created.requestId,
    ...(created.secret._tag === "File" ? { secret_file: created.secret.path } : {})
  })
}

/**
 * The readable view. The secret is shown once, with a line telling the user to store it.
 *
 * @since 0.1.0
 * @category rendering
 */
export const human = (created: Created): string => {
  const e = created.endpoint
  const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`
  const lines = [
    `Created webhook endpoint ${e.endpoint_id}`,
    row("url", e.url),
    row("events", e.events === null ? "all events" : e.events.length === 0 ? "(none)" : e.events.join(", ")),
    row("status", e.status),
    row("created at", Table.localTime(e.created_at)),
    row("idempotency key", created.idempotencyKey),
    ...(created.requestId === null ? [] : [row("request id", created.requestId)]),
    ""
  ]
  if (created.secret._tag === "File") {
    lines.push(`Signing secret written to ${created.secret.path} (mode 0600).`)
  } else if (e.secret === null) {
    lines.push("HeyGen returned no signing secret for this endpoint.")
  } else {
    lines.push(
      `Signing secret: ${Redacted.value(e.secret)}`,
      "Store this secret now (for example in your secret manager): HeyGen shows it only once, at creation,",
      "and you need it to verify the signature of every webhook delivery."
    )
  }
  return lines.join("\n")
}

/**
 * The flags of `webhook endpoints create`, as parsed by `@effect/cli`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateFlags extends Call.ConnectionFlags {
  readonly url: Option.Option<string>
  readonly events: ReadonlyArray<string>
  readonly entityId: Option.Option<string>
  readonly idempotencyKey: Option.Option<string>
  readonly data: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly force: boolean
}

/** What the call needs, resolved from flags and environment. */
interface Plan {
  readonly body: Record<string, unknown>
  readonly key: string
  readonly connection: Call.Connection
  readonly call: WebhookEndpoints.CallOptions
  readonly secret: Option.Option<SecretOutput.Target>
  readonly fromData: ReadonlyArray<string>
}

const plan = (flags: CreateFlags) =>
  Effect.gen(function*() {
    const connection = yield* Call.connection(flags)
    const data = yield* Option.match(flags.data, {
      onSome: (value) => Effect.mapError(RequestInput.loadData(value), (e) => e),
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
export const create = (flags: CreateFlags): Effect.Effect<void, Failure.CliError, Io> =>
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
    const created: Created = {
      endpoint: result.endpoint,
      idempotencyKey: result.idempotencyKey,
      requestId: result.requestId,
      secret: destination
    }
    io.stdout(`${flags.human ? human(created) : json(created)}\n`)
  })

const url = Flags.text("url", "URL", "The HTTPS URL HeyGen POSTs events to, e.g. https://example.com/hooks/heygen.")
const idempotencyKey = Flags.text(
  "idempotency-key",
  "KEY",
  "Repeat a call whose outcome you did not see (the key is in its error): HeyGen replays it (default: a new UUID)."
)
const secretFile = Flags.text(
  "secret-file",
  "PATH",
  "Write the signing secret to PATH (mode 0600, atomic) instead of stdout; refused before the call if it cannot be."
)
const forceSecretFile = Flags.boolean("force", "Let --secret-file replace an existing file.")
const endpointId = Flags.arg("endpoint-id", "The endpoint's id (from: effect-heygen webhook endpoints list).")

const createInputs = {
  url,
  events: Flags.list(
    "events",
    "TYPES",
    "Event types, comma-separated or repeated (see: effect-heygen webhook event-types list); omit for all."
  ),
  entityId: Flags.text("entity-id", "ID", "Send only events about this resource (a video id, say)."),
  idempotencyKey,
  data: Flags.data("The request body: inline JSON, a file path, or - for stdin; the other flags override its fields."),
  secretFile,
  force: forceSecretFile,
  ...Flags.connection
} as const

const createCommand = Flags.command("create", createInputs, {
  summary: "Register an HTTPS URL for webhook events; prints the endpoint and its signing secret (shown once).",
  description: [
    "Every attempt carries one Idempotency-Key, so a retry after a lost response never creates a second endpoint."
  ],
  examples: [
    {
      what: "Register an endpoint for two events",
      command:
        "effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --events avatar_video.success,avatar_video.fail"
    },
    {
      what: "Keep the signing secret in a 0600 file instead of stdout",
      command: "effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --secret-file ./whsec"
    },
    {
      what: "Repeat a call whose outcome you did not see (the key is in its error)",
      command: "effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --idempotency-key KEY"
    }
  ]
}, create)

const listInputs = { ...Flags.page, ...Flags.connection } as const

const listCommand = Flags.command("list", listInputs, {
  summary: "List your webhook endpoints: one page as JSON, or every page with --all.",
  description: ["Signing secrets are never listed: HeyGen shows a secret only at creation and rotation."],
  examples: [
    { what: "The first page as a table", command: "effect-heygen webhook endpoints list --human" },
    { what: "The next page", command: "effect-heygen webhook endpoints list --limit 20 --token NEXT_TOKEN" },
    {
      what: "Every endpoint's URL, however many pages",
      command: "effect-heygen webhook endpoints list --all | jq -r .url"
    }
  ]
}, list)

const updateInputs = {
  endpointId,
  url: Flags.text("url", "URL", "The new HTTPS URL HeyGen POSTs events to."),
  events: Flags.list(
    "events",
    "TYPES",
    "The new event types, comma-separated or repeated: they REPLACE the current list (nothing is merged)."
  ),
  data: Flags.data(
    "The changes as JSON ({\"url\",\"events\"}), a file path or - for stdin; --url and --events override it."
  ),
  ...Flags.connection
} as const

const updateCommand = Flags.command("update", updateInputs, {
  summary: "Change an endpoint's URL or event types (at least one).",
  description: ["--events replaces the endpoint's whole list of event types; it does not add to it."],
  examples: [
    {
      what: "Subscribe to exactly these two events",
      command: "effect-heygen webhook endpoints update ENDPOINT_ID --events avatar_video.success,avatar_video.fail"
    },
    {
      what: "Move the endpoint",
      command: "effect-heygen webhook endpoints update ENDPOINT_ID --url https://example.com/new"
    },
    { what: "Back to all events", command: "effect-heygen webhook endpoints update ENDPOINT_ID -d '{\"events\":null}'" }
  ]
}, update)

const deleteInputs = {
  endpointId,
  force: Flags.boolean("force", "Delete without asking; required when stdin is not a terminal (scripts)."),
  ...Flags.connection
} as const

const deleteCommand = Flags.command("delete", deleteInputs, {
  summary: "Delete an endpoint: HeyGen stops sending it events. Asks first, unless --force.",
  examples: [
    { what: "Delete, confirming at the prompt", command: "effect-heygen webhook endpoints delete ENDPOINT_ID" },
    { what: "Delete from a script", command: "effect-heygen webhook endpoints delete ENDPOINT_ID --force" }
  ]
}, del)

const rotateInputs = {
  endpointId,
  secretFile,
  force: forceSecretFile,
  idempotencyKey,
  ...Flags.connection
} as const

const rotateSecretCommand = Flags.command("rotate-secret", rotateInputs, {
  summary: "Give an endpoint a new signing secret; the old one stops working at once.",
  description: ["The new secret is shown once: store it, or write it to a file with --secret-file."],
  examples: [
    { what: "Rotate and print the new secret", command: "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID" },
    {
      what: "Rotate, replacing the secret file",
      command: "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID --secret-file ./whsec --force"
    }
  ]
}, rotateSecret)

/**
 * `webhook endpoints`.
 *
 * @since 0.2.0
 * @category commands
 */
export const group = Flags.group("endpoints", {
  summary: "Create, list, update, delete webhook endpoints and rotate their secrets.",
  examples: [
    { what: "List your endpoints", command: "effect-heygen webhook endpoints list --human" },
    { what: "Try a whole session with no account", command: "effect-heygen webhook endpoints list --sandbox --human" }
  ]
}, [createCommand, listCommand, updateCommand, deleteCommand, rotateSecretCommand])
