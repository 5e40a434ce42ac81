/**
 * The request pipeline every operation runs through, top to bottom:
 *
 *   1. validate  the input with the operation's Schema, before any I/O
 *   2. key       one Idempotency-Key per logical call, reused on every attempt
 *   3. send      one attempt: build the request, send it, read the body, within the attempt timeout
 *   4. classify  the status and error code into exactly one tagged error
 *   5. decode    a 2xx body with the operation's response Schema
 *   6. retry     the attempt under the retry policy, within the call's deadline
 *
 * Operations (`WebhookEndpoints.create`, ...) are thin descriptions passed to `execute`.
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as HeyGenClient from "../HeyGenClient.js"
import * as HeyGenError from "../HeyGenError.js"
import * as IdempotencyKey from "../IdempotencyKey.js"
import * as RetryPolicy from "../RetryPolicy.js"
import { credentialValue, excerpt, scrub } from "./scrub.js"

/** What an operation is: where it goes and the schemas of what it sends and receives. */
export interface Operation<Req, ReqEncoded, Res, ResEncoded> {
  readonly name: string
  readonly method: "POST"
  readonly path: string
  readonly request: Schema.Schema<Req, ReqEncoded>
  readonly response: Schema.Schema<Res, ResEncoded>
}

/** Per-call settings; each one overrides the client's. */
export interface CallOptions {
  /** Reuse a key from an earlier call to replay it. Generated when absent. */
  readonly idempotencyKey?: string | undefined
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly deadline?: Duration.DurationInput | undefined
}

/** A successful call: the decoded body and what a caller needs to trace or repeat it. */
export interface Success<Res> {
  readonly body: Res
  readonly idempotencyKey: IdempotencyKey.IdempotencyKey
  readonly requestId: string | null
  readonly attempts: number
}

// ---------------------------------------------------------------------------------------------------------------
// 1. validate

const firstIssue = (issue: ParseResult.ParseIssue, fallbackField: string): HeyGenError.ValidationError => {
  const [first] = ParseResult.ArrayFormatter.formatIssueSync(issue)
  const field = first && first.path.length > 0 ? first.path.map(String).join(".") : fallbackField
  return new HeyGenError.ValidationError({ field, message: `${field}: ${first?.message ?? "is invalid"}` })
}

const validate = <Req, ReqEncoded>(schema: Schema.Schema<Req, ReqEncoded>, input: unknown) =>
  Schema.encodeUnknown(schema)(input, { onExcessProperty: "error" }).pipe(
    Effect.mapError((error) => firstIssue(error.issue, "body"))
  )

// ---------------------------------------------------------------------------------------------------------------
// 2. key

const resolveKey = (given: string | undefined) =>
  given === undefined
    ? IdempotencyKey.generate
    : Schema.decodeUnknown(IdempotencyKey.IdempotencyKey)(given).pipe(
      Effect.mapError((error) => firstIssue(error.issue, "idempotencyKey"))
    )

// ---------------------------------------------------------------------------------------------------------------
// 3. send

// The URL and the headers that do not change between calls, built once per client and operation: parsing a URL
// and normalising headers on every call showed up in the bench's profile.
const baseRequests = new WeakMap<HeyGenClient.Service, Map<string, HttpClientRequest.HttpClientRequest>>()

const baseRequest = (client: HeyGenClient.Service, operation: { readonly method: "POST"; readonly path: string }) => {
  let byPath = baseRequests.get(client)
  if (byPath === undefined) baseRequests.set(client, byPath = new Map())
  let request = byPath.get(operation.path)
  if (request === undefined) {
    const auth = client.credentials._tag === "ApiKey"
      ? { "x-api-key": Redacted.value(client.credentials.apiKey) }
      : { authorization: `Bearer ${Redacted.value(client.credentials.token)}` }
    request = HttpClientRequest.make(operation.method)(new URL(operation.path, client.baseUrl)).pipe(
      HttpClientRequest.setHeaders({ ...auth, "user-agent": client.userAgent, accept: "application/json" })
    )
    byPath.set(operation.path, request)
  }
  return request
}

const buildRequest = (
  client: HeyGenClient.Service,
  operation: { readonly method: "POST"; readonly path: string },
  body: unknown,
  key: IdempotencyKey.IdempotencyKey
) =>
  baseRequest(client, operation).pipe(
    HttpClientRequest.setHeader("idempotency-key", key),
    HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
  )

/** What one attempt brings back before classification. */
interface Reply {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string
  /** When the reply arrived, on the Effect clock: Retry-After dates are measured from here. */
  readonly receivedAt: number
}

/** How long an attempt may take: its own limit, or what is left of the call's deadline if that is less. */
interface AttemptLimit {
  readonly duration: Duration.Duration
  readonly onTimeout: () => HeyGenError.TimeoutError
}

