// The built-in sandbox: test-utils' fake HeyGen API served on 127.0.0.1 over the state file the `--sandbox` commands
// share (sandboxState.ts), so the CLI can be tried end to end (real HTTP, real retries, real idempotency) with no
// HeyGen account. The commands import this module lazily: the HTTP server and the fake are the CLI's heaviest parts.
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import { CliError } from "./failure.js"
import * as SandboxState from "./sandboxState.js"
import { codeOf } from "./secretOutput.js"

export interface Sandbox {
  readonly baseUrl: string
  readonly apiKey: string
}

// Serves `handle` on 127.0.0.1:port (0: any free one); a state it cannot use is a 503 with the CLI's error envelope.
const listen = (port: number, handle: (request: FakeHeyGen.Request) => Effect.Effect<FakeHeyGen.Reply, CliError>) =>
  Effect.gen(function*() {
    const server = yield* Effect.mapError(
      NodeHttpServer.make(() => Http.createServer(), { port, host: "127.0.0.1" }),
      (error) =>
        new CliError({
          code: "cli_sandbox_failed",
          message: `the sandbox server could not start on 127.0.0.1:${port} (${codeOf(error.cause)})`,
          hint: port === 0
            ? "check that loopback networking is available"
            : "choose another --port, or 0 for any free one",
          param: port === 0 ? undefined : "--port",
          exitCode: ExitCode.ApiOrNetwork
        })
    )
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const reply = yield* handle({ method: request.method, path: request.url, headers: request.headers, body })
      // The sandbox scripts no faults, so every reply is a whole response.
      if (reply._tag === "Drop") return HttpServerResponse.empty({ status: 500 })
      const { "content-type": contentType, ...headers } = reply.response.headers
      return HttpServerResponse.text(reply.response.body, {
        status: reply.response.status,
        headers,
        ...(contentType === undefined ? {} : { contentType })
      })
    }).pipe(Effect.catchTag("CliError", (e) => Effect.orDie(HttpServerResponse.json(e.envelope, { status: 503 }))))
    yield* server.serve(app)
    const baseUrl = `http://127.0.0.1:${server.address._tag === "TcpAddress" ? server.address.port : port}`
    return { baseUrl, apiKey: FakeHeyGen.sandboxApiKey } // a public test value, not a credential
  })

/** `sandbox serve`: each request loads the saved state, is handled, and saves it back (not reads), under its lock. */
export const serve = (port: number): Effect.Effect<Sandbox, CliError, Scope.Scope | Io> =>
  Effect.gen(function*() {
    const file = SandboxState.path((yield* Io).env)
    return yield* listen(port, (request) =>
      SandboxState.withFake(file, (fake) =>
        Effect.tap(fake.handle(request), () =>
          ["GET", "HEAD", "OPTIONS"].includes(request.method) ? Effect.void : SandboxState.saveFake(file, fake))))
  })

/** Runs `use` over the saved state, under its lock, and saves it after even a failure (it may have changed it). */
export const session = <A, E, R>(
  use: (sandbox: Sandbox) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | CliError, R | Io> =>
  Effect.gen(function*() {
    const file = SandboxState.path((yield* Io).env)
    return yield* SandboxState.withFake(file, (fake) =>
      Effect.scoped(Effect.gen(function*() {
        const running = yield* listen(0, fake.handle)
        const persist = SandboxState.saveFake(file, fake)
        // Interrupted (Ctrl-C, or a closed stdout ending a listing): keep what happened so far, quietly.
        const exit = yield* Effect.exit(Effect.onInterrupt(use(running), () => Effect.ignore(persist)))
        yield* persist
        return yield* exit
      })))
  })
