// `effect-heygen webhook endpoints create|list|update|delete|rotate-secret`: each command's flags, help and
// examples (named as in HeyGen's own CLI), and its handler: flags in, one call to core's `WebhookEndpoints`, the
// result printed (JSON by default, `--human` for people).
//
// Create and rotate-secret check everything that can be checked locally (flag values, the body, whether the secret
// file can be written) before the request is sent, so that a mistake never leaves a secret with nowhere to go. The
// idempotency key is chosen here rather than inside core so that it can be reported even when Ctrl-C cuts the call.
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

// A listed endpoint never carries its secret (HeyGen shows it only at creation and rotation): null, whatever was
// decoded.
const listing = (human: boolean): Output.Listing<WebhookEndpoint.WebhookEndpoint> => ({
  command: "webhook endpoints list",
  noun: "endpoints",
  human,
  toJson: (endpoint) => ({ ...endpoint, secret: null }),
  columns: [
    { header: "endpoint id", value: (e) => e.endpoint_id },
    { header: "url", value: (e) => e.url, max: 48 },
    { header: "events", value: (e) => (e.events === null ? "all" : e.events.join(",")), max: 40 },
    { header: "status", value: (e) => e.status, max: 12 },
    { header: "created", value: (e) => Table.localTime(e.created_at) }
  ]
})

const humanEndpoint = (
  title: string,
  e: WebhookEndpoint.WebhookEndpoint,
  [width, created]: readonly [number, string],
  more: ReadonlyArray<readonly [string, string]> = []
): Array<string> => [
  title,
  ...[
    ["url", e.url] as const,
    ["events", e.events === null ? "all events" : e.events.length === 0 ? "(none)" : e.events.join(", ")] as const,
    ["status", e.status] as const,
    [created, Table.localTime(e.created_at)] as const,
    ...more
  ].map(([label, value]) => `  ${label.padEnd(width)}${value}`)
]

/** The request body from `-d/--data` and the flags over it, and which of its fields came from `--data`. */
const bodyOf = (flags: { readonly data: Option.Option<string> }, overrides: RequestInput.Overrides) =>
  Effect.map(
    Option.match(flags.data, { onSome: RequestInput.loadData, onNone: () => Effect.succeed({}) }),
    (data) => ({ body: RequestInput.merge(data, overrides), fromData: RequestInput.fromData(data, overrides) })
  )

const keyOf = (given: Option.Option<string>) =>
  Option.match(given, { onSome: Effect.succeed, onNone: () => IdempotencyKey.generate })

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
const url = "https://example.com/hooks/heygen"

const createInputs = {
  url: Flags.text("url", "URL", `The HTTPS URL HeyGen POSTs events to, e.g. ${url}.`),
  events: Flags.list(
    "events",
    "TYPES",
    "Event types, comma-separated or repeated (see: effect-heygen webhook event-types list); omit for all."
  ),
  entityId: Flags.text("entity-id", "ID", "Send only events about this resource (a video id, say)."),
  idempotencyKey,
  data: Flags.data(
    "The request body: inline JSON, a file path, or - for stdin; the other flags override its fields."
  ),
  secretFile,
  force: forceSecretFile,
  ...Flags.connection
} as const

const listInputs = { ...Flags.page, ...Flags.connection } as const

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

const deleteInputs = {
  endpointId,
  force: Flags.boolean("force", "Delete without asking; required when stdin is not a terminal (scripts)."),
  ...Flags.connection
} as const

const rotateInputs = {
  endpointId,
  secretFile,
  force: forceSecretFile,
  idempotencyKey,
  ...Flags.connection
} as const

