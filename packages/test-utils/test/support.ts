// Shared helpers of test-utils' own tests: raw requests through the in-memory face, and a clock driver.
import { FakeHeyGen } from "@effect-heygen/test-utils"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"

export interface Sent {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: unknown
}

export const send = (
  fake: FakeHeyGen.FakeHeyGen,
  init: {
    readonly headers?: Record<string, string>
    readonly body?: unknown
    readonly rawBody?: string
    readonly path?: string
    readonly method?: "POST" | "GET" | "PATCH" | "DELETE" | "PUT"
  } = {}
) =>
  Effect.gen(function*() {
    const request = HttpClientRequest.make(init.method ?? "POST")(
      `https://api.heygen.com${init.path ?? FakeHeyGen.createPath}`
    ).pipe(
      HttpClientRequest.setHeaders(init.headers ?? { "x-api-key": FakeHeyGen.sandboxApiKey }),
      HttpClientRequest.bodyText(init.rawBody ?? JSON.stringify(init.body ?? {}), "application/json")
    )
    const response = yield* FakeHeyGen.httpClient(fake).execute(request)
    const text = yield* response.text
    let json: unknown = undefined
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json } satisfies Sent
  })

export const auth = (key: string = FakeHeyGen.sandboxApiKey, extra: Record<string, string> = {}) => ({
  "x-api-key": key,
  ...extra
})

/**
 * Runs forked fibers to completion under TestClock by jumping the clock to the next pending sleep each time
 * every fiber is blocked, so waits are exact (a coarse step would hide a request sent too early).
 */
export const drive = <A, E>(fibers: ReadonlyArray<Fiber.RuntimeFiber<A, E>>) =>
  Effect.gen(function*() {
    for (let idle = 0;;) {
      yield* Effect.yieldNow()
      const polls = yield* Effect.forEach(fibers, Fiber.poll)
      if (polls.every(Option.isSome)) return
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isEmpty(sleeps)) {
        // Fibers still runnable (not yet asleep): let them run a bit more before concluding they are stuck.
        if (++idle > 1_000) return yield* Effect.dieMessage("fibers blocked with no pending sleep")
        continue
      }
      idle = 0
      const now = yield* TestClock.currentTimeMillis
      yield* TestClock.adjust(Math.max(0, Math.min(...Chunk.toReadonlyArray(sleeps)) - now))
    }
  })
