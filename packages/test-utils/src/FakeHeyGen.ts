/**
 * A faithful in-memory model of HeyGen's Create Webhook Endpoint (`POST /v3/webhooks/endpoints`): accounts keyed
 * by API key, conflicts on a URL already registered, 24-hour idempotent replay, `request_in_progress`, rate limits
 * with `Retry-After`, and scripted faults. Time is the Effect `Clock`, so `TestClock` drives windows and delays.
 *
 * One model, two faces: `layerHttpClient` (in memory, no sockets) and `FakeServer.layer` (a real loopback server).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Fault from "./Fault.js"
import * as internal from "./internal/fakeHeyGen.js"
import * as internalClient from "./internal/fakeHttpClient.js"

/**
 * The API key a default fake accepts, so a sandbox works with no set-up.
 *
 * @since 0.1.0
 * @category constants
 */
export const sandboxApiKey: string = internal.sandboxApiKey

/**
 * The only route the fake implements; any other answers 404 `not_found`.
 *
 * @since 0.1.0
 * @category constants
 */
export const createPath: string = internal.createPath

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** One account per key; each is accepted as `x-api-key: K` or `Authorization: Bearer K`. Default `[sandboxApiKey]`. */
  readonly apiKeys?: ReadonlyArray<string>
  /** At most `limit` requests per account in any sliding `window`; beyond that, 429 with an integer Retry-After. */
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput } | undefined
  /** Faults for the first requests received, in order (see `Fault.FaultPlan`). More can be queued later. */
  readonly faults?: Fault.FaultPlan | undefined
  /** How long the API takes to process a request, its idempotency key in flight meanwhile (default 0). */
  readonly latency?: Duration.DurationInput | undefined
  /** How long an idempotency key replays its original response (default 24 hours, as the spec says). */
  readonly idempotencyWindow?: Duration.DurationInput | undefined
}

/**
 * A request as the model sees it: transport-neutral, header names in lower case.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  /** The path, with any query string. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A response as the API produced it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * What a face must do with a request: send a response, send its first `deliveredBytes` bytes and then cut the
 * connection, or cut the connection before any byte.
 *
 * @since 0.1.0
 * @category models
 */
export type Reply =
  | { readonly _tag: "Respond"; readonly response: Response }
  | { readonly _tag: "Truncate"; readonly response: Response; readonly deliveredBytes: number }
  | { readonly _tag: "Drop" }

/**
 * One request received and what became of it, for assertions.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exchange {
  /** 0, 1, 2, ... in order of arrival. */
  readonly seq: number
  readonly request: Request
  /** Clock time (ms) the request arrived. */
  readonly receivedAt: number
  readonly fault: Fault.Fault | null
  /** The account the credentials named, if any. */
  readonly account: string | null
  /** The reply, once the API has finished with the request (`null` while in flight). */
  readonly reply: Reply | null
  /** Clock time (ms) the reply went out. */
  readonly repliedAt: number | null
  /** Whether this request was answered from the idempotency store. */
  readonly replayed: boolean
}

/**
 * An endpoint the fake stores.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredEndpoint {
  readonly account: string
  readonly endpoint_id: string
  readonly url: string
  readonly events: ReadonlyArray<string> | null
  readonly entity_id: string | null
  readonly status: string
  readonly created_at: string
  readonly secret: string
  /** The Idempotency-Key of the request that created it, if it had one. */
  readonly idempotencyKey: string | null
  /** The `seq` of the exchange that created it. */
  readonly createdBy: number
}

/**
 * The fake: handle requests, read what it received and stored, script faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeHeyGen {
  readonly options: Options
  /**
   * Runs one request through the model. The processing runs in its own fiber: interrupting the caller (a client
   * timeout, a closed socket) abandons the reply but not the work, as on a real server.
   */
  readonly handle: (request: Request) => Effect.Effect<Reply>
  /** Every request received so far, in order of arrival. */
  readonly exchanges: Effect.Effect<ReadonlyArray<Exchange>>
  /** The requests received so far (`exchanges` without the outcomes). */
  readonly requests: Effect.Effect<ReadonlyArray<Request>>
  /** Every endpoint stored, in order of creation (optionally those of one account). */
  readonly endpoints: (account?: string) => Effect.Effect<ReadonlyArray<StoredEndpoint>>
  /** Appends faults to the plan: they apply to the next requests not yet covered by the plan. */
  readonly enqueueFaults: (faults: Fault.FaultPlan) => Effect.Effect<void>
  /** Drops whatever is left of the fault plan. */
  readonly clearFaults: Effect.Effect<void>
  /** Adds an account. */
  readonly addApiKey: (apiKey: string) => Effect.Effect<void>
}

/**
 * A fresh fake with no endpoints.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<FakeHeyGen> = internal.make

/**
 * An `HttpClient` that sends every request to `fake`, in memory. Dropped connections fail with a `Transport`
 * `RequestError`; truncated bodies fail when the body is read, as they would over a socket.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient: (fake: FakeHeyGen) => HttpClient.HttpClient = internalClient.make

/**
 * `httpClient` as a layer.
 *
 * @example
 * ```ts
 * import { FakeHeyGen } from "@effect-heygen/test-utils"
 * import { HeyGenClient, WebhookEndpoints } from "@effect-heygen/core"
 * import { Effect, Layer } from "effect"
 *
 * // A create against the in-memory fake, then a look at what the fake stored.
 * export const program = Effect.gen(function*() {
 *   const fake = yield* FakeHeyGen.make()
 *   const client = HeyGenClient.layer({ apiKey: FakeHeyGen.sandboxApiKey }).pipe(
 *     Layer.provide(FakeHeyGen.layerHttpClient(fake))
 *   )
 *   const { endpoint } = yield* WebhookEndpoints.create({ url: "https://example.com/hooks" }).pipe(
 *     Effect.provide(client)
 *   )
 *   const stored = yield* fake.endpoints()
 *   return stored.length === 1 && stored[0]?.endpoint_id === endpoint.endpoint_id
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: (fake: FakeHeyGen) => Layer.Layer<HttpClient.HttpClient> = internalClient.layer