const send = (
  client: HeyGenClient.Service,
  request: HttpClientRequest.HttpClientRequest,
  key: IdempotencyKey.IdempotencyKey,
  limit: AttemptLimit
) =>
  client.httpClient.execute(request).pipe(
    Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
      Effect.gen(function*() {
        // Retry-After counts from when the response arrived, not from when its body finished.
        const receivedAt = yield* Clock.currentTimeMillis
        const text = yield* response.text
        return { status: response.status, headers: response.headers, text, receivedAt } satisfies Reply
      })
    ),
    Effect.catchAll((error) =>
      // A connection refused, reset or cut mid-body: the server may or may not have acted.
      Effect.fail(
        new HeyGenError.TransportError({
          message: scrub(
            `${error.reason === "Transport" ? "connection failed" : error.reason}: ${error.message}`,
            credentialValue(client.credentials)
          ),
          idempotencyKey: key
        })
      )
    ),
    Effect.timeoutFail(limit)
  )

// ---------------------------------------------------------------------------------------------------------------
// 4. classify

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const decodeErrorBody = Schema.decodeUnknownOption(HeyGenError.StandardApiErrorBody)

const classify = (reply: Reply, key: IdempotencyKey.IdempotencyKey, credential: string): HeyGenError.RequestFailure => {
  const requestId = reply.headers["x-request-id"] ?? null
  const body = Option.flatMap(parseJson(reply.text), decodeErrorBody)
  const clean = (s: string | null) => (s === null ? null : scrub(s, credential))

  if (reply.status === 429) {
    // Whatever the body (a CDN may send its own), a 429 is a rate limit and its Retry-After is what matters.
    return new HeyGenError.RateLimited({
      status: 429,
      code: Option.match(body, { onNone: () => "rate_limit_exceeded", onSome: (b) => b.error.code }),
      message: Option.match(body, {
        onNone: () => "Too many requests",
        onSome: (b) => scrub(b.error.message, credential)
      }),
      param: Option.match(body, { onNone: () => null, onSome: (b) => clean(b.error.param) }),
      docUrl: Option.match(body, { onNone: () => null, onSome: (b) => b.error.doc_url }),
      requestId,
      idempotencyKey: key,
      retryAfter: RetryPolicy.parseRetryAfter(reply.headers["retry-after"], reply.receivedAt)
    })
  }
  if (Option.isNone(body)) {
    return new HeyGenError.UnexpectedResponse({
      status: reply.status,
      message: `HTTP ${reply.status} with a body that is not HeyGen's error envelope`,
      bodyExcerpt: excerpt(reply.text, credential),
      requestId,
      idempotencyKey: key
    })
  }
  const { code, doc_url, message, param } = body.value.error
  const fields = {
    status: reply.status,
    code,
    message: scrub(message, credential),
    param: clean(param),
    docUrl: doc_url,
    requestId,
    idempotencyKey: key
  }
  if (reply.status === 400 && code === "invalid_parameter") return new HeyGenError.InvalidParameter(fields)
  if (reply.status === 401) return new HeyGenError.AuthenticationFailed(fields)
  if (reply.status === 409 && code === "conflict") return new HeyGenError.Conflict(fields)
  if (reply.status === 409 && code === "request_in_progress") return new HeyGenError.RequestInProgress(fields)
  return new HeyGenError.ApiError(fields)
}

// ---------------------------------------------------------------------------------------------------------------
// 5. decode

const decodeSuccess = <Res, ResEncoded>(
  schema: Schema.Schema<Res, ResEncoded>,
  reply: Reply,
  key: IdempotencyKey.IdempotencyKey,
  credential: string
): Either.Either<Res, HeyGenError.UnexpectedResponse> => {
  const unexpected = (why: string) =>
    new HeyGenError.UnexpectedResponse({
      status: reply.status,
      message: scrub(`HTTP ${reply.status} ${why}`, credential),
      bodyExcerpt: excerpt(reply.text, credential),
      requestId: reply.headers["x-request-id"] ?? null,
      idempotencyKey: key
    })
  return Option.match(parseJson(reply.text), {
    onNone: () => Either.left(unexpected("with a body that is not JSON")),
    onSome: (json) =>
      Schema.decodeUnknownEither(schema)(json).pipe(
        Either.mapLeft((error) => {
          // Name where the body is wrong, not what it held: the value may be a secret.
          const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
          const at = first && first.path.length > 0 ? first.path.map(String).join(".") : "the body"
          return unexpected(`with a body that does not match the spec at ${at} (${first?._tag ?? "invalid"})`)
        })
      )
  })
}

// ---------------------------------------------------------------------------------------------------------------
// 6. retry, and the whole call
//
// The deadline is enforced without a second race around the retries (a timeout is a race of two fibers, and
// this is the hot path): each attempt gets at most what is left of it, and the policy is told to stop when its
// next wait would end past it. A wait is never cut short, so the caller gets the real last error (a
// RateLimited carrying its Retry-After, say) instead of a timeout that hides it.

