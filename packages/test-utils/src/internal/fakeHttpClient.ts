/**
 * The in-memory face of the fake: an `HttpClient` whose transport is a function call. Faults surface exactly as
 * a real socket would surface them to `@effect/platform`: a dropped connection is a `Transport` request error,
 * a body cut short fails when it is read.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as FakeHeyGen from "../FakeHeyGen.js"

const decoder = new TextDecoder()

const bodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed(body.body)
        : body.body instanceof Uint8Array
        ? Effect.succeed(decoder.decode(body.body))
        : Effect.fail(
          new HttpClientError.RequestError({ request, reason: "Encode", description: "unsupported raw body" })
        )
    case "Stream":
      return body.stream.pipe(
        Stream.decodeText(),
        Stream.mkString,
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
    case "FormData":
      return Effect.fail(
        new HttpClientError.RequestError({ request, reason: "Encode", description: "form data is not supported" })
      )
  }
}

const toWeb = (response: FakeHeyGen.Response, deliveredBytes?: number): Response => {
  if (deliveredBytes === undefined) {
    return new Response(response.body, { status: response.status, headers: response.headers })
  }
  const prefix = new TextEncoder().encode(response.body).slice(0, deliveredBytes)
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(prefix)
      controller.error(new Error("socket hang up: the connection closed before the body was complete"))
    }
  })
  return new Response(stream, { status: response.status, headers: response.headers })
}

export const make = (fake: FakeHeyGen.FakeHeyGen): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = yield* bodyText(request)
      const reply = yield* fake.handle({
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...request.headers },
        body
      })
      switch (reply._tag) {
        case "Drop":
          return yield* Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              description: "the connection was reset before a response arrived"
            })
          )
        case "Truncate":
          return HttpClientResponse.fromWeb(request, toWeb(reply.response, reply.deliveredBytes))
        case "Respond":
          return HttpClientResponse.fromWeb(request, toWeb(reply.response))
      }
    })
  )

export const layer = (fake: FakeHeyGen.FakeHeyGen): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(fake))
