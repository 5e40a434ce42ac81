/**
 * The fake's state machine. Every state change happens inside one `Effect.sync`, so concurrent fibers see each
 * request's check-and-claim (of an idempotency key, a URL, a rate-limit slot) as atomic, as a database would.
 * What the API answers is the route handlers' business (`routes/`); this file is what every route shares:
 * the exchange log, faults, authentication, rate limits, idempotency and latency.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as FakeDelivery from "../FakeDelivery.js"
import type * as FakeHeyGen from "../FakeHeyGen.js"
import type * as Fault from "../Fault.js"
import * as Routes from "./routes/index.js"
import type { Fresh } from "./routes/route.js"
import * as Store from "./store.js"
import { isValidIdempotencyKey } from "./validation.js"

/** See `FakeHeyGen.sandboxApiKey`. */
export const sandboxApiKey = "sandbox_heygen_key"
/** See `FakeHeyGen.createPath`. */
export const createPath = "/v3/webhooks/endpoints"

interface State {
  seq: number
  readonly exchanges: Array<FakeHeyGen.Exchange>
  readonly store: Store.Store
  plan: Array<Fault.Fault | null>
  readonly accounts: Set<string>
  readonly hits: Map<string, Array<number>>
}

const errorBody = (code: string, message: string, param: string | null = null) =>
  JSON.stringify({ error: { code, message, param, doc_url: null } })

const hex = (length: number) =>
  Effect.map(
    Effect.all(Array.from({ length }, () => Random.nextIntBetween(0, 16))),
    (digits) => digits.map((d) => d.toString(16)).join("")
  )

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const base62 = (length: number) =>
  Effect.map(
    Effect.all(Array.from({ length }, () => Random.nextIntBetween(0, alphabet.length))),
    (digits) => digits.map((d) => alphabet[d]).join("")
  )

/** RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (what `toUTCString` prints). */
const httpDate = (millis: number) => new Date(millis).toUTCString()

const renderRetryAfter = (retryAfter: Fault.RetryAfter, now: number): Record<string, string> => {
  switch (retryAfter._tag) {
    case "Seconds":
      return { "retry-after": String(retryAfter.seconds) }
    case "HttpDate":
      return { "retry-after": httpDate(now + retryAfter.offsetMillis) }
    case "Raw":
      return { "retry-after": retryAfter.value }
    case "Absent":
      return {}
  }
}

const accountOf = (headers: Readonly<Record<string, string>>): string | null => {
  const apiKey = headers["x-api-key"]
  if (apiKey !== undefined) return apiKey
  const authorization = headers["authorization"]
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization.trim())
  return bearer?.[1] ?? null
}

const splitPath = (path: string) => {
  const q = path.indexOf("?")
  return q < 0 ? { route: path, query: "" } : { route: path.slice(0, q), query: path.slice(q + 1) }
}

const mint: Effect.Effect<Fresh> = Effect.map(
  Effect.all([hex(16), base62(32)]),
  ([id, secret]) => ({ endpointId: `ep_${id}`, secret: `whsec_${secret}` })
)
const noFresh: Fresh = { endpointId: "", secret: "" }

