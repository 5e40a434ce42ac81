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
 * Operations (`WebhookEndpoints.create`, ...) are thin descriptions passed to `execute`: a method, a path with
 * parameters, a query, a body and a response schema, whether the route takes an Idempotency-Key, and which error
 * codes the route documents. Safety to retry follows from the method (see `retrySafe`).
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Arr from "effect/Array"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Tracer from "effect/Tracer"
import * as HeyGenClient from "../HeyGenClient.js"
import * as HeyGenError from "../HeyGenError.js"
import * as IdempotencyKey from "../IdempotencyKey.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as WebhookEventType from "../WebhookEventType.js"
import * as AttemptTimer from "./attemptTimer.js"
import { credentialValue, excerpt, scrub } from "./scrub.js"
import * as Transport from "./transport.js"

/** The HTTP methods HeyGen's webhooks API uses. */
export type Method = "GET" | "POST" | "PATCH" | "DELETE"

/** The errors a route may document beyond those every route can produce (`HeyGenError.BaseError`). */
interface Documented {
  readonly Conflict: HeyGenError.Conflict
  readonly RequestInProgress: HeyGenError.RequestInProgress
  readonly NotFound: HeyGenError.NotFound
}

/** The tag of an error a route may document. */
export type DocumentedTag = keyof Documented

/** What an operation is: where it goes, the schemas of what it sends and receives, and how it may fail. */
export interface Operation<Res, ResEncoded, D extends DocumentedTag> {
  /** The spec's `operationId`, also the span name. */
  readonly name: string
  readonly method: Method
  /** The path; each `{name}` is filled from the `path` schema's field of that name, percent-encoded. */
  readonly path: string
  readonly pathParams?: Schema.Schema.AnyNoContext | undefined
  /** Encodes to a record of scalars, sent as the query string (undefined fields are left out). */
  readonly query?: Schema.Schema.AnyNoContext | undefined
  /** The JSON body; none for GET and DELETE. */
  readonly body?: Schema.Schema.AnyNoContext | undefined
  readonly response: Schema.Schema<Res, ResEncoded>
  /** Whether the route takes an Idempotency-Key: every attempt of a call then carries the same one. */
  readonly keyed: boolean
  /** The 404/409 codes this route documents; the same codes elsewhere are an `ApiError`. */
  readonly documented: ReadonlyArray<D>
  /**
   * What a `NotFound` means on a retry after an attempt whose outcome was lost: for DELETE, that the lost attempt
   * did the work. Left out, a `NotFound` is always an error.
   */
  readonly whenGoneAfterLostAttempt?: Res | undefined
}

/** Per-call settings; each one overrides the client's. */
export interface CallOptions {
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly deadline?: Duration.DurationInput | undefined
}

/** Per-call settings of a route that takes an Idempotency-Key. */
export interface KeyedCallOptions extends CallOptions {
  /** Reuse a key from an earlier call to replay it. Generated when absent. */
  readonly idempotencyKey?: string | undefined
}

/** What a call sends, before validation. */
export interface Input {
  readonly path?: unknown
  readonly query?: unknown
  readonly body?: unknown
}

/** A successful call: the decoded body and what a caller needs to trace or repeat it. */
export interface Success<Res> {
  readonly body: Res
  /** The key every attempt carried; `null` on routes that take none. */
  readonly idempotencyKey: IdempotencyKey.IdempotencyKey | null
  readonly requestId: string | null
  readonly attempts: number
}

/** The error channel of an operation: what every route can produce, plus what this one documents. */
export type Failure<D extends DocumentedTag> = HeyGenError.BaseError | Documented[D]

// ---------------------------------------------------------------------------------------------------------------
// 1. validate

// The value of the first refusal of an event type in the issue, if that is what it is.
const unknownEventType = (issue: ParseResult.ParseIssue): Option.Option<unknown> => {
  if ("ast" in issue && AST.getIdentifierAnnotation(issue.ast).pipe(Option.contains("WebhookEventType"))) {
    return Option.some(issue.actual)
  }
  // A field (Pointer), a filter (Refinement) or a transformation wraps the issue under it.
  if (issue._tag === "Pointer" || issue._tag === "Refinement" || issue._tag === "Transformation") {
    return unknownEventType(issue.issue)
  }
  if (issue._tag === "Composite") {
    // A union (`events` may be null) refuses each of its members: the event type is under one of them.
    return Option.firstSomeOf(Arr.ensure(issue.issues).map(unknownEventType))
  }
  return Option.none()
}

