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
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import type * as Failure from "./failure.js"
import { CliError } from "./failure.js"
import * as SandboxState from "./sandboxState.js"

/**
 * A running sandbox: where it listens and a key it accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sandbox {
  readonly baseUrl: string
  readonly apiKey: string
  /** The fake's whole state, JSON-serialisable, to save for the next command. */
  readonly snapshot: Effect.Effect<unknown>
}

const startFailed = (port: number) => (error: unknown) =>
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

/**
 * Starts the fake API on `127.0.0.1:port` (0 picks a free port) for the life of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  port: number,
  initialState?: FakeHeyGen.State
): Effect.Effect<Sandbox, CliError, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(FakeServer.layer({ host: "127.0.0.1", port, fake: fakeOptions(initialState) }))
    const server = Context.get(context, FakeServer.FakeServer)
    return { baseUrl: server.baseUrl, apiKey: FakeHeyGen.sandboxApiKey, snapshot: snapshotOf(server.fake) }
  }).pipe(Effect.mapError(startFailed(port)))

/** The fake with the state saved in `file` (a fresh one when there is none). */
const loadFake = (file: string) =>
  Effect.gen(function*() {
    const saved = yield* SandboxState.load(file)
    // The file parsed as JSON; whether it holds a fake's state is the fake's schema's to say.
    const state = Option.isNone(saved)
      ? undefined
      : yield* Effect.mapError(decodeState(saved.value), () => SandboxState.corrupt(file))
    return yield* FakeHeyGen.make(fakeOptions(state))
  })

/**
 * `sandbox serve`'s server: the fake API on `127.0.0.1:port` over the same saved state as the `--sandbox`
 * commands. Each request loads the state, is handled, and saves it back (reads save nothing), under the state
 * file's lock, so the server and the commands see one sandbox: what `sandbox trigger` logged is in the served
 * event log, an endpoint created through the server is in `list --sandbox`. A state that cannot be used is
 * answered 503 with the CLI's error envelope.
 *
 * @since 0.5.0
 * @category constructors
 */
export const serve = (port: number): Effect.Effect<Sandbox, CliError, Scope.Scope | Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const file = SandboxState.path(io.env)
    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const reply = yield* SandboxState.withLock(
        file,
        Effect.gen(function*() {
          const fake = yield* loadFake(file)
          const reply = yield* fake.handle({
            method: request.method,
            path: request.url,
            headers: request.headers,
            body
          })
          if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
            yield* SandboxState.save(file, yield* snapshotOf(fake))
          }
          return reply
        })
      )
      // The sandbox scripts no faults, so every reply is a whole response.
      if (reply._tag === "Drop") return HttpServerResponse.empty({ status: 500 })
      const { "content-type": contentType, ...headers } = reply.response.headers
      return HttpServerResponse.text(reply.response.body, {
        status: reply.response.status,
        headers,
        ...(contentType === undefined ? {} : { contentType })
      })
    }).pipe(
      Effect.catchTag(
        "CliError",
        (e) => HttpServerResponse.json(e.envelope, { status: 503 }).pipe(Effect.orDie)
      )
    )
    const context = yield* Effect.mapError(
      Layer.build(NodeHttpServer.layer(() => Http.createServer(), { port, host: "127.0.0.1" })),
      startFailed(port)
    )
    yield* HttpServer.serveEffect(app).pipe(Effect.provide(context))
    const address = Context.get(context, HttpServer.HttpServer).address
    const baseUrl = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : `http://127.0.0.1:${port}`
    return { baseUrl, apiKey: FakeHeyGen.sandboxApiKey, snapshot: Effect.void }
  })

/**
 * The key the sandbox accepts (a public test value, not a credential).
 *
 * @since 0.1.0
 * @category constants
 */
export const apiKey: string = FakeHeyGen.sandboxApiKey

const fakeOptions = (initialState: FakeHeyGen.State | undefined): FakeHeyGen.Options =>
  initialState === undefined ? {} : { initialState }
const snapshotOf = (fake: FakeHeyGen.FakeHeyGen): Effect.Effect<unknown> =>
  Effect.map(fake.snapshot, Schema.encodeSync(FakeHeyGen.State))

const decodeState = Schema.decodeUnknown(FakeHeyGen.State)

/**
 * Runs `use` against a sandbox that starts from the saved state and saves its state afterwards, whether `use`
 * succeeded or not (a failed command may still have changed something, as against HeyGen), all under the state
 * file's lock.
 *
 * @since 0.2.0
 * @category running
 */
export const session = <A, E, R>(
  use: (sandbox: Sandbox) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | Failure.CliError, R | Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const file = SandboxState.path(io.env)
    return yield* SandboxState.withLock(
      file,
      Effect.scoped(Effect.gen(function*() {
        const saved = yield* SandboxState.load(file)
        // The file parsed as JSON; whether it holds a fake's state is the fake's schema's to say.
        const state = Option.isNone(saved)
          ? undefined
          : yield* Effect.mapError(decodeState(saved.value), () => SandboxState.corrupt(file))
        const running = yield* Effect.mapError(
          start(0, state),
          (e) => e
        )
        const persist = Effect.flatMap(running.snapshot, (state) => SandboxState.save(file, state))
        // Interrupted (Ctrl-C, or a closed stdout ending a listing): keep what happened so far, quietly.
        const exit = yield* Effect.exit(Effect.onInterrupt(use(running), () => Effect.ignore(persist)))
        yield* persist
        return yield* exit
      }))
    )
  })
