/**
 * The receiving side's commands, `webhook verify` and `sandbox trigger`: flags, help and examples. Their
 * handlers (`Verify`, `Trigger`) load only when they run.
 *
 * @since 0.2.0
 */
import * as Flags from "./Flags.js"

/**
 * `webhook verify --secret-file F --signature S [--timestamp T] [--event-id E] [--timestamp-tolerance 5m]
 * [--require-timestamp] < body`
 *
 * @since 0.2.0
 * @category commands
 */
export const verify = Flags.command("verify", {
  secretFile: Flags.text(
    "secret-file",
    "FILE",
    "The endpoint's signing secret, as Create returned it (one per line during a rotation). Required."
  ),
  signature: Flags.text(
    "signature",
    "VALUE",
    "The delivery's Heygen-Signature header as received (or its plain signature header, as some deliveries carry it). Required."
  ),
  timestamp: Flags.text(
    "timestamp",
    "VALUE",
    "The Heygen-Timestamp header, if the delivery had one: checked against --timestamp-tolerance."
  ),
  eventId: Flags.text(
    "event-id",
    "VALUE",
    "The Heygen-Event-Id header, if the delivery had one (else the id is the body's event_id, else a digest of the body)."
  ),
  timestampTolerance: Flags.duration(
    "timestamp-tolerance",
    "How far Heygen-Timestamp may be from now, either way (default 5m)."
  ),
  requireTimestamp: Flags.boolean(
    "require-timestamp",
    "Refuse a delivery without --timestamp (by default a timestamp is checked when given, as deliveries come without one)."
  ),
  human: Flags.connection.human
}, {
  summary:
    "Verify a delivery: the raw body on stdin, its headers from flags; prints it decoded, exit 1 if a check fails.",
  description: [
    "Only --signature is required. Prints the event id and where it came from (event_id_source: header, body or",
    "digest), the timestamp, the body's created_at, the event type and its data."
  ],
  examples: [
    {
      what: "Check a captured delivery",
      command:
        "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... --timestamp 1767225600 --event-id evt_1 < body.json"
    },
    {
      what: "Check one that came with a plain signature header only",
      command: "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... < body.json"
    },
    {
      what: "Check an old capture (the default tolerance is 5 minutes)",
      command:
        "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... --timestamp 1767225600 --event-id evt_1 --timestamp-tolerance 90m < body.json"
    }
  ]
}, (flags) => Flags.lazy(() => import("./Verify.js"), (m) => m.run(flags)))

/**
 * `--header-style`: the two forms of a delivery's headers (test-utils' `FakeDelivery.HeaderStyle`).
 *
 * @since 0.4.0
 * @category flags
 */
export const headerStyle = Flags.choice(
  "header-style",
  ["documented", "legacy"],
  "documented (default: Heygen-Signature, Heygen-Timestamp, Heygen-Event-Id, as HeyGen's docs say) or legacy (a plain signature header only, no timestamp, the event id in the body only, as some production receivers get)."
)

/**
 * `sandbox trigger <event_type> [--data JSON] [--forward-to URL] [--secret-file F] [--header-style S]`
 *
 * @since 0.2.0
 * @category commands
 */
export const trigger = Flags.command("trigger", {
  eventType: Flags.eventTypeArg("event_type", "The event type, e.g. avatar_video.success."),
  data: Flags.eventData,
  forwardTo: Flags.forwardTo(
    "Where your receiver listens, e.g. http://127.0.0.1:3000/hooks/heygen. Without it the event is only logged, for webhook events listen --sandbox."
  ),
  secretFile: Flags.text(
    "secret-file",
    "FILE",
    "Also sign with this secret (your receiver's), as an endpoint subscribed to every event."
  ),
  headerStyle,
  human: Flags.connection.human
}, {
  summary:
    "Sign an event for each sandbox endpoint subscribed to it, log it, and deliver it to --forward-to (retrying on failure) if given.",
  examples: [
    {
      what: "Deliver to a receiver on your machine",
      command:
        `effect-heygen sandbox trigger avatar_video.success -d '{"video_id":"v1","url":"https://x"}' --forward-to http://127.0.0.1:3000/hooks/heygen --human`
    },
    {
      what: "Sign with your receiver's secret (no sandbox endpoint needed)",
      command:
        "effect-heygen sandbox trigger avatar_video.fail --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec"
    },
    {
      what: "Only log it, for webhook events listen --sandbox in another shell to forward",
      command: "effect-heygen sandbox trigger avatar_video.success --secret-file ./whsec"
    },
    {
      what: "Check that your receiver accepts the form production deliveries have been seen in",
      command:
        "effect-heygen sandbox trigger avatar_video.success --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec --header-style legacy"
    }
  ]
}, (flags) => Flags.lazy(() => import("./Trigger.js"), (m) => m.run(flags)))
