/**
 * `effect-heygen sandbox ...`: the built-in fake HeyGen API. Handlers load only when a command runs.
 *
 * @since 0.2.0
 */
import * as Flags from "./Flags.js"
import * as ReceiveCommands from "./ReceiveCommands.js"

const serve = Flags.command("serve", {
  port: Flags.integer("port", 0, 65535, "The port on 127.0.0.1 (default 0: any free port)."),
  human: Flags.connection.human
}, {
  summary:
    "Run the fake HeyGen API on 127.0.0.1 until Ctrl-C, over the state the --sandbox commands keep; prints its base URL and an API key.",
  examples: [
    { what: "Serve on a fixed port", command: "effect-heygen sandbox serve --port 8787 --human" },
    {
      what: "Then, from another shell",
      command: "HEYGEN_API_BASE=http://127.0.0.1:8787 HEYGEN_API_KEY=KEY effect-heygen webhook endpoints list"
    }
  ]
}, (flags) => Flags.lazy(() => import("./Serve.js"), (m) => m.run(flags)))

const reset = Flags.command("reset", { human: Flags.connection.human }, {
  summary: "Empty the state --sandbox keeps between commands (endpoints, secrets, events).",
  examples: [
    { what: "Start over", command: "effect-heygen sandbox reset" },
    {
      what: "Use another state file (tests do)",
      command: "EFFECT_HEYGEN_SANDBOX_STATE=/tmp/state.json effect-heygen sandbox reset"
    }
  ]
}, (flags) => Flags.lazy(() => import("./SandboxState.js"), (m) => m.reset(flags)))

/**
 * `sandbox`.
 *
 * @since 0.2.0
 * @category commands
 */
export const group = Flags.group("sandbox", {
  summary: "A local fake of the HeyGen API, for trying the CLI and for tests.",
  description: [
    "Commands run with --sandbox share one state, kept in $EFFECT_HEYGEN_SANDBOX_STATE, else",
    "$XDG_CACHE_HOME/effect-heygen/sandbox.json (default ~/.cache/effect-heygen/sandbox.json)."
  ],
  examples: [
    { what: "Create, then list, in the sandbox", command: "effect-heygen webhook endpoints list --sandbox --human" },
    { what: "Start over", command: "effect-heygen sandbox reset" }
  ]
}, [serve, reset, ReceiveCommands.trigger])