const create = (flags: Flags.Input<typeof createInputs>) =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const { body, fromData } = yield* bodyOf(flags, flags)
    const target = yield* SecretOutput.plan(flags.secretFile, flags.force)
    const key = yield* keyOf(flags.idempotencyKey)
    // The body is untyped JSON from flags and --data: core validates it with its schema before sending (and names
    // the field at fault), so the cast only hands it over.
    const request = body as unknown as WebhookEndpoint.CreateWebhookEndpointRequest
    const result = yield* Call.run(
      conn,
      WebhookEndpoints.create(request, { idempotencyKey: key, ...conn.limits }),
      Option.getOrUndefined(flags.idempotencyKey),
      fromData
    ).pipe(Call.onInterruptReplayHint(key, "the endpoint may or may not exist"))
    const e = result.endpoint
    const secret = e.secret === null ? null : Redacted.value(e.secret)
    const destination = yield* SecretOutput.deliver(target, secret, "the endpoint was created", result.idempotencyKey)
    const file = destination._tag === "File" ? destination.path : null
    if (!flags.human) {
      const { secret: _, ...rest } = e
      return yield* Output.json({
        data: file === null ? { ...rest, secret } : rest,
        idempotency_key: result.idempotencyKey,
        request_id: result.requestId,
        ...(file === null ? {} : { secret_file: file })
      })
    }
    yield* Output.text(
      [
        ...humanEndpoint(`Created webhook endpoint ${e.endpoint_id}`, e, [16, "created at"], [
          ["idempotency key", result.idempotencyKey],
          ...(result.requestId === null ? [] : [["request id", result.requestId] as const])
        ]),
        "",
        ...(file !== null
          ? [`Signing secret written to ${file} (mode 0600).`]
          : secret === null
          ? ["HeyGen returned no signing secret for this endpoint."]
          : [
            `Signing secret: ${secret}`,
            "Store this secret now (for example in your secret manager): HeyGen shows it only once, at creation,",
            "and you need it to verify the signature of every webhook delivery."
          ])
      ].join("\n")
    )
  })

const list = (flags: Flags.Input<typeof listInputs>) =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const params = Output.pageParams(flags)
    yield* flags.all
      ? Call.run(conn, Output.all(WebhookEndpoints.stream(params, conn.limits), listing(flags.human)))
      : Effect.flatMap(Call.run(conn, WebhookEndpoints.list(params, conn.limits)), (page) =>
        Output.page(page, listing(flags.human)))
  })

// `--url`, `--events` (which replace) and `-d` merged; at least one of `url` and `events`, checked before sending.
const update = (flags: Flags.Input<typeof updateInputs>) =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const { body, fromData } = yield* bodyOf(flags, { ...flags, entityId: Option.none() })
    if (!("url" in body) && !("events" in body)) {
      return yield* new Failure.CliError({
        code: "cli_usage",
        message: "nothing to update: give --url, --events, or both; nothing was sent",
        param: "--url",
        hint: "e.g. effect-heygen webhook endpoints update ID --events avatar_video.success",
        exitCode: ExitCode.Usage
      })
    }
    const request = body as unknown as WebhookEndpoint.UpdateWebhookEndpointRequest // Validated by core, as create's.
    const result = yield* Call.run(
      conn,
      WebhookEndpoints.update(flags.endpointId, request, conn.limits),
      undefined,
      fromData
    )
    yield* flags.human
      ? Output.text(
        humanEndpoint(`Updated webhook endpoint ${result.endpoint.endpoint_id}`, result.endpoint, [12, "created"])
          .join("\n")
      )
      : Output.json({ data: { ...result.endpoint, secret: null }, request_id: result.requestId })
  })

