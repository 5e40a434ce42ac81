// The command tree of `effect-heygen`:
//   effect-heygen webhook endpoints create|list|update|delete|rotate-secret
//   effect-heygen webhook event-types list
//   effect-heygen webhook events list|replay|listen
//   effect-heygen webhook verify
//   effect-heygen sandbox serve|reset|trigger
// Each group is defined in its own module (flags, help, examples, handlers); this one joins them into one
// `@effect/cli` tree, which parses, and from which `help.ts` renders help and `completions.ts` the scripts.
import * as Endpoints from "./endpoints.js"
import * as Events from "./events.js"
import * as Flags from "./flags.js"
import * as SandboxCommands from "./sandboxCommands.js"
import * as Verify from "./verify.js"

const webhook = Flags.group("webhook", {
  summary: "Webhook endpoints, event types and the event log.",
  examples: [
    ["List your endpoints as a table", "effect-heygen webhook endpoints list --human"],
    ["See which event types exist", "effect-heygen webhook event-types list --human"]
  ]
}, [Endpoints.group, Events.eventTypes, Events.events, Verify.command])

/** The root command, for `@effect/cli`. */
export const root = Flags.group("effect-heygen", {
  summary: "A command line for HeyGen's webhooks API, built on Effect.",
  description: [
    "Output is JSON on stdout (--human for people); on failure, one JSON line on stderr.",
    "Exit codes: 0 ok, 1 API or network error, 2 usage or invalid input, 3 authentication or permission, 4 timeout."
  ],
  examples: [
    [
      "Try it with no HeyGen account (the built-in fake API)",
      "effect-heygen webhook endpoints create --sandbox --url https://example.com/hooks/heygen --human"
    ],
    [
      "Register an endpoint for two events, the secret kept in a 0600 file",
      "effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --events avatar_video.success,avatar_video.fail --secret-file ./whsec"
    ],
    ["Every endpoint, one JSON object per line", "effect-heygen webhook endpoints list --all | jq .url"]
  ]
}, [webhook, SandboxCommands.group])
