/**
 * The command tree of `effect-heygen`, built with `@effect/cli`:
 *
 *   effect-heygen webhook endpoints create   register a webhook endpoint
 *   effect-heygen webhook event-types list   the event types an endpoint may subscribe to (offline)
 *   effect-heygen sandbox serve              run the fake HeyGen API on 127.0.0.1
 *
 * Handlers are thin: they turn flags into core calls and results into output. Every failure leaves a handler as a
 * `Failure.Reported`, already mapped to its stderr envelope and exit code.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Create from "./Create.js"

/**
 * Handlers live in their own modules, loaded when their command runs: they pull in core's schemas and request
 * pipeline, which `--help`, `--version` and the parse of a wrong command line never need (start-up time is a
 * feature of a CLI).
 */
const lazy = <A, B, E, R>(load: () => Promise<A>, run: (module: A) => Effect.Effect<B, E, R>) =>
  Effect.flatMap(Effect.promise(load), run)

const human = Options.boolean("human").pipe(
  Options.withDescription("Print a readable view instead of JSON.")
)

const url = Options.text("url").pipe(
  Options.withDescription(
    "The HTTPS URL HeyGen will POST events to. Required, here or in --data. E.g. --url https://example.com/hooks/heygen"
  ),
  Options.optional
)

const events = Options.text("events").pipe(
  Options.withDescription(
    "Event types to subscribe to; repeat the flag or separate with commas. Omit for all events. " +
      "E.g. --events avatar_video.success,avatar_video.fail (see: webhook event-types list)"
  ),
  Options.repeated
)

const entityId = Options.text("entity-id").pipe(
  Options.withDescription("Scope the endpoint to one resource. E.g. --entity-id 9f1c2e"),
  Options.optional
)

const idempotencyKey = Options.text("idempotency-key").pipe(
  Options.withDescription(
    "Reuse the key of an earlier call whose outcome you did not see (it is in every error): HeyGen replays the " +
      "original result instead of creating a second endpoint. 1-255 of A-Z a-z 0-9 _ - : . Default: a new UUID."
  ),
  Options.optional
)

const data = Options.text("data").pipe(
  Options.withAlias("d"),
  Options.withDescription(
    "The request body as inline JSON, a file path, or - for standard input; --url, --events and --entity-id " +
      `override its fields. E.g. -d '{"url":"https://example.com/hooks","events":["avatar_video.success"]}'`
  ),
  Options.optional
)

const apiKey = Options.redacted("api-key").pipe(
  Options.withDescription("Your HeyGen API key. Default: $HEYGEN_API_KEY. It is never printed."),
  Options.optional
)

const baseUrl = Options.text("base-url").pipe(
  Options.withDescription(
    "The API base URL. Default: $HEYGEN_API_BASE, else https://api.heygen.com. Plain http only for localhost. " +
      "E.g. --base-url http://127.0.0.1:8787"
  ),
  Options.optional
)

const maxRetries = Options.text("max-retries").pipe(
  Options.withDescription(
    "Retries after a transient failure (429, 5xx, lost response, timeout), all with the same idempotency key. " +
      "Default: $HEYGEN_MAX_RETRIES, else 2. E.g. --max-retries 0"
  ),
  Options.optional
)

const timeout = Options.text("timeout").pipe(
  Options.withDescription(
    "Time limit for the whole call, retries included (each attempt is also capped at 30s). Default 2m. " +
      "E.g. --timeout 10s, --timeout 500ms"
  ),
  Options.optional
)

const secretFile = Options.text("secret-file").pipe(
  Options.withDescription(
    "Write the signing secret to this file (mode 0600, atomically) instead of stdout. Refuses an existing file " +
      "unless --force. If writing fails, the secret is printed instead: it is never lost. E.g. --secret-file ./whsec"
  ),
  Options.optional
)

const force = Options.boolean("force").pipe(
  Options.withDescription("Let --secret-file replace an existing file.")
)

const sandbox = Options.boolean("sandbox").pipe(
  Options.withDescription(
    "Run against a fake HeyGen API started in-process on 127.0.0.1 (real HTTP, no account, no key needed)."
  )
)

const create = Command.make(
  "create",
  {
    url,
    events,
    entityId,
    idempotencyKey,
    data,
    apiKey,
    baseUrl,
    maxRetries,
    timeout,
    secretFile,
    force,
    sandbox,
    human
  },
  (flags: Create.Flags) => lazy(() => import("./Create.js"), (m) => m.run(flags))
).pipe(
  Command.withDescription(
    "Register an HTTPS URL for webhook events; prints the endpoint and its signing secret (shown only once)."
  )
)

const list = Command.make("list", { human }, (flags) => lazy(() => import("./EventTypes.js"), (m) => m.list(flags)))
  .pipe(
    Command.withDescription("List the event types an endpoint may subscribe to (offline, from the API schema).")
  )

const port = Options.text("port").pipe(
  Options.withDescription("The port to listen on, on 127.0.0.1. Default 0: any free port. E.g. --port 8787"),
  Options.optional
)

const serve = Command.make("serve", { port, human }, (flags) => lazy(() => import("./Serve.js"), (m) => m.run(flags)))
  .pipe(
    Command.withDescription(
      "Run a fake HeyGen API on 127.0.0.1 until Ctrl-C; prints its base URL and an API key."
    )
  )

const webhook = Command.make("webhook").pipe(
  Command.withDescription("Webhook endpoints and event types."),
  Command.withSubcommands([
    Command.make("endpoints").pipe(
      Command.withDescription("Manage webhook endpoints."),
      Command.withSubcommands([create])
    ),
    Command.make("event-types").pipe(
      Command.withDescription("The event types webhooks deliver."),
      Command.withSubcommands([list])
    )
  ])
)

/**
 * The root command.
 *
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make("effect-heygen").pipe(
  Command.withDescription("A command line for HeyGen's webhook endpoints API, built on Effect."),
  Command.withSubcommands([
    webhook,
    Command.make("sandbox").pipe(
      Command.withDescription("A local fake of the HeyGen API, for trying the CLI and for tests."),
      Command.withSubcommands([serve])
    )
  ])
)