const firstIssue = (issue: ParseResult.ParseIssue, fallbackField: string): HeyGenError.ValidationError => {
  const [first] = ParseResult.ArrayFormatter.formatIssueSync(issue)
  const field = first && first.path.length > 0 ? first.path.map(String).join(".") : fallbackField
  const message = `${field}: ${first?.message ?? "is invalid"}`
  return Option.match(unknownEventType(issue), {
    onNone: () => new HeyGenError.ValidationError({ field, message }),
    onSome: (actual) =>
      new HeyGenError.ValidationError({
        field,
        message,
        kind: "UnknownEventType",
        actual: WebhookEventType.showActual(actual),
        allowed: WebhookEventType.values,
        suggestion: typeof actual === "string" ? WebhookEventType.closest(actual) ?? null : null
      })
  })
}

// Parsers compiled once per schema, not on every call (building one walks the schema's AST); a handful of entries.
const encoders = new WeakMap<
  Schema.Schema.AnyNoContext,
  (input: unknown) => Either.Either<unknown, ParseResult.ParseError>
>()
const decoders = new WeakMap<
  Schema.Schema.AnyNoContext,
  (input: unknown) => Either.Either<unknown, ParseResult.ParseError>
>()

const compiled = <S extends Schema.Schema.AnyNoContext>(
  cache: WeakMap<Schema.Schema.AnyNoContext, (input: unknown) => Either.Either<unknown, ParseResult.ParseError>>,
  schema: S,
  make: (schema: S) => (input: unknown) => Either.Either<unknown, ParseResult.ParseError>
) => {
  let parse = cache.get(schema)
  if (parse === undefined) cache.set(schema, parse = make(schema))
  return parse
}

const encode = (schema: Schema.Schema.AnyNoContext | undefined, input: unknown, fallbackField: string) =>
  schema === undefined ? Either.right(undefined) : compiled(encoders, schema, (s) => {
    const encodeEither = Schema.encodeUnknownEither(s)
    return (u) => encodeEither(u, { onExcessProperty: "error" })
  })(input).pipe(Either.mapLeft((error) => firstIssue(error.issue, fallbackField)))

/** The request's variable parts, validated and encoded; nothing has been sent when this fails. */
interface Encoded {
  /** The path with its parameters filled in and percent-encoded. */
  readonly path: string
  /** The id the path names, if any: a `NotFound` reports it. */
  readonly resourceId: string | null
  readonly query: Record<string, string> | null
  readonly body: unknown
}

const validate = (
  operation: Operation<unknown, unknown, DocumentedTag>,
  input: Input
): Either.Either<Encoded, HeyGenError.ValidationError> =>
  Either.all([
    encode(operation.pathParams, input.path ?? {}, "path"),
    encode(operation.query, input.query ?? {}, "query"),
    encode(operation.body, input.body, "body")
  ]).pipe(Either.map(([pathParams, query, body]) => {
    let resourceId: string | null = null
    const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = String((pathParams as Record<string, unknown> | undefined)?.[name] ?? "")
      resourceId ??= value
      return encodeURIComponent(value)
    })
    return { path, resourceId, query: query === undefined ? null : queryString(query), body }
  }))

const queryString = (encoded: unknown): Record<string, string> | null => {
  const out: Record<string, string> = {}
  let any = false
  for (const [name, value] of Object.entries(encoded as Record<string, unknown>)) {
    if (value === undefined) continue
    out[name] = String(value)
    any = true
  }
  return any ? out : null
}

// ---------------------------------------------------------------------------------------------------------------
// 2. key

const resolveKey = (keyed: boolean, given: string | undefined) =>
  !keyed
    ? Effect.succeed(null)
    : given === undefined
    ? IdempotencyKey.generate
    : Schema.decodeUnknown(IdempotencyKey.IdempotencyKey)(given).pipe(
      Effect.mapError((error) => firstIssue(error.issue, "idempotencyKey"))
    )

// ---------------------------------------------------------------------------------------------------------------
// 3. send

