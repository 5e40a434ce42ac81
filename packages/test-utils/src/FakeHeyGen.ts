/**
 * A faithful in-memory model of HeyGen's v3 webhooks API: endpoints (create, list, update, delete, rotate-secret),
 * the event types and an event log per account. Accounts are keyed by API key; URL conflicts, 404 `not_found`,
 * 24-hour idempotent replay scoped per route and path parameter, `request_in_progress`, rate limits with
 * `Retry-After`, and scripted faults on every route. Time is the Effect `Clock`, so `TestClock` drives windows
 * and delays.
 *
 * Lists (endpoints and events) are oldest first, in creation order, with opaque `next_token` cursors: an item
 * created while a client pages through appears on a later page, and one deleted meanwhile never makes a page skip
 * or repeat another. The event log can be listed newest first instead (`Options.eventOrder`), as HeyGen may.
 *
 * One model, two faces: `layerHttpClient` (in memory, no sockets) and `FakeServer.layer` (a real loopback server).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as FakeDelivery from "./FakeDelivery.js"
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
 * The path of Create Webhook Endpoint (`POST`) and List Webhook Endpoints (`GET`). A path the fake does not
 * implement answers 404 `not_found`; a known path under another method, 405.
 *
 * @since 0.1.0
 * @category constants
 */
export const createPath: string = internal.createPath

/**
 * `GET` lists endpoints, `POST` creates one (the same path as `createPath`).
 *
 * @since 0.2.0
 * @category constants
 */
export const endpointsPath: string = internal.createPath

/**
 * The path of one endpoint (`PATCH` updates it, `DELETE` deletes it), its id percent-encoded.
 *
 * @since 0.2.0
 * @category constants
 */
export const endpointPath = (endpointId: string): string => `${internal.createPath}/${encodeURIComponent(endpointId)}`

/**
 * The path of Rotate Webhook Secret (`POST`) for one endpoint.
 *
 * @since 0.2.0
 * @category constants
 */
export const rotateSecretPath = (endpointId: string): string => `${endpointPath(endpointId)}/rotate-secret`

/**
 * `GET` lists every event type with its description, in one page.
 *
 * @since 0.2.0
 * @category constants
 */
export const eventTypesPath: string = "/v3/webhooks/event-types"

/**
 * `GET` lists the account's event log (`event_type`, `entity_id`, `limit`, `token`).
 *
 * @since 0.2.0
 * @category constants
 */
export const eventsPath: string = "/v3/webhooks/events"

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
  /**
   * What the fake holds at start, from an earlier `snapshot` (for a sandbox that outlives one process). Accounts
   * still come from `apiKeys`: a snapshot's endpoints of an account not listed there are kept but unreachable.
   *
   * @since 0.2.0
   */
  readonly initialState?: State | undefined
  /**
   * Whether to keep every request and reply for `exchanges` (default true). Turn it off for long runs (a sandbox,
   * a benchmark) where the log would be the only thing growing.
   *
   * @since 0.2.0
   */
  readonly recordExchanges?: boolean | undefined
  /**
   * The order `GET /v3/webhooks/events` lists the log in (default `"oldestFirst"`). HeyGen does not document it, so
   * a client must be right either way; pages and tokens behave alike in both.
   *
   * @since 0.5.0
   */
  readonly eventOrder?: "oldestFirst" | "newestFirst" | undefined
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
  /**
   * Clock time (ms) the client stopped waiting for the reply (it timed out or hung up first), or `null`. The API
   * still finishes the request: an abandoned exchange's effect happened, but its client never saw the reply.
   */
  readonly abandonedAt: number | null
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
  /** Its place in list order: a counter shared with events, taken when it was created (never reused). */
  readonly ordinal: number
}

/**
 * An event in an account's log (`GET /v3/webhooks/events`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StoredEvent {
  readonly account: string
  readonly event_id: string
  readonly event_type: string
  readonly event_data: Readonly<Record<string, unknown>>
  /** What the `entity_id` filter matches (the spec's event carries no such field: it is the fake's index). */
  readonly entity_id: string | null
  readonly created_at: string
  /** Its place in list order (see `StoredEndpoint.ordinal`). */
  readonly ordinal: number
}

/**
 * An event for `recordEvent` to append to a log.
 *
 * @since 0.2.0
 * @category models
 */
