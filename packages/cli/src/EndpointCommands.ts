/**
 * `effect-heygen webhook endpoints ...`: the flags, help and examples of each command, named as in HeyGen's own
 * CLI. The handlers (`Create`, `Endpoints`) load only when their command runs: they pull in core's schemas and
 * request pipeline, which `--help` and a mistyped command line never need.
 *
 * @since 0.2.0
 */
import * as Flags from "./Flags.js"

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

/**
 * @since 0.2.0
 * @category commands
 */
export const create = Flags.command("create", createInputs, {
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
}, (flags) => Flags.lazy(() => import("./Create.js"), (m) => m.run(flags)))

const listInputs = { ...Flags.page, ...Flags.connection } as const

/**
 * @since 0.2.0
 * @category commands
 */
export const list = Flags.command("list", listInputs, {
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
}, (flags) => Flags.lazy(() => import("./Endpoints.js"), (m) => m.list(flags)))

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

/**
 * @since 0.2.0
 * @category commands
 */
export const update = Flags.command("update", updateInputs, {
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
}, (flags) => Flags.lazy(() => import("./Endpoints.js"), (m) => m.update(flags)))

const deleteInputs = {
  endpointId,
  force: Flags.boolean("force", "Delete without asking; required when stdin is not a terminal (scripts)."),
  ...Flags.connection
} as const

/**
 * @since 0.2.0
 * @category commands
 */
export const del = Flags.command("delete", deleteInputs, {
  summary: "Delete an endpoint: HeyGen stops sending it events. Asks first, unless --force.",
  examples: [
    { what: "Delete, confirming at the prompt", command: "effect-heygen webhook endpoints delete ENDPOINT_ID" },
    { what: "Delete from a script", command: "effect-heygen webhook endpoints delete ENDPOINT_ID --force" }
  ]
}, (flags) => Flags.lazy(() => import("./Endpoints.js"), (m) => m.del(flags)))

const rotateInputs = {
  endpointId,
  secretFile,
  force: forceSecretFile,
  idempotencyKey,
  ...Flags.connection
} as const

/**
 * @since 0.2.0
 * @category commands
 */
export const rotateSecret = Flags.command("rotate-secret", rotateInputs, {
  summary: "Give an endpoint a new signing secret; the old one stops working at once.",
  description: ["The new secret is shown once: store it, or write it to a file with --secret-file."],
  examples: [
    { what: "Rotate and print the new secret", command: "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID" },
    {
      what: "Rotate, replacing the secret file",
      command: "effect-heygen webhook endpoints rotate-secret ENDPOINT_ID --secret-file ./whsec --force"
    }
  ]
}, (flags) => Flags.lazy(() => import("./Endpoints.js"), (m) => m.rotateSecret(flags)))

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
}, [create, list, update, del, rotateSecret])
