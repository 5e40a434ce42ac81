// `sandbox serve`: the fake HeyGen API on 127.0.0.1 until Ctrl-C, over the state the --sandbox commands keep (see
// `Sandbox.serve`). It waits on `Io.awaitShutdown` rather than being interrupted, so that Ctrl-C closes the server
// through its scope (connections ended, port released) and the command exits 0.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Io } from "../Io.js"
import type * as Failure from "./failure.js"

export const run = (
  flags: { readonly port: Option.Option<number>; readonly human: boolean }
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.scoped(Effect.gen(function*() {
    const io = yield* Io
    // Loaded on first use: the server and the fake are the heaviest parts of the CLI.
    const Sandbox = yield* Effect.promise(() => import("./sandbox.js"))
    const { apiKey, baseUrl } = yield* Sandbox.serve(Option.getOrElse(flags.port, () => 0))
    io.stdout(
      flags.human
        ? [
          `Fake HeyGen API listening on ${baseUrl}`,
          `API key: ${apiKey}`,
          "",
          "Try it from another shell:",
          `  HEYGEN_API_BASE=${baseUrl} HEYGEN_API_KEY=${apiKey} \\`,
          "    effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --human",
          "",
          "Press Ctrl-C to stop.",
          ""
        ].join("\n")
        : `${JSON.stringify({ base_url: baseUrl, api_key: apiKey })}\n`
    )
    yield* io.awaitShutdown
  }))