export const make = (options: FakeHeyGen.Options = {}): Effect.Effect<FakeHeyGen.FakeHeyGen> =>
  Effect.sync(() => {
    const state: State = {
      seq: 0,
      exchanges: [],
      store: options.initialState === undefined ? Store.empty() : Store.restore(options.initialState),
      plan: [...(options.faults ?? [])],
      accounts: new Set(options.apiKeys ?? [sandboxApiKey]),
      hits: new Map()
    }
    const recordExchanges = options.recordExchanges ?? true
    const eventOrder = options.eventOrder ?? "oldestFirst"
    const defaultAccount = options.apiKeys?.[0] ?? sandboxApiKey
    const latency = Duration.decode(options.latency ?? Duration.zero)
    const keyWindow = Duration.toMillis(options.idempotencyWindow ?? Duration.hours(24))
    const rateLimit = options.rateLimit === undefined
      ? undefined
      : { limit: options.rateLimit.limit, window: Duration.toMillis(options.rateLimit.window) }

    const update = (seq: number, f: (e: FakeHeyGen.Exchange) => FakeHeyGen.Exchange) => {
      const current = state.exchanges[seq]
      if (current !== undefined) state.exchanges[seq] = f(current)
    }

    /** The API proper: what HeyGen answers, before any fault touches the response. */
    const api = (
      request: FakeHeyGen.Request,
      seq: number,
      requestId: string,
      extraDelay: Duration.Duration
    ): Effect.Effect<{ readonly response: FakeHeyGen.Response; readonly replayed: boolean }> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
          response: {
            status,
            headers: { "content-type": "application/json", "x-request-id": requestId, ...headers },
            body: typeof body === "string" ? body : JSON.stringify(body)
          },
          replayed: false
        })
        const { query, route } = splitPath(request.path)
        const matched = Routes.match(request.method, route)
        if (matched._tag === "NoRoute") {
          return json(404, errorBody("not_found", `No route for ${request.method} ${route}.`))
        }
        if (matched._tag === "MethodNotAllowed") {
          return json(405, errorBody("method_not_allowed", `${request.method} is not allowed on ${route}.`))
        }

        const account = accountOf(request.headers)
        if (account === null) {
          return json(401, errorBody("authentication_failed", "Missing API key. Set the x-api-key header."))
        }
        if (!state.accounts.has(account)) {
          return json(
            401,
            errorBody("authentication_failed", "Invalid or expired API key. Verify your x-api-key header.")
          )
        }
        update(seq, (e) => ({ ...e, account }))

        if (rateLimit !== undefined) {
          const recent = (state.hits.get(account) ?? []).filter((t) => t > now - rateLimit.window)
          if (recent.length >= rateLimit.limit) {
            state.hits.set(account, recent)
            // The oldest hit leaves the window at oldest + window: waiting that long always frees a slot.
            const waitMillis = (recent[0] ?? now) + rateLimit.window - now
            return json(
              429,
              errorBody(
                "rate_limit_exceeded",
                "Too many requests. Retry after the duration specified in the Retry-After header."
              ),
              { "retry-after": String(Math.max(1, Math.ceil(waitMillis / 1000))) }
            )
          }
          state.hits.set(account, [...recent, now])
        }

        // Only the routes the spec gives an Idempotency-Key honour (or check) one.
        const key = matched.route.keyed ? request.headers["idempotency-key"] : undefined
        if (key !== undefined && !isValidIdempotencyKey(key)) {
          return json(
            400,
            errorBody(
              "invalid_parameter",
              "'Idempotency-Key' must be 1-255 characters from [A-Za-z0-9_:.-].",
              "Idempotency-Key"
            )
          )
        }
        // Keys are scoped per account, per route and per path parameter (the path holds it): the same key on
        // another route, or on the rotate-secret of another endpoint, is independent.
        const scope = `${request.method} ${route}`
        const slot = key === undefined ? undefined : Store.keySlot(account, scope, key)
        if (slot !== undefined) {
          const record = state.store.keys.get(slot)
          if (record?._tag === "Done" && now - record.at < keyWindow) {
            return { response: record.response, replayed: true }
          }
          if (record?._tag === "InFlight") {
            return json(
              409,
              errorBody(
                "request_in_progress",
                "A request with this Idempotency-Key is already in progress. Retry shortly."
              )
            )
          }
          state.store.keys.set(slot, { _tag: "InFlight" })
        }

        const delay = Duration.sum(latency, extraDelay)
        if (Duration.greaterThan(delay, Duration.zero)) yield* Effect.sleep(delay)
        const fresh = matched.route.mints ? yield* mint : noFresh
        const processedAt = yield* Clock.currentTimeMillis
        // The handler checks and changes the store in one synchronous step: two concurrent requests (creates of
        // one URL, an update and a delete of one endpoint) cannot interleave.
        const outcome = yield* Effect.sync(() => {
          const answer = matched.route.handle({
            store: state.store,
            account,
            params: matched.params,
            query: new URLSearchParams(query),
            body: request.body,
            now: processedAt,
            seq,
            idempotencyKey: key ?? null,
            fresh,
            eventOrder
          })
          const result = json(answer.status, answer.body)
          if (slot !== undefined && key !== undefined) {
            state.store.keys.set(slot, { _tag: "Done", account, route: scope, key, response: result.response, at: now })
          }
          return result
        })
        return outcome
      })

    const process = (
      request: FakeHeyGen.Request,
      seq: number,
      fault: Fault.Fault | null
    ): Effect.Effect<FakeHeyGen.Reply> =>
      Effect.gen(function*() {
        const requestId = `req_${yield* hex(24)}`
        const now = yield* Clock.currentTimeMillis
        const infra = (status: number, headers: Record<string, string>, body: string): FakeHeyGen.Reply => ({
          _tag: "Respond",
          response: { status, headers: { "x-request-id": requestId, ...headers }, body }
        })
        switch (fault?._tag) {
          case "RateLimit":
            return infra(
              429,
              { "content-type": "application/json", ...renderRetryAfter(fault.retryAfter, now) },
              errorBody(
                "rate_limit_exceeded",
                "Too many requests. Retry after the duration specified in the Retry-After header."
              )
            )
          case "ServerError":
            return fault.body === "json"
              ? infra(
                fault.status,
                { "content-type": "application/json" },
                errorBody("internal_error", "An internal error occurred. Please retry.")
              )
              : fault.body === "html"
              ? infra(
                fault.status,
                { "content-type": "text/html" },
                `<html><head><title>${fault.status}</title></head><body><h1>${fault.status} Bad Gateway</h1></body></html>`
              )
              : infra(fault.status, { "content-type": "text/plain" }, "")
          case "DropBeforeCommit":
            return { _tag: "Drop" }
        }
        const extraDelay = fault?._tag === "Slow" ? Duration.decode(fault.delay) : Duration.zero
        const { replayed, response } = yield* api(request, seq, requestId, extraDelay)
        update(seq, (e) => ({ ...e, replayed }))
        switch (fault?._tag) {
          case "DropAfterCommit":
            return { _tag: "Drop" }
          case "TruncatedBody":
            return {
              _tag: "Truncate",
              response,
              deliveredBytes: Math.floor(new TextEncoder().encode(response.body).length / 2)
            }
          case "MalformedBody":
            // A complete response whose body is cut: the Content-Length matches, the JSON does not parse.
            return {
              _tag: "Respond",
              response: { ...response, body: response.body.slice(0, Math.floor(response.body.length / 2)) }
            }
          default:
            return { _tag: "Respond", response }
        }
      })

    const handle = (request: FakeHeyGen.Request): Effect.Effect<FakeHeyGen.Reply> =>
      Effect.gen(function*() {
        const receivedAt = yield* Clock.currentTimeMillis
        const { fault, seq } = yield* Effect.sync(() => {
          const seq = state.seq++
          const fault = state.plan.shift() ?? null
          if (!recordExchanges) return { fault, seq }
          state.exchanges.push({
            seq,
            request,
            receivedAt,
            fault,
            account: null,
            reply: null,
            repliedAt: null,
            abandonedAt: null,
            replayed: false
          })
          return { fault, seq }
        })
        const fiber = yield* Effect.forkDaemon(
          Effect.tap(process(request, seq, fault), (reply) =>
            Effect.flatMap(Clock.currentTimeMillis, (repliedAt) =>
              Effect.sync(() => update(seq, (e) => ({ ...e, reply, repliedAt })))))
        )
        return yield* Fiber.join(fiber).pipe(
          Effect.onInterrupt(() =>
            Effect.flatMap(Clock.currentTimeMillis, (abandonedAt) =>
              Effect.sync(() =>
                update(seq, (e) => ({ ...e, abandonedAt }))
              ))
          )
        )
      })

    const fake: FakeHeyGen.FakeHeyGen = {
      options,
      handle,
      // Records the event, then delivers it to the account's subscribed endpoints (see FakeDelivery).
      deliver: (eventType, eventData, deliveryOptions) =>
        FakeDelivery.deliverEvent(fake, eventType, eventData ?? {}, deliveryOptions),
      exchanges: Effect.sync(() => [...state.exchanges]),
      requests: Effect.sync(() =>
        state.exchanges.map((e) => e.request)
      ),
      endpoints: (account) => Effect.sync(() => Store.endpointsOf(state.store, account)),
      events: (account) => Effect.sync(() => Store.eventsOf(state.store, account)),
      recordEvent: (event) =>
        Effect.gen(function*() {
          const eventId = event.eventId ?? `evt_${yield* hex(16)}`
          const createdAt = event.createdAt ?? new Date(yield* Clock.currentTimeMillis).toISOString()
          return yield* Effect.sync(() =>
            Store.insertEvent(state.store, {
              account: event.account ?? defaultAccount,
              event_id: eventId,
              event_type: event.eventType,
              event_data: event.eventData ?? {},
              entity_id: event.entityId ?? null,
              created_at: createdAt
            })
          )
        }),
      snapshot: Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => Effect.sync(() => Store.snapshot(state.store, now, keyWindow))
      ),
      enqueueFaults: (faults) =>
        Effect.sync(() => {
          state.plan.push(...faults)
        }),
      clearFaults: Effect.sync(() => {
        state.plan = []
      }),
      addApiKey: (apiKey) => Effect.sync(() => void state.accounts.add(apiKey))
    }
    return fake
  })