// The URL and the fixed headers, built once per client, method and path rather than parsed on every call (one
// entry per endpoint id a process touches).
const baseRequests = new WeakMap<HeyGenClient.Service, Map<string, HttpClientRequest.HttpClientRequest>>()

const baseRequest = (client: HeyGenClient.Service, method: Method, path: string) => {
  let byRoute = baseRequests.get(client)
  if (byRoute === undefined) baseRequests.set(client, byRoute = new Map())
  const route = `${method} ${path}`
  let request = byRoute.get(route)
  if (request === undefined) {
    const auth = client.credentials._tag === "ApiKey"
      ? { "x-api-key": Redacted.value(client.credentials.apiKey) }
      : { authorization: `Bearer ${Redacted.value(client.credentials.token)}` }
    request = HttpClientRequest.make(method)(new URL(path, client.baseUrl)).pipe(
      HttpClientRequest.setHeaders({ ...auth, "user-agent": client.userAgent, accept: "application/json" })
    )
    if (byRoute.size > 1_000) byRoute.clear()
    byRoute.set(route, request)
  }
  return request
}

const buildRequest = (
  client: HeyGenClient.Service,
  method: Method,
  encoded: Encoded,
  key: IdempotencyKey.IdempotencyKey | null
) => {
  let request = baseRequest(client, method, encoded.path)
  if (encoded.query !== null) request = HttpClientRequest.setUrlParams(request, encoded.query)
  if (key !== null) request = HttpClientRequest.setHeader(request, "idempotency-key", key)
  if (encoded.body !== undefined) {
    request = HttpClientRequest.bodyText(request, JSON.stringify(encoded.body), "application/json")
  }
  return request
}

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

/** A failure of the consumer's `HttpClient`, as a `TransportError` that says what happened and holds no credential. */
const transportError = (
  client: HeyGenClient.Service,
  request: HttpClientRequest.HttpClientRequest,
  key: IdempotencyKey.IdempotencyKey | null,
  error: HttpClientError.HttpClientError
) => {
  // A connection refused, reset or cut mid-body: the server may or may not have acted.
  const { cause, detail, reason } = Transport.describe(error, credentialValue(client.credentials))
  return new HeyGenError.TransportError({
    message: `${reason}: ${request.method} ${request.url}${detail === "" ? "" : ` (${detail})`}`,
    reason,
    method: request.method,
    url: request.url,
    cause,
    idempotencyKey: key
  })
}

// The platform's own client span is turned off for our requests: its exit value is the response, which holds the
// request and so the raw key in its headers (only the span's attributes are redacted). The attempt span below
// takes its place, with the same OpenTelemetry attributes, and ends with no value.
const noPlatformSpan = () => true

/** The request and its response body, as a `Reply`: what runs under the attempt's time limit. */
const exchange = (
  client: HeyGenClient.Service,
  request: HttpClientRequest.HttpClientRequest,
  key: IdempotencyKey.IdempotencyKey | null,
  span: Tracer.Span
): Effect.Effect<Reply, HeyGenError.TransportError> =>
  client.httpClient.execute(request).pipe(
    Effect.flatMap((response: HttpClientResponse.HttpClientResponse) => {
      span.attribute("http.response.status_code", response.status)
      // Retry-After counts from when the response arrived, not from when its body finished.
      return Effect.zipWith(
        Clock.currentTimeMillis,
        response.text,
        (at, text): Reply => ({ status: response.status, headers: response.headers, text, receivedAt: at })
      )
    }),
    Effect.catchAll((error) => Effect.fail(transportError(client, request, key, error))),
    Effect.locally(HttpClient.currentTracerDisabledWhen, noPlatformSpan)
  )

/** The Tracer every fiber has unless a program installs another: its spans are kept by nobody. */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Whether a tracer that records spans is installed (OpenTelemetry, DevTools, any `Tracer.make`). Without one, an
 * attempt span is a dear object nobody reads, so attempts then run under the call span.
 */
const recordsSpans = Effect.map(Effect.tracer, (tracer) => tracer !== nativeTracer)

// Trace context goes out as the platform's span would have sent it (b3 and traceparent headers).
const propagated = (request: HttpClientRequest.HttpClientRequest, span: Tracer.Span) =>
  Effect.map(
    FiberRef.get(HttpClient.currentTracerPropagation),
    (propagate) => propagate ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span)) : request
  )

