/**
 * The fake HeyGen API behind a real HTTP server on a loopback address, for tests that must cross a socket (a CLI
 * run as a child process, `NodeHttpClient`, `fetch`) and for `effect-heygen sandbox serve`.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import * as FakeHeyGen from "./FakeHeyGen.js"

/**
 * A running fake server: where it listens and the model behind it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:<port>`: give it to `HeyGenClient` as `baseUrl` (loopback, so plain http is allowed). */
  readonly baseUrl: string
  readonly fake: FakeHeyGen.FakeHeyGen
}

/**
 * The shape of the service, under the name consumers read it by (`FakeServer.FakeServer`).
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeServer extends Service {}

/**
 * @since 0.1.0
 * @category tags
 */
export class FakeServer extends Context.Tag("@effect-heygen/test-utils/FakeServer")<FakeServer, Service>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default 0: the OS picks a free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  readonly fake?: FakeHeyGen.Options | undefined
}

const app = (fake: FakeHeyGen.FakeHeyGen) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const reply = yield* fake.handle({
      method: request.method,
      path: request.url,
      headers: { ...request.headers },
      body
    })
    if (reply._tag === "Respond") {
      const { "content-type": contentType, ...headers } = reply.response.headers
      return HttpServerResponse.text(reply.response.body, {
        status: reply.response.status,
        headers,
        ...(contentType === undefined ? {} : { contentType })
      })
    }
    // Faults below the HTTP layer: write to (or not) and destroy the socket ourselves. Destroying it closes the
    // response, which interrupts this fiber (the platform treats it as a client abort), so nothing else is sent.
    const nodeResponse = NodeHttpServerRequest.toServerResponse(request)
    if (reply._tag === "Drop") {
      nodeResponse.destroy()
    } else {
      const full = Buffer.from(reply.response.body, "utf8")
      nodeResponse.writeHead(reply.response.status, {
        ...reply.response.headers,
        "content-length": String(full.length)
      })
      nodeResponse.write(full.subarray(0, reply.deliveredBytes), () => nodeResponse.destroy())
    }
    return yield* Effect.never
  })

const baseUrlOf = (address: HttpServer.Address): string => {
  if (address._tag === "UnixAddress") return `http://unix:${address.path}`
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname
  return `http://${host}:${address.port}`
}

/**
 * Starts a fake (a new one, from `options.fake`) behind a server on `host:port` for the life of the layer.
 *
 * @example
 * ```ts
 * import { FakeServer } from "@effect-heygen/test-utils"
 * import { Effect } from "effect"
 *
 * // A real HTTP server on 127.0.0.1 (a free port) for the life of the layer, e.g. to drive the CLI end to end.
 * export const program = Effect.gen(function*() {
 *   const server = yield* FakeServer.FakeServer
 *   return server.baseUrl // http://127.0.0.1:<port>: pass it as HEYGEN_API_BASE or HeyGenClient's baseUrl
 * }).pipe(Effect.provide(FakeServer.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeServer, ServeError> =>
  Layer.scoped(
    FakeServer,
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make(options.fake)
      const server = yield* HttpServer.HttpServer
      yield* HttpServer.serveEffect(app(fake))
      return { baseUrl: baseUrlOf(server.address), fake }
    })
  ).pipe(
    Layer.provide(
      NodeHttpServer.layer(() => Http.createServer(), { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })
    )
  )
