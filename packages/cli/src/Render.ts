/**
 * What `webhook endpoints create` prints on stdout: JSON by default (for scripts), or a readable view with
 * `--human`.
 *
 * The endpoint's secret is `Redacted` everywhere else in the program; this is the one place it is unwrapped for
 * display, and only when it is not going to a `--secret-file` instead.
 *
 * @since 0.1.0
 */
import type * as WebhookEndpoint from "@effect-heygen/core/WebhookEndpoint"
import * as Redacted from "effect/Redacted"
import * as Table from "./Table.js"

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
