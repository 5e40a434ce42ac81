/**
 * The built-in sandbox: test-utils' fake HeyGen API served on 127.0.0.1, so the CLI can be tried end to end (real
 * HTTP, real retries, real idempotency) with no HeyGen account.
 *
 * This module pulls in an HTTP server and the fake; the commands load it with a dynamic `import()` only when
 * `--sandbox` or `sandbox serve` is used, so that `--help` and real creates do not pay for it.
 *
 * @since 0.1.0
 */
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as FakeServer from "@effect-heygen/test-utils/FakeServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as ExitCode from "./ExitCode.js"
import { CliError } from "./Failure.js"

/**
 * A running sandbox: where it listens and a key it accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sandbox {
  readonly baseUrl: string
  readonly apiKey: string
}

/**
 * Starts the fake API on `127.0.0.1:port` (0 picks a free port) for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (port: number): Effect.Effect<Sandbox, CliError, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(FakeServer.layer({ host: "127.0.0.1", port }))
    const server = Context.get(context, FakeServer.FakeServer)
    return { baseUrl: server.baseUrl, apiKey: FakeHeyGen.sandboxApiKey }
  }).pipe(
    Effect.mapError((error) =>
      new CliError({
        code: "cli_sandbox_failed",
        message: `the sandbox server could not start on 127.0.0.1:${port} (${
          error instanceof Error ? error.message : String(error)
        })`,
        hint: port === 0
          ? "check that loopback networking is available"
          : "choose another --port, or 0 for any free one",
        param: port === 0 ? undefined : "--port",
        exitCode: ExitCode.ApiOrNetwork
      })
    )
  )

/**
 * The key the sandbox accepts (a public test value, not a credential).
 *
 * @since 0.1.0
 * @category constants
 */
export const apiKey: string = FakeHeyGen.sandboxApiKey
