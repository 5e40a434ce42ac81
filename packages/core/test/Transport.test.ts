/**
 * `TransportError` says what happened (issue 13): a short reason, the scrubbed cause chain, the method and the URL.
 * Real failures on 127.0.0.1 through both of the platform's clients (undici and fetch), and a consumer's client whose
 * error messages quote the key.
 */
import type { HeyGenError } from "@effect-heygen/core"
import { HeyGenClient, RetryPolicy, WebhookEndpoints } from "@effect-heygen/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as net from "node:net"
import { inspect } from "node:util"
import { clientLayer, makeFake, runToEnd, validRequest } from "./fixtures.js"

const key = "hg_transport_key_0123456789"

const transportErrorOf = (exit: Exit.Exit<unknown, HeyGenError.HeyGenError>): HeyGenError.TransportError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || failure.value._tag !== "TransportError") {
    throw new Error(`expected a TransportError, got ${Cause.pretty(exit.cause)}`)
  }
  return failure.value
}

/** The codes along an error's cause chain. */
const codes = (error: unknown): Array<string> => {
  const out: Array<string> = []
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === "string") out.push(code)
  }
  return out
}

/** A TCP server on 127.0.0.1 that does `onConnection` to each socket; closed with the scope. */
const tcpServer = (onConnection: (socket: net.Socket) => void) =>
  Effect.acquireRelease(
    Effect.async<net.Server>((resume) => {
      const server = net.createServer(onConnection)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  ).pipe(Effect.map((server) => (server.address() as net.AddressInfo).port))

/** A port nothing listens on: bound, then closed. */
const closedPort = Effect.scoped(tcpServer(() => {}))

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["undici", NodeHttpClient.layerUndici],
  ["fetch", FetchHttpClient.layer]
]

const createAt = (baseUrl: string, http: Layer.Layer<HttpClient.HttpClient>) =>
  WebhookEndpoints.create(validRequest, { retryPolicy: RetryPolicy.never }).pipe(
    Effect.provide(HeyGenClient.layer({ apiKey: key, baseUrl }).pipe(Layer.provide(http), Layer.orDie)),
    Effect.exit
  )

const expectNoKey = (error: HeyGenError.TransportError) => {
  for (const shown of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), String(error.cause)]) {
    expect(shown).not.toContain(key)
  }
}

describe("TransportError on real loopback failures", () => {
  for (const [name, http] of clients) {
    it.scoped(`${name}: a closed port is "connection refused", with the method, the URL and the ECONNREFUSED cause`, () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const error = transportErrorOf(yield* createAt(`http://127.0.0.1:${port}`, http))
        expect(error.reason).toBe("connection refused")
        expect(error.method).toBe("POST")
        expect(error.url).toBe(`http://127.0.0.1:${port}/v3/webhooks/endpoints`)
        expect(error.message).toMatch(/^connection refused: POST http:\/\/127\.0\.0\.1:\d+\/v3\/webhooks\/endpoints/)
        expect(codes(error.cause)).toContain("ECONNREFUSED")
        expectNoKey(error)
      }))

    it.scoped(`${name}: a server that resets the connection is "connection reset"`, () =>
      Effect.gen(function*() {
        const port = yield* tcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()))
        const error = transportErrorOf(yield* createAt(`http://127.0.0.1:${port}`, http))
        expect(error.reason).toBe("connection reset")
        expect(error.cause).toBeInstanceOf(Error)
        expectNoKey(error)
      }))

    it.scoped(`${name}: https to a server that does not speak TLS is "TLS"`, () =>
      Effect.gen(function*() {
        const port = yield* tcpServer((socket) =>
          socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"))
        )
        const error = transportErrorOf(yield* createAt(`https://127.0.0.1:${port}`, http))
        expect(error.reason).toBe("TLS")
        expectNoKey(error)
      }))
  }
})

const failingWith = (cause: unknown) => makeFake([{ _tag: "ConnectionError", cause }])

const nodeError = (message: string, code: string | undefined) =>
  Object.assign(new Error(message), code === undefined ? {} : { code })

describe("TransportError from a consumer's HttpClient", () => {
  const reasons: ReadonlyArray<readonly [string, HeyGenError.TransportReason]> = [
    ["ECONNREFUSED", "connection refused"],
    ["ECONNRESET", "connection reset"],
    ["UND_ERR_SOCKET", "connection reset"],
    ["ENOTFOUND", "DNS lookup failed"],
    ["EAI_AGAIN", "DNS lookup failed"],
    ["EHOSTUNREACH", "host unreachable"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "TLS"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "TLS"],
    ["ERR_INVALID_CHAR", "invalid header"],
    ["UND_ERR_INVALID_ARG", "invalid header"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["ETIMEDOUT", "timeout"],
    ["EWHATEVER", "connection failed"]
  ]

  it.effect.prop(
    "for any code at any depth of the cause chain, and a message that quotes the key: the reason from the code, nothing of the key",
    [FastCheck.constantFrom(...reasons), FastCheck.integer({ min: 0, max: 3 }), FastCheck.boolean()],
    ([[code, reason], depth, aggregate]) =>
      Effect.gen(function*() {
        // The innermost error has the code; every link quotes the key, as a logging proxy client might.
        let cause: unknown = nodeError(`connect failed (x-api-key: ${key})`, code)
        if (aggregate) cause = new AggregateError([cause], `all attempts failed for ${key}`)
        for (let i = 0; i < depth; i++) cause = new TypeError(`fetch failed: headers {"x-api-key":"${key}"}`, { cause })
        const fake = failingWith(cause)
        const exit = yield* runToEnd(
          WebhookEndpoints.create(validRequest, { retryPolicy: RetryPolicy.never }).pipe(
            Effect.provide(clientLayer(fake, { apiKey: key }))
          )
        )
        const error = transportErrorOf(exit)
        expect(error.reason).toBe(reason)
        expect(error.url).toBe("https://api.heygen.test/v3/webhooks/endpoints")
        expect(codes(error.cause)).toEqual([code])
        expect(String(error.cause)).toContain("<redacted>")
        expectNoKey(error)
      })
  )

  it.effect("a ByteString TypeError (fetch's refusal of a header value) is an invalid header", () =>
    Effect.gen(function*() {
      const fake = failingWith(
        new TypeError(
          `Cannot convert argument to a ByteString because the character at index 3 has a value of 8364 which is greater than 255.`
        )
      )
      const exit = yield* runToEnd(
        WebhookEndpoints.create(validRequest, { retryPolicy: RetryPolicy.never }).pipe(
          Effect.provide(clientLayer(fake, { apiKey: key }))
        )
      )
      expect(transportErrorOf(exit).reason).toBe("invalid header")
    }))

  it.effect("a body cut off part-way by the peer (\"socket hang up\") is \"connection reset\"", () =>
    Effect.gen(function*() {
      const fake = makeFake([{ _tag: "BrokenBody", status: 200, partial: "{\"data\":" }])
      const exit = yield* runToEnd(
        WebhookEndpoints.create(validRequest, { retryPolicy: RetryPolicy.never }).pipe(
          Effect.provide(clientLayer(fake, { apiKey: key }))
        )
      )
      expect(transportErrorOf(exit).reason).toBe("connection reset")
    }))
})