// Asks on a terminal unless `--force`; off a terminal there is no one to ask, so it refuses without `--force`.
const del = (flags: Flags.Input<typeof deleteInputs>) =>
  Effect.gen(function*() {
    const io = yield* Io
    const conn = yield* Call.connection(flags)
    const id = flags.endpointId
    if (!flags.force) {
      const yes = io.confirm === undefined
        ? undefined
        : yield* io.confirm(`Delete webhook endpoint ${id}? HeyGen will stop sending it events.`)
      if (yes !== true) {
        return yield* new Failure.CliError({
          code: yes === undefined ? "cli_confirmation_required" : "cli_not_confirmed",
          message: yes === undefined
            ? `refusing to delete endpoint ${id} without --force: not on a terminal, so there is no one to ask`
            : `not confirmed: endpoint ${id} was not deleted`,
          hint: "add --force to delete without asking (scripts must)",
          param: "--force",
          exitCode: ExitCode.Usage
        })
      }
    }
    const result = yield* Call.run(conn, WebhookEndpoints.delete(id, conn.limits))
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

// The new secret is handled as create's (file or stdout, never lost), one idempotency key across retries.
const rotateSecret = (flags: Flags.Input<typeof rotateInputs>) =>
  Effect.gen(function*() {
    const conn = yield* Call.connection(flags)
    const target = yield* SecretOutput.plan(flags.secretFile, flags.force)
    const key = yield* keyOf(flags.idempotencyKey)
    const result = yield* Call.run(
      conn,
      WebhookEndpoints.rotateSecret(flags.endpointId, { idempotencyKey: key, ...conn.limits }),
      Option.getOrUndefined(flags.idempotencyKey)
    ).pipe(Call.onInterruptReplayHint(key, "the secret may or may not have been rotated"))
    const secret = Redacted.value(result.secret)
    const destination = yield* SecretOutput.deliver(target, secret, "the secret was rotated", result.idempotencyKey)
    const file = destination._tag === "File" ? destination.path : null
    yield* flags.human
      ? Output.text(
        [
          `Rotated the signing secret of webhook endpoint ${result.endpointId}; the old secret no longer works.`,
          ...(file !== null ? [`New signing secret written to ${file} (mode 0600).`] : [
            `New signing secret: ${secret}`,
            "Store this secret now: HeyGen shows it only once, and you need it to verify every delivery."
          ])
        ].join("\n")
      )
      : Output.json({
        data: { endpoint_id: result.endpointId, ...(file === null ? { secret } : {}) },
        idempotency_key: result.idempotencyKey,
        request_id: result.requestId,
        ...(file === null ? {} : { secret_file: file })
      })
  })

/** `webhook endpoints`. */
export const group = Flags.group("endpoints", {
  summary: "Create, list, update, delete webhook endpoints and rotate their secrets.",
  examples: [
    ["List your endpoints", "effect-heygen webhook endpoints list --human"],
    ["Try a whole session with no account", "effect-heygen webhook endpoints list --sandbox --human"]
  ]
}, [
  Flags.command("create", createInputs, {
    summary: "Register an HTTPS URL for webhook events; prints the endpoint and its signing secret (shown once).",
    description: [
      "Every attempt carries one Idempotency-Key, so a retry after a lost response never creates a second endpoint."
    ],
    examples: [
      [
        "Register an endpoint for two events",
        `effect-heygen webhook endpoints create --url ${url} --events avatar_video.success,avatar_video.fail`
      ],
      [
        "Keep the signing secret in a 0600 file instead of stdout",
        `effect-heygen webhook endpoints create --url ${url} --secret-file ./whsec`
      ],
      [
        "Repeat a call whose outcome you did not see (the key is in its error)",
        `effect-heygen webhook endpoints create --url ${url} --idempotency-key KEY`
      ]
    ]
  }, create),
  Flags.command("list", listInputs, {
    summary: "List your webhook endpoints: one page as JSON, or every page with --all.",
    description: ["Signing secrets are never listed: HeyGen shows a secret only at creation and rotation."],
    examples: [
      ["The first page as a table", "effect-heygen webhook endpoints list --human"],
      ["The next page", "effect-heygen webhook endpoints list --limit 20 --token NEXT_TOKEN"],
      ["Every endpoint's URL, however many pages", "effect-heygen webhook endpoints list --all | jq -r .url"]
    ]
  }, list),
  Flags.command("update", updateInputs, {
    summary: "Change an endpoint's URL or event types (at least one).",
    description: ["--events replaces the endpoint's whole list of event types; it does not add to it."],
    examples: [
      [
        "Subscribe to exactly these two events",
        "effect-heygen webhook endpoints update ENDPOINT_ID --events avatar_video.success,avatar_video.fail"
      ],
      ["Move the endpoint", "effect-heygen webhook endpoints update ENDPOINT_ID --url https://example.com/new"],
      ["Back to all events", "effect-heygen webhook endpoints update ENDPOINT_ID -d '{\"events\":null}'"]
    ]
  }, update),
  Flags.command("delete", deleteInputs, {
    summary: "Delete an endpoint: HeyGen stops sending it events. Asks first, unless --force.",
    examples: [
      ["Delete, confirming at the prompt", "effect-heygen webhook endpoints delete ENDPOINT_ID"],
      ["Delete from a script", "effect-heygen webhook endpoints delete ENDPOINT_ID --force"]
    ]
  }, del),
  Flags.command("rotate-secret", rotateInputs, {
    summary: "Give an endpoint a new signing secret; the old one stops working at once.",
    description: ["The new secret is shown once: store it, or write it to a file with --secret-file."],
    examples: [
      ["Rotate and print the new secret", "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID"],
      [
        "Rotate, replacing the secret file",
        "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID --secret-file ./whsec --force"
      ]
    ]
  }, rotateSecret)
])
