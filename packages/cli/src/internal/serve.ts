/**
 * `sandbox serve`: runs the fake HeyGen API on 127.0.0.1 until Ctrl-C, over the state the `--sandbox` commands
 * keep (see `Sandbox.serve`), so that what they did is what it serves and the other way round.
 *
 * It waits on `Io.awaitShutdown` rather than being interrupted, so that Ctrl-C closes the server through its
 * scope (open connections ended, port released) and the command exits 0.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Io } from "../Io.js"
import type * as Failure from "./failure.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const run = (
  flags: { readonly port: Option.Option<number>; readonly human: boolean }
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.scoped(Effect.gen(function*() {
    const io = yield* Io
    const port = Option.getOrElse(flags.port, () => 0)
    // Loaded on first use: the server and the fake are the heaviest parts of the CLI.
    const Sandbox = yield* Effect.promise(() => import("./sandbox.js"))
    const running = yield* Effect.mapError(
      Sandbox.serve(port),
      (e) => e
    )
    io.stdout(
      flags.human
        ? [
          `Fake HeyGen API listening on ${running.baseUrl}`,
          `API key: ${running.apiKey}`,
          "",
          "Try it from another shell:",
          `  HEYGEN_API_BASE=${running.baseUrl} HEYGEN_API_KEY=${running.apiKey} \\`,
          "    effect-heygen webhook endpoints create --url https://example.com/hooks/heygen --human",
          "",
          "Press Ctrl-C to stop.",
          ""
        ].join("\n")
        : `${JSON.stringify({ base_url: running.baseUrl, api_key: running.apiKey })}\n`
    )
    yield* io.awaitShutdown
  }))