export interface EventInput {
  /** Default: the first of `Options.apiKeys` (the sandbox account by default). */
  readonly account?: string | undefined
  /** Any string: the response types it as a plain string, so a consumer must cope with types added later. */
  readonly eventType: string
  /** Default `{}`. */
  readonly eventData?: Readonly<Record<string, unknown>> | undefined
  /** What `entity_id` filters on (default none). */
  readonly entityId?: string | null | undefined
  /** Default a fresh `evt_...` id. */
  readonly eventId?: string | undefined
  /** ISO 8601; default the Clock's now. */
  readonly createdAt?: string | undefined
}

const StoredEndpointSchema = Schema.Struct({
  account: Schema.String,
  endpoint_id: Schema.String,
  url: Schema.String,
  events: Schema.NullOr(Schema.Array(Schema.String)),
  entity_id: Schema.NullOr(Schema.String),
  status: Schema.String,
  created_at: Schema.String,
  secret: Schema.String,
  idempotencyKey: Schema.NullOr(Schema.String),
  createdBy: Schema.Number,
  ordinal: Schema.Int
})

const StoredEventSchema = Schema.Struct({
  account: Schema.String,
  event_id: Schema.String,
  event_type: Schema.String,
  event_data: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  entity_id: Schema.NullOr(Schema.String),
  created_at: Schema.String,
  ordinal: Schema.Int
})

/**
 * What the fake holds, as JSON-serialisable data: `snapshot` produces it, `Options.initialState` takes it back.
 * It persists the endpoints (secrets included), the event log, the ordinal counter (so pagination tokens issued
 * before a snapshot still work after it) and the idempotency records still inside their window (so a key replays
 * across processes). It does not persist accounts (they come from `apiKeys`), the exchange log, rate-limit windows,
 * the fault plan or requests in flight. It holds account names (API keys) and signing secrets: store it as you
 * would the keys. Decode untrusted JSON with `Schema.decodeUnknown(FakeHeyGen.State)`.
 *
 * @since 0.2.0
 * @category models
 */
export const State = Schema.Struct({
  version: Schema.Literal(1),
  nextOrdinal: Schema.Int,
  endpoints: Schema.Array(StoredEndpointSchema),
  events: Schema.Array(StoredEventSchema),
  idempotency: Schema.Array(Schema.Struct({
    account: Schema.String,
    /** `METHOD path`, path parameters included: the key's scope. */
    route: Schema.String,
    key: Schema.String,
    /** Clock time (ms) the original request arrived; the record replays until `at + idempotencyWindow`. */
    at: Schema.Number,
    response: Schema.Struct({
      status: Schema.Int,
      headers: Schema.Record({ key: Schema.String, value: Schema.String }),
      body: Schema.String
    })
  }))
}).annotations({ identifier: "FakeHeyGen.State" })

/**
 * @since 0.2.0
 * @category models
 */
export interface State extends Schema.Schema.Type<typeof State> {}

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
  /**
   * Every event logged, in order of recording (optionally those of one account).
   *
   * @since 0.2.0
   */
  readonly events: (account?: string) => Effect.Effect<ReadonlyArray<StoredEvent>>
  /**
   * Appends an event to an account's log, as HeyGen does when something happens to a video, so a test can fill
   * the log that `GET /v3/webhooks/events` serves.
   *
   * @since 0.2.0
   */
  readonly recordEvent: (event: EventInput) => Effect.Effect<StoredEvent>
  /**
   * Makes an event happen: records it in the account's log (default: the first account) and delivers it,
   * signed with each endpoint's secret, to the account's enabled endpoints subscribed to its type, retrying
   * with backoff on the Effect `Clock`. Endpoint URLs must be public unless `options.route` sends every delivery
   * to a local receiver or `options.allowLoopback` is set (see `FakeDelivery`).
   *
   * @since 0.2.0
   */
  readonly deliver: (
    eventType: string,
    eventData?: Readonly<Record<string, unknown>>,
    options?: FakeDelivery.Options & { readonly account?: string | undefined }
  ) => Effect.Effect<FakeDelivery.Delivery, never, HttpClient.HttpClient>
  /**
   * What the fake holds now, as JSON-serialisable data (see `State` for what is kept).
   *
   * @since 0.2.0
   */
  readonly snapshot: Effect.Effect<State>
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
