// `effect-heygen sandbox serve|reset|trigger`: the built-in fake HeyGen API and deliveries from it, with each
// command's flags, help and examples. The server, the state file and the delivery engine load only when a command
// runs: they are the heaviest parts of the CLI.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Io } from "../Io.js"
import * as Flags from "./flags.js"
import * as Output from "./output.js"

const serve = Flags.command("serve", {
  port: Flags.integer("port", 0, 65535, "The port on 127.0.0.1 (default 0: any free port)."),
  human: Flags.connection.human
}, {
  summary:
    "Run the fake HeyGen API on 127.0.0.1 until Ctrl-C, over the state the --sandbox commands keep; prints its base URL and an API key.",
  examples: [
    ["Serve on a fixed port", "effect-heygen sandbox serve --port 8787 --human"],
    [
      "Then, from another shell",
      "HEYGEN_API_BASE=http://127.0.0.1:8787 HEYGEN_API_KEY=KEY effect-heygen webhook endpoints list"
    ]
  ]
}, (flags) =>
  // It waits on `Io.awaitShutdown` rather than being interrupted, so that Ctrl-C closes the server through its scope
  // (connections ended, port released) and the command exits 0.
  Flags.lazy(() => import("./sandbox.js"), (Sandbox) =>
    Effect.scoped(Effect.gen(function*() {
      const { apiKey, baseUrl } = yield* Sandbox.serve(Option.getOrElse(flags.port, () => 0))
      yield* flags.human
        ? Output.text([
          `Fake HeyGen API listening on ${baseUrl}`,
          `API key: ${apiKey}`,
          "",
          "Try it from another shell:",
          `  HEYGEN_API_BASE=${baseUrl} HEYGEN_API_KEY=${apiKey} \\`,
          "    effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --human",
          "",
          "Press Ctrl-C to stop."
        ].join("\n"))
        : Output.json({ base_url: baseUrl, api_key: apiKey })
      yield* Effect.flatMap(Io, (io) => io.awaitShutdown)
    }))))

const reset = Flags.command("reset", { human: Flags.connection.human }, {
  summary: "Empty the state --sandbox keeps between commands (endpoints, secrets, events).",
  examples: [
    ["Start over", "effect-heygen sandbox reset"],
    ["Use another state file (tests do)", "EFFECT_HEYGEN_SANDBOX_STATE=/tmp/state.json effect-heygen sandbox reset"]
  ]
}, (flags) => Flags.lazy(() => import("./sandboxState.js"), (m) => m.reset(flags)))

/** `--header-style`: the two forms of a delivery's headers (test-utils' `FakeDelivery.HeaderStyle`). */
const headerStyle = Flags.choice(
  "header-style",
  ["documented", "legacy"],
  "documented (default: Heygen-Signature, Heygen-Timestamp, Heygen-Event-Id, as HeyGen's docs say) or legacy (a plain signature header only, no timestamp, the event id in the body only, as some production receivers get)."
)

/** `sandbox trigger <event_type> [--data JSON] [--forward-to URL] [--secret-file F] [--header-style S]` */
export const triggerInputs = {
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
}

const trigger = Flags.command("trigger", triggerInputs, {
  summary:
    "Sign an event for each sandbox endpoint subscribed to it, log it, and deliver it to --forward-to (retrying on failure) if given.",
  examples: [
    [
      "Deliver to a receiver on your machine",
      `effect-heygen sandbox trigger avatar_video.success -d '{"video_id":"v1","url":"https://x"}' --forward-to http://127.0.0.1:3000/hooks/heygen --human`
    ],
    [
      "Sign with your receiver's secret (no sandbox endpoint needed) and only log it, for listen --sandbox",
      "effect-heygen sandbox trigger avatar_video.success --secret-file ./whsec"
    ],
    [
      "Check that your receiver accepts the form production deliveries have been seen in",
      "effect-heygen sandbox trigger avatar_video.success --forward-to http://127.0.0.1:3000/hooks/heygen --secret-file ./whsec --header-style legacy"
    ]
  ]
}, (flags) => Flags.lazy(() => import("./trigger.js"), (m) => m.run(flags)))

/** `sandbox`. */
export const group = Flags.group("sandbox", {
  summary: "A local fake of the HeyGen API, for trying the CLI and for tests.",
  description: [
    "Commands run with --sandbox share one state, kept in $EFFECT_HEYGEN_SANDBOX_STATE, else",
    "$XDG_CACHE_HOME/effect-heygen/sandbox.json (default ~/.cache/effect-heygen/sandbox.json)."
  ],
  examples: [
    ["Create, then list, in the sandbox", "effect-heygen webhook endpoints list --sandbox --human"],
    ["Start over", "effect-heygen sandbox reset"]
  ]
}, [serve, reset, trigger])
