// `sandbox serve`: the fake HeyGen API on 127.0.0.1 until Ctrl-C, over the state the --sandbox commands keep (see
// `Sandbox.serve`). It waits on `Io.awaitShutdown` rather than being interrupted, so that Ctrl-C closes the server
// through its scope (connections ended, port released) and the command exits 0.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Io } from "../Io.js"
import * as Output from "./output.js"

export const run = (flags: { readonly port: Option.Option<number>; readonly human: boolean }) =>
  Effect.scoped(Effect.gen(function*() {
    // Loaded on first use: the server and the fake are the heaviest parts of the CLI.
    const Sandbox = yield* Effect.promise(() => import("./sandbox.js"))
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
  }))