/**
 * One attempt. When spans are recorded, under its own span (`HeyGen.<operation>.attempt`, kind client): the
 * attempt number, the key, and the HTTP attributes the platform's client span would have had. Its exit value is
 * void: the reply's text may be the signing secret, and a tracer keeps what a span ends with. When nobody records
 * spans, the attempt runs under the call's span and its attributes go nowhere.
 */
const send = (
  client: HeyGenClient.Service,
  operation: string,
  request: HttpClientRequest.HttpClientRequest,
  key: IdempotencyKey.IdempotencyKey | null,
  n: number,
  limit: AttemptLimit,
  call: { readonly span: Tracer.Span; readonly recorded: boolean }
): Effect.Effect<Reply, HeyGenError.TransportError | HeyGenError.TimeoutError> => {
  // The request, sent with `span`'s trace context, under the attempt's time limit.
  const under = (span: Tracer.Span) =>
    Effect.flatMap(
      propagated(request, span),
      (traced) => AttemptTimer.limit(client, exchange(client, traced, key, span), limit.duration, limit.onTimeout)
    )
  if (!call.recorded) return under(call.span)
  let reply: Reply | undefined
  const attributes = {
    "heygen.attempt": n,
    ...(key === null ? {} : { "heygen.idempotency_key": key }),
    "http.request.method": request.method,
    "url.full": request.url,
    "server.address": client.baseUrl.origin
  }
  return Effect.useSpan(
    `HeyGen.${operation}.attempt`,
    { kind: "client", captureStackTrace: false, attributes },
    (span) =>
      under(span).pipe(
        Effect.map((received) => {
          reply = received
        }),
        Effect.withParentSpan(span)
      )
  ).pipe(Effect.map(() => reply!))
}

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

