/**
 * The flags commands share, defined once: the connection flags every API command takes, and the request flags
 * several commands take. Each is one `CommandSpec.Flag`, so its help line and its parser cannot drift apart.
 *
 * @since 0.2.0
 */
import * as CommandSpec from "./CommandSpec.js"

const common = { common: true } as const

/**
 * @since 0.2.0
 * @category flags
 */
export const apiKey = CommandSpec.secret(
  "api-key",
  "KEY",
  "HeyGen API key (default: $HEYGEN_API_KEY); never printed.",
  common
)

/**
 * @since 0.2.0
 * @category flags
 */
export const baseUrl = CommandSpec.text(
  "base-url",
  "URL",
  "API base URL (default: $HEYGEN_API_BASE, else https://api.heygen.com); plain http only for localhost.",
  common
)

/**
 * @since 0.2.0
 * @category flags
 */
export const maxRetries = CommandSpec.text(
  "max-retries",
  "N",
  "Retries after a 429, 5xx, lost response or timeout, 0-10 (default: $HEYGEN_MAX_RETRIES, else 2).",
  common
)

/**
 * @since 0.2.0
 * @category flags
 */
export const timeout = CommandSpec.text(
  "timeout",
  "DURATION",
  "Time limit for each call, retries included: 10s, 500ms, 2m (default 2m).",
  common
)

/**
 * @since 0.2.0
 * @category flags
 */
export const sandbox = CommandSpec.boolean(
  "sandbox",
  "Use the built-in fake HeyGen API (no account); it keeps its state until `effect-heygen sandbox reset`.",
  common
)

/**
 * @since 0.2.0
 * @category flags
 */
export const human = CommandSpec.boolean("human", "Print a readable view (tables for lists) instead of JSON.", common)

/**
 * The connection flags every API command takes, under the names handlers read them by.
 *
 * @since 0.2.0
 * @category flags
 */
export const connection = { apiKey, baseUrl, maxRetries, timeout, sandbox, human } as const

/**
 * @since 0.2.0
 * @category flags
 */
export const url = CommandSpec.text(
  "url",
  "URL",
  "The HTTPS URL HeyGen POSTs events to, e.g. https://example.com/hooks/heygen.",
  { completion: { _tag: "None" } }
)

/**
 * @since 0.2.0
 * @category flags
 */
export const events = CommandSpec.repeated(
  "events",
  "TYPES",
  "Event types, comma-separated or repeated (see: effect-heygen webhook event-types list); omit for all.",
  { completion: { _tag: "EventTypes", list: true } }
)

/**
 * `--events` on update, whose help must say that the list is replaced.
 *
 * @since 0.2.0
 * @category flags
 */
export const eventsReplace = CommandSpec.repeated(
  "events",
  "TYPES",
  "The new event types, comma-separated or repeated: they REPLACE the current list (nothing is merged).",
  { completion: { _tag: "EventTypes", list: true } }
)

/**
 * @since 0.2.0
 * @category flags
 */
export const entityId = CommandSpec.text("entity-id", "ID", "Only events about this resource (a video id, say).")

/**
 * @since 0.2.0
 * @category flags
 */
export const idempotencyKey = CommandSpec.text(
  "idempotency-key",
  "KEY",
  "Repeat a call whose outcome you did not see (the key is in its error): HeyGen replays it (default: a new UUID)."
)

/**
 * @since 0.2.0
 * @category flags
 */
export const data = CommandSpec.text(
  "data",
  "JSON",
  "The request body: inline JSON, a file path, or - for stdin; the other flags override its fields.",
  { alias: "d", completion: { _tag: "File" } }
)

/**
 * @since 0.2.0
 * @category flags
 */
export const secretFile = CommandSpec.text(
  "secret-file",
  "PATH",
  "Write the signing secret to PATH (mode 0600, atomic) instead of stdout; printed anyway if that fails.",
  { completion: { _tag: "File" } }
)

/**
 * `--force` beside `--secret-file`.
 *
 * @since 0.2.0
 * @category flags
 */
export const forceSecretFile = CommandSpec.boolean("force", "Let --secret-file replace an existing file.")

/**
 * @since 0.2.0
 * @category flags
 */
export const limit = CommandSpec.text("limit", "N", "Items per page, 1-100 (default: the API's).")

/**
 * @since 0.2.0
 * @category flags
 */
export const token = CommandSpec.text("token", "TOKEN", "Start at this page: the next_token of the previous one.")

/**
 * @since 0.2.0
 * @category flags
 */
export const all = CommandSpec.boolean(
  "all",
  "Fetch every page, printing one item per line (NDJSON) as pages arrive."
)

/**
 * @since 0.2.0
 * @category flags
 */
export const endpointId = CommandSpec.arg(
  "endpoint-id",
  "The endpoint's id (from: effect-heygen webhook endpoints list)."
)
