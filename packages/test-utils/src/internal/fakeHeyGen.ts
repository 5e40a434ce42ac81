/**
 * The fake's state machine. Every state change happens inside one `Effect.sync`, so concurrent fibers see each
 * request's check-and-claim (of an idempotency key, a URL, a rate-limit slot) as atomic, as a database would.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import type * as FakeHeyGen from "../FakeHeyGen.js"
import type * as Fault from "../Fault.js"
import { isValidIdempotencyKey, validateBody } from "./validation.js"

/** See `FakeHeyGen.sandboxApiKey`. */
export const sandboxApiKey = "sandbox_heygen_key"
/** See `FakeHeyGen.createPath`. */
export const createPath = "/v3/webhooks/endpoints"

type KeyRecord =
  | { readonly _tag: "InFlight" }
  | { readonly _tag: "Done"; readonly response: FakeHeyGen.Response; readonly at: number }

interface State {
  seq: number
  readonly exchanges: Array<FakeHeyGen.Exchange>
  readonly endpoints: Array<FakeHeyGen.StoredEndpoint>
  plan: Array<Fault.Fault | null>
  readonly accounts: Set<string>
  readonly keys: Map<string, KeyRecord>
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

const routeOf = (path: string) => path.split("?")[0] ?? path

export const make = (options: FakeHeyGen.Options = {}): Effect.Effect<FakeHeyGen.FakeHeyGen> =>
  Effect.sync(() => {
    const state: State = {
      seq: 0,
      exchanges: [],
      endpoints: [],
      plan: [...(options.faults ?? [])],
      accounts: new Set(options.apiKeys ?? [sandboxApiKey]),
      keys: new Map(),
      hits: new Map()
    }
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
        const json = (status: number, body: string, headers: Record<string, string> = {}) => ({
          response: {
            status,
            headers: { "content-type": "application/json", "x-request-id": requestId, ...headers },
            body
          },
          replayed: false
        })
        const route = routeOf(request.path)
        if (route !== createPath) return json(404, errorBody("not_found", `No route for ${request.method} ${route}.`))
        if (request.method !== "POST") {
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

        const key = request.headers["idempotency-key"]
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
        // Keys are scoped per account and per route: the same key elsewhere is independent.
        const slot = key === undefined ? undefined : `${account}\u0000POST ${route}\u0000${key}`
        if (slot !== undefined) {
          const record = state.keys.get(slot)
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
          state.keys.set(slot, { _tag: "InFlight" })
        }

        const outcome = yield* Effect.gen(function*() {
          const delay = Duration.sum(latency, extraDelay)
          if (Duration.greaterThan(delay, Duration.zero)) yield* Effect.sleep(delay)
          let parsed: unknown
          try {
            parsed = JSON.parse(request.body)
          } catch {
            return json(400, errorBody("invalid_parameter", "The request body is not valid JSON."))
          }
          const checked = validateBody(parsed)
          if (checked._tag === "Left") {
            return json(400, errorBody("invalid_parameter", checked.refusal.message, checked.refusal.param))
          }
          const body = checked.body
          const endpointId = `ep_${yield* hex(16)}`
          const secret = `whsec_${yield* base62(32)}`
          const createdAt = new Date(yield* Clock.currentTimeMillis).toISOString()
          // Check and insert in one synchronous step, so two concurrent creates of one URL cannot both pass.
          return yield* Effect.sync(() => {
            if (state.endpoints.some((e) => e.account === account && e.url === body.url)) {
              return json(
                409,
                errorBody("conflict", "A webhook endpoint with this URL already exists for this account.")
              )
            }
            const stored: FakeHeyGen.StoredEndpoint = {
              account,
              endpoint_id: endpointId,
              url: body.url,
              events: body.events,
              entity_id: body.entity_id,
              status: "enabled",
              created_at: createdAt,
              secret,
              idempotencyKey: key ?? null,
              createdBy: seq
            }
            state.endpoints.push(stored)
            return json(
              200,
              JSON.stringify({
                data: {
                  endpoint_id: stored.endpoint_id,
                  url: stored.url,
                  events: stored.events,
                  status: stored.status,
                  created_at: stored.created_at,
                  secret: stored.secret
                }
              })
            )
          })
        })
        if (slot !== undefined) state.keys.set(slot, { _tag: "Done", response: outcome.response, at: now })
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
          state.exchanges.push({
            seq,
            request,
            receivedAt,
            fault,
            account: null,
            reply: null,
            repliedAt: null,
            replayed: false
          })
          return { fault, seq }
        })
        const fiber = yield* Effect.forkDaemon(
          Effect.tap(process(request, seq, fault), (reply) =>
            Effect.flatMap(Clock.currentTimeMillis, (repliedAt) =>
              Effect.sync(() => update(seq, (e) => ({ ...e, reply, repliedAt })))))
        )
        return yield* Fiber.join(fiber)
      })

    return {
      options,
      handle,
      exchanges: Effect.sync(() => [...state.exchanges]),
      requests: Effect.sync(() =>
        state.exchanges.map((e) => e.request)
      ),
      endpoints: (account) =>
        Effect.sync(() => state.endpoints.filter((e) => account === undefined || e.account === account)),
      enqueueFaults: (faults) =>
        Effect.sync(() => {
          state.plan.push(...faults)
        }),
      clearFaults: Effect.sync(() => {
        state.plan = []
      }),
      addApiKey: (apiKey) => Effect.sync(() => void state.accounts.add(apiKey))
    }
  })
