import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** @internal */
export class BodyTooLarge {
  readonly _tag = "BodyTooLarge"
}

const DIGITS = /^\d+$/

/**
 * Whether a `Content-Length` header declares more than `maxBytes` (a malformed one declares nothing: the read
 * that follows is bounded anyway).
 *
 * @internal
 */
export const declaresMoreThan = (declared: string | undefined, maxBytes: number): boolean =>
  declared !== undefined && DIGITS.test(declared) && Number(declared) > maxBytes

/**
 * Reads a request body, refusing it as soon as it is known to exceed `maxBytes`: at once when `Content-Length`
 * says so (not a byte read); without a declared length (chunked), when the running total of a streamed read
 * passes the limit (at most `maxBytes` plus one chunk held). The pull is opened in the request's scope rather than a scope of its own: closing it destroys
 * Node's request, and with it the socket, so it must happen after the 413 has been written, not before.
 *
 * @internal
 */
export const readBounded = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Uint8Array, BodyTooLarge | HttpServerError.RequestError, Scope.Scope> => {
  const declared = request.headers["content-length"]
  if (declared !== undefined && DIGITS.test(declared)) {
    if (Number(declared) > maxBytes) return Effect.fail(new BodyTooLarge())
    // A declared length within the limit bounds the body already: the HTTP parser stops there. Reading it in
    // one go is several times cheaper than pulling a stream (HeyGen, like most clients, declares the length).
    // Plain combinators rather than a generator: this runs once per delivery.
    return Effect.map(
      HttpIncomingMessage.withMaxBodySize(request.arrayBuffer, Option.some(FileSystem.Size(maxBytes))),
      toBytes
    )
  }
  return readStreamed(request, maxBytes)
}

// Node's body is a Buffer already: viewing it costs nothing, copying it (`new Uint8Array(buffer)`) a copy.
const toBytes = (buffer: ArrayBuffer | Uint8Array): Uint8Array =>
  buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer)

const readStreamed = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Uint8Array, BodyTooLarge | HttpServerError.RequestError, Scope.Scope> =>
  Effect.gen(function*() {
    const pull = yield* Stream.toPull(request.stream)
    const parts: Array<Uint8Array> = []
    let size = 0
    while (true) {
      const next = yield* pull.pipe(
        Effect.map(Option.some),
        // A pull fails with None at the end of the stream and with Some(error) on an error.
        Effect.catchAll((e) => Option.isNone(e) ? Effect.succeed(Option.none()) : Effect.fail(e.value))
      )
      if (Option.isNone(next)) break
      for (const part of Chunk.toReadonlyArray(next.value)) {
        size += part.byteLength
        if (size > maxBytes) return yield* Effect.fail(new BodyTooLarge())
        parts.push(part)
      }
    }
    if (parts.length === 1) return parts[0]!
    const body = new Uint8Array(size)
    let offset = 0
    for (const part of parts) {
      body.set(part, offset)
      offset += part.byteLength
    }
    return body
  })