const classify = (
  reply: Reply,
  key: IdempotencyKey.IdempotencyKey | null,
  credential: string,
  documented: ReadonlyArray<DocumentedTag>,
  resourceId: string | null
): HeyGenError.RequestFailure => {
  // Every string the server sent is scrubbed before it is stored: a misbehaving proxy may echo the key anywhere.
  const clean = (s: string | null) => (s === null ? null : scrub(s, credential))
  const requestId = clean(reply.headers["x-request-id"] ?? null)
  const body = Option.flatMap(parseJson(reply.text), decodeErrorBody)

  if (reply.status === 429) {
    // Whatever the body (a CDN may send its own), a 429 is a rate limit and its Retry-After is what matters.
    return new HeyGenError.RateLimited({
      status: 429,
      code: Option.match(body, { onNone: () => "rate_limit_exceeded", onSome: (b) => scrub(b.error.code, credential) }),
      message: Option.match(body, {
        onNone: () => "Too many requests",
        onSome: (b) => scrub(b.error.message, credential)
      }),
      param: Option.match(body, { onNone: () => null, onSome: (b) => clean(b.error.param) }),
      docUrl: Option.match(body, { onNone: () => null, onSome: (b) => clean(b.error.doc_url) }),
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
    code: scrub(code, credential),
    message: scrub(message, credential),
    param: clean(param),
    docUrl: clean(doc_url),
    requestId,
    idempotencyKey: key
  }
  if (reply.status === 400 && code === "invalid_parameter") return new HeyGenError.InvalidParameter(fields)
  if (reply.status === 401) return new HeyGenError.AuthenticationFailed(fields)
  if (reply.status === 404 && code === "not_found" && documented.includes("NotFound")) {
    return new HeyGenError.NotFound({ ...fields, resourceId: resourceId ?? "" })
  }
  if (reply.status === 409 && code === "conflict" && documented.includes("Conflict")) {
    return new HeyGenError.Conflict(fields)
  }
  if (reply.status === 409 && code === "request_in_progress" && documented.includes("RequestInProgress")) {
    return new HeyGenError.RequestInProgress(fields)
  }
  return new HeyGenError.ApiError(fields)
}

// ---------------------------------------------------------------------------------------------------------------
// 5. decode

const decodeSuccess = <Res, ResEncoded>(
  schema: Schema.Schema<Res, ResEncoded>,
  reply: Reply,
  key: IdempotencyKey.IdempotencyKey | null,
  credential: string
): Either.Either<Res, HeyGenError.UnexpectedResponse> => {
  const unexpected = (why: string) =>
    new HeyGenError.UnexpectedResponse({
      status: reply.status,
      message: scrub(`HTTP ${reply.status} ${why}`, credential),
      bodyExcerpt: excerpt(reply.text, credential),
      requestId: reply.headers["x-request-id"] === undefined ? null : scrub(reply.headers["x-request-id"], credential),
      idempotencyKey: key
    })
  return Option.match(parseJson(reply.text), {
    onNone: () => Either.left(unexpected("with a body that is not JSON")),
    onSome: (json) =>
      (compiled(decoders, schema as Schema.Schema.AnyNoContext, (s) => Schema.decodeUnknownEither(s))(
        json
      ) as Either.Either<
        Res,
        ParseResult.ParseError
      >).pipe(
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
// this is the hot path): each attempt gets at most what is left of it, and no attempt starts with less than a
// minimum slice left. A wait is never cut short, so when the deadline stops the retries the caller gets the real
// last error (a RateLimited carrying its Retry-After, say); `TimeoutError{scope:"call"}` means that an attempt was
// cut off in flight, and nothing else.

/**
 * The least time worth starting an attempt with: 50 ms, or the attempt timeout or the whole deadline when either is
 * shorter (so the first attempt always starts: a caller who asks for a 10 ms deadline asks for one short try).
 *
 * Why 50 ms: an attempt needs a round trip to be of any use. Over the internet to HeyGen that is tens of
 * milliseconds (more with a TLS handshake), so an attempt started with less would almost surely be cut off in flight:
 * it would replace the last real error with a timeout, and reach the server after the caller stopped listening.
 * Checked twice: before a wait (no point waiting for an attempt that could not run) and again after it, because a
 * real timer fires late and the wait may have eaten the slice.
 */
export const minimumSlice = Duration.millis(50)

const sliceFor = (attemptTimeout: Duration.Duration, deadline: Duration.Duration): number =>
  Duration.toMillis(Duration.min(minimumSlice, Duration.min(attemptTimeout, deadline)))

const attemptLimit = (
  now: number,
  deadlineAt: number,
  attemptTimeout: Duration.Duration,
  deadline: Duration.Duration,
  key: IdempotencyKey.IdempotencyKey | null
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

/** The policy, stopped before a wait after which less than the slice would be left. */
const withinDeadline = (policy: RetryPolicy.RetryPolicy, deadlineAt: number, slice: number) =>
  Schedule.delays(policy).pipe(
    Schedule.checkEffect((_, wait) =>
      Effect.map(Clock.currentTimeMillis, (now) => now + Duration.toMillis(wait) + slice <= deadlineAt)
    )
  )

/**
 * Whether repeating a request whose outcome was lost is safe: reads change nothing (GET), PATCH sets absolute
 * values and DELETE's goal holds however often it runs, and a POST is safe only with an Idempotency-Key (the server
 * replays the first outcome). Every route of this API is safe; the rule is here for the next one that is not.
 */
export const retrySafe = (method: Method, keyed: boolean): boolean => method !== "POST" || keyed

/**
 * `Effect.retry`, started only once an attempt has failed: most calls succeed at once, and a schedule driver is
 * not free on the hot path. The driver sleeps for each delay the policy decides, and stops it when it is done.
 * After each wait, an attempt starts only if the slice is still left; otherwise the last error stands.
 */
const retrying = <A>(
  attempt: Effect.Effect<A, HeyGenError.RequestFailure>,
  policy: RetryPolicy.RetryPolicy,
  first: HeyGenError.RequestFailure,
  deadlineAt: number,
  slice: number
): Effect.Effect<A, HeyGenError.RequestFailure> =>
  Effect.flatMap(Schedule.driver(policy), (driver) => {
    const again = (error: HeyGenError.RequestFailure): Effect.Effect<A, HeyGenError.RequestFailure> =>
      Effect.matchEffect(driver.next(error), {
        onFailure: () => Effect.fail(error),
        onSuccess: () =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            deadlineAt - now < slice ? Effect.fail(error) : Effect.catchAll(attempt, again))
      })
    return again(first)
  })

/**
 * Runs one operation: validate, then attempt (send, classify, decode) under the retry policy and the deadline.
 * Interrupting the returned effect interrupts the in-flight request or the wait between attempts.
 *
 * The call's span (`HeyGen.<operation>`) carries the operation and the key, and ends with no value: the result
 * holds the decoded body (a signing secret, a page of endpoints), and a tracer keeps what a span ends with.
 */
export const execute = <Res, ResEncoded, D extends DocumentedTag>(
  operation: Operation<Res, ResEncoded, D>,
  input: Input,
  options: KeyedCallOptions = {}
): Effect.Effect<Success<Res>, Failure<D>, HeyGenClient.HeyGenClient> =>
  Effect.suspend(() => {
    let success: Success<Res> | undefined
    return Effect.useSpan(
      `HeyGen.${operation.name}`,
      // No stack trace on the spans: capturing one costs more than the rest of the span, on every call, and the
      // span names already say where they come from.
      { attributes: { "heygen.operation": operation.name }, captureStackTrace: false },
      (span) =>
        Effect.withParentSpan(
          Effect.map(run(operation, input, options, span), (done) => {
            success = done
          }),
          span
        )
    ).pipe(Effect.map(() => success!))
  }) as Effect.Effect<Success<Res>, Failure<D>, HeyGenClient.HeyGenClient>
// The cast narrows HeyGenError to what this route can produce: `classify` makes a documented error only for the
// tags in `operation.documented`, and validation errors and base failures are in every route's union.

const run = <Res, ResEncoded, D extends DocumentedTag>(
  operation: Operation<Res, ResEncoded, D>,
  input: Input,
  options: KeyedCallOptions,
  span: Tracer.Span
): Effect.Effect<Success<Res>, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient> =>
  Effect.gen(function*() {
    const client = yield* HeyGenClient.HeyGenClient
    const encoded = yield* validate(operation as Operation<unknown, unknown, DocumentedTag>, input)
    const key = yield* resolveKey(operation.keyed, options.idempotencyKey)
    if (key !== null) span.attribute("heygen.idempotency_key", key)
    const call = { span, recorded: yield* recordsSpans }

    const credential = credentialValue(client.credentials)
    const attemptTimeout = Duration.decode(options.attemptTimeout ?? client.attemptTimeout)
    const deadline = Duration.decode(options.deadline ?? client.deadline)
    const deadlineAt = (yield* Clock.currentTimeMillis) + Duration.toMillis(deadline)
    const slice = sliceFor(attemptTimeout, deadline)
    // Built once: every attempt sends the very same request, Idempotency-Key included.
    const request = buildRequest(client, operation.method, encoded, key)
    let attempts = 0
    // Whether an earlier attempt may have done the work without our hearing of it (see `RetryPolicy.isOutcomeLost`).
    let lostBefore = false

    const attempt = Effect.gen(function*() {
      const n = ++attempts
      const limit = attemptLimit(yield* Clock.currentTimeMillis, deadlineAt, attemptTimeout, deadline, key)
      const reply = yield* send(client, operation.name, request, key, n, limit, call)
      const requestId = reply.headers["x-request-id"] ?? null
      if (reply.status < 200 || reply.status >= 300) {
        const error = classify(reply, key, credential, operation.documented, encoded.resourceId)
        if (error._tag === "NotFound" && lostBefore && operation.whenGoneAfterLostAttempt !== undefined) {
          return { body: operation.whenGoneAfterLostAttempt, requestId }
        }
        return yield* Effect.fail(error)
      }
      const decoded = yield* decodeSuccess(operation.response, reply, key, credential)
      return { body: decoded, requestId }
    }).pipe(
      Effect.tapError((error) => {
        if (RetryPolicy.isOutcomeLost(error)) lostBefore = true
        return Effect.logDebug(`HeyGen ${operation.name} attempt failed`).pipe(
          Effect.annotateLogs({ error: error._tag, message: error.message, idempotencyKey: key })
        )
      })
    )

    const safe = retrySafe(operation.method, operation.keyed)
    const policy = options.retryPolicy ?? client.retryPolicy
    const outcome = yield* Effect.catchAll(
      attempt,
      (first) =>
        retrying(
          attempt,
          withinDeadline(
            safe
              ? policy
              : policy.pipe(Schedule.whileInput((e: HeyGenError.RequestFailure) => !RetryPolicy.isOutcomeLost(e))),
            deadlineAt,
            slice
          ),
          first,
          deadlineAt,
          slice
        )
    )
    return { ...outcome, idempotencyKey: key, attempts }
  })
