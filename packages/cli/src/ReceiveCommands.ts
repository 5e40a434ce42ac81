/**
 * The receiving side's commands, `webhook verify` and `sandbox trigger`, kept apart from the command tree so that
 * the tree registers them with one line each. Their handlers load on use, like every other command's.
 *
 * @since 0.2.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"

const human = Options.boolean("human").pipe(Options.withDescription("Print a readable view instead of JSON."))

const header = (name: string, header: string) =>
  Options.text(name).pipe(Options.withDescription(`The ${header} header of the delivery, as received.`), Options.optional)

/**
 * `webhook verify --secret-file F [--signature S --timestamp T --event-id E] [--timestamp-tolerance 5m] < body`
 *
 * @since 0.2.0
 * @category commands
 */
export const verify = Command.make(
  "verify",
  {
    secretFile: Options.text("secret-file").pipe(
      Options.withDescription("A file holding the endpoint's signing secret (one per line during a rotation).")
    ),
    signature: header("signature", "Heygen-Signature"),
    timestamp: header("timestamp", "Heygen-Timestamp"),
    eventId: header("event-id", "Heygen-Event-Id"),
    timestampTolerance: Options.text("timestamp-tolerance").pipe(
      Options.withDescription("How old (or new) Heygen-Timestamp may be. Default 5m. E.g. --timestamp-tolerance 30s"),
      Options.optional
    ),
    human
  },
  (flags) => Effect.flatMap(Effect.promise(() => import("./Verify.js")), (m) => m.run(flags))
).pipe(
  Command.withDescription(
    "Verify a delivery: the raw body on stdin, its headers from flags. Prints the decoded delivery; exit 1 if a check fails."
  )
)

/**
 * `sandbox trigger <event_type> [--data JSON] --forward-to URL [--secret-file F]`
 *
 * @since 0.2.0
 * @category commands
 */
export const trigger = Command.make(
  "trigger",
  {
    eventType: Args.text({ name: "event_type" }).pipe(Args.withDescription("The event type, e.g. avatar_video.success")),
    data: Options.text("data").pipe(
      Options.withAlias("d"),
      Options.withDescription(`The event_data as JSON. Default {}. E.g. -d '{"video_id":"v1","url":"https://x"}'`),
      Options.optional
    ),
    forwardTo: Options.text("forward-to").pipe(
      Options.withDescription("Where your receiver listens. E.g. --forward-to http://127.0.0.1:3000/hooks")
    ),
    secretFile: Options.text("secret-file").pipe(
      Options.withDescription("Also sign with this secret (your receiver's), as an endpoint subscribed to every event."),
      Options.optional
    ),
    human
  },
  (flags) => Effect.flatMap(Effect.promise(() => import("./Trigger.js")), (m) => m.run(flags))
).pipe(
  Command.withDescription(
    "Sign an event for the sandbox's endpoints subscribed to it and deliver it to --forward-to, retrying on failure."
  )
)