const attemptLimit = (
  now: number,
  deadlineAt: number,
  attemptTimeout: Duration.Duration,
  deadline: Duration.Duration,
  key: IdempotencyKey.IdempotencyKey
): AttemptLimit => {
  const left = Duration.millis(Math.max(0, deadlineAt - now))
  return Duration.lessThan(left, attemptTimeout)
    ? {
      duration: left,
      onTimeout: () => new HeyGenError.TimeoutError({ scope: "call", timeout: deadline, idempotencyKey: key })
    }
    : {
      duration: attemptTimeout,
      onTimeout: () => new HeyGenError.TimeoutError({ scope: "attempt", timeout: attemptTimeout, idempotencyKey: key })
    }
}

const withinDeadline = (policy: RetryPolicy.RetryPolicy, deadlineAt: number) =>
  Schedule.delays(policy).pipe(
    Schedule.checkEffect((_, wait) =>
      Effect.map(Clock.currentTimeMillis, (now) => now + Duration.toMillis(wait) < deadlineAt)
    )
  )

/**
 * `Effect.retry`, started only once an attempt has failed: most calls succeed at once, and a schedule driver is
 * not free on the hot path. The driver sleeps for each delay the policy decides, and stops it when it is done.
 */
const retrying = <A>(
  attempt: Effect.Effect<A, HeyGenError.RequestFailure>,
  policy: RetryPolicy.RetryPolicy,
  first: HeyGenError.RequestFailure
): Effect.Effect<A, HeyGenError.RequestFailure> =>
  Effect.flatMap(Schedule.driver(policy), (driver) => {
    const again = (error: HeyGenError.RequestFailure): Effect.Effect<A, HeyGenError.RequestFailure> =>
      Effect.matchEffect(driver.next(error), {
        onFailure: () => Effect.fail(error),
        onSuccess: () => Effect.catchAll(attempt, again)
      })
    return again(first)
  })

/**
 * Runs one operation: validate, then attempt (send, classify, decode) under the retry policy and the deadline.
 * Interrupting the returned effect interrupts the in-flight request or the wait between attempts.
 */
export const execute = <Req, ReqEncoded, Res, ResEncoded>(
  operation: Operation<Req, ReqEncoded, Res, ResEncoded>,
  input: unknown,
  options: CallOptions = {}
): Effect.Effect<Success<Res>, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient> =>
  Effect.gen(function*() {
    const client = yield* HeyGenClient.HeyGenClient
    const body = yield* validate(operation.request, input)
    const key = yield* resolveKey(options.idempotencyKey)
    yield* Effect.annotateCurrentSpan("heygen.idempotency_key", key)

    const credential = credentialValue(client.credentials)
    const attemptTimeout = Duration.decode(options.attemptTimeout ?? client.attemptTimeout)
    const deadline = Duration.decode(options.deadline ?? client.deadline)
    const deadlineAt = (yield* Clock.currentTimeMillis) + Duration.toMillis(deadline)
    // Built once: every attempt sends the very same request, Idempotency-Key included.
    const request = buildRequest(client, operation, body, key)
    let attempts = 0

    const attempt = Effect.gen(function*() {
      const n = ++attempts
      const limit = attemptLimit(yield* Clock.currentTimeMillis, deadlineAt, attemptTimeout, deadline, key)
      const reply = yield* send(client, request, key, limit).pipe(
        Effect.withSpan(`HeyGen.${operation.name}.attempt`, {
          attributes: { "heygen.attempt": n, "heygen.idempotency_key": key },
          captureStackTrace: false
        })
      )
      if (reply.status < 200 || reply.status >= 300) return yield* Effect.fail(classify(reply, key, credential))
      const decoded = yield* decodeSuccess(operation.response, reply, key, credential)
      return { body: decoded, requestId: reply.headers["x-request-id"] ?? null }
    }).pipe(
      Effect.tapError((error) =>
        Effect.logDebug(`HeyGen ${operation.name} attempt failed`).pipe(
          Effect.annotateLogs({ error: error._tag, message: error.message, idempotencyKey: key })
        )
      )
    )

    const outcome = yield* Effect.catchAll(
      attempt,
      (first) => retrying(attempt, withinDeadline(options.retryPolicy ?? client.retryPolicy, deadlineAt), first)
    )
    return { ...outcome, idempotencyKey: key, attempts }
  }).pipe(
    // No stack trace on the spans: capturing one costs more than the rest of the span, on every call, and the
    // span names already say where they come from.
    Effect.withSpan(`HeyGen.${operation.name}`, {
      attributes: { "heygen.operation": operation.name },
      captureStackTrace: false
    })
  )
