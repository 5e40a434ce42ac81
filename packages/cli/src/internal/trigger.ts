/**
 * `sandbox trigger`: the sandbox signs an event with the secret of each endpoint it holds that is subscribed to
 * the type, logs it, and delivers it to `--forward-to` (without it, the event is only logged, as HeyGen logs an
 * event whose delivery failed, for `webhook events listen --sandbox` to pick up) (a receiver on your machine: the endpoints' registered public URLs
 * are not served there), retrying with backoff on failure and printing every attempt, as `stripe trigger` with
 * `stripe listen --forward-to` does.
 *
 * The endpoints are those the sandbox holds in its state file (created with `webhook endpoints create --sandbox`),
 * plus one subscribed to everything for each `--secret-file` (the secret your receiver is configured with). The
 * event is recorded in the sandbox's event log, and the delivery carries the logged id and creation time.
 * `--header-style legacy` sends the form production receivers have reported (a plain `signature` header only)
 * instead of the documented `Heygen-*` headers.
 *
 * @since 0.2.0
 */
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Failure from "./failure.js"
import * as SandboxState from "./sandboxState.js"
import { readSecrets } from "./verify.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Flags {
  readonly eventType: string
  readonly data: Option.Option<Record<string, unknown>>
  readonly forwardTo: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly headerStyle: FakeDelivery.HeaderStyle
  readonly human: boolean
}

/**
 * The CLI's redelivery policy: 1 s, 2 s, 4 s, 8 s, 16 s (five retries), short enough to watch.
 *
 * @since 0.2.0
 * @category constants
 */
export const retry: Schedule.Schedule<unknown, FakeDelivery.Attempt> = Schedule.exponential("1 second").pipe(
  Schedule.intersect(Schedule.recurs(5))
)

/**
 * `schedule`, except that a 404 or 405 ends the retries at once: nothing is served at that path (or not for a
 * POST), and retrying cannot change that, unlike a receiver that is starting or briefly down.
 *
 * @since 0.5.0
 * @category constants
 */
export const untilWrongPath = (
  schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt>
): Schedule.Schedule<unknown, FakeDelivery.Attempt> =>
  Schedule.whileInput(schedule, (attempt: FakeDelivery.Attempt) => !isWrongPath(attempt.status))

const isWrongPath = (status: number | null): boolean => status === 404 || status === 405

/**
 * The hint for a receiver that answered 404 or 405 (see `untilWrongPath`), naming the path; undefined for other
 * answers.
 *
 * @since 0.5.0
 * @category failures
 */
export const wrongPathHint = (url: string, status: number | null): string | undefined => {
  if (!isWrongPath(status)) return undefined
  const path = URL.canParse(url) ? new URL(url).pathname : url
  return `the receiver answered ${status} for POST ${path}: it serves no webhook at that path (not retried); ` +
    "check the path in --forward-to against the one your receiver serves (the READMEs' receivers serve /hooks/heygen)"
}

/**
 * Delivers one event to `endpoints` through `forwardTo`, printing each attempt; fails (exit 1) when an endpoint's
 * delivery gave up.
 *
 * @since 0.2.0
 * @category commands
 */
export const trigger = (
  endpoints: ReadonlyArray<FakeDelivery.Endpoint>,
  flags: Omit<Flags, "secretFile" | "forwardTo" | "headerStyle" | "data"> & {
    readonly data: Readonly<Record<string, unknown>>
    readonly forwardTo: string
    readonly eventId?: string | undefined
    readonly createdAt?: string | undefined
    readonly headerStyle?: FakeDelivery.HeaderStyle | undefined
  },
  schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt> = retry
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const targets = endpoints.filter((e) => FakeDelivery.receives(e, flags.eventType))
    if (targets.length === 0) {
      return yield* Effect.fail(noEndpoints(flags.eventType))
    }
    const delivery = yield* FakeDelivery.deliver(targets, flags.eventType, flags.data, {
      eventId: flags.eventId,
      createdAt: flags.createdAt,
      headerStyle: flags.headerStyle,
      route: flags.forwardTo,
      retry: untilWrongPath(schedule),
      onAttempt: (a) =>
        Effect.sync(() =>
          io.stdout(
            flags.human
              ? `${a.endpointId} attempt ${a.attempt}: ${a.status ?? a.outcome} ${
                a.outcome === "Delivered" ? "delivered" : ""
              }\n`
              : `${
                JSON.stringify({
                  endpoint_id: a.endpointId,
                  attempt: a.attempt,
                  status: a.status,
                  outcome: a.outcome,
                  url: a.url
                })
              }\n`
          )
        )
    }).pipe(
      // node:http, as every other command: the bundle stubs undici (scripts/bundle.mjs), so its client would
      // fail in the built bin with "Agent is not a constructor".
      Effect.provide(NodeHttpClient.layer)
    )
    const gaveUp = delivery.endpoints.filter((e) => e.outcome !== "Delivered")
    if (gaveUp.length > 0) {
      const wrongPath = gaveUp.map((e) => wrongPathHint(flags.forwardTo, e.attempts.at(-1)?.status ?? null))
        .find((h) => h !== undefined)
      return yield* Effect.fail(
        new Failure.CliError({
          code: "cli_delivery_failed",
          message: `${delivery.eventId} was not delivered to ${flags.forwardTo} for ${
            gaveUp.map((e) => e.endpointId).join(", ")
          }`,
          hint: wrongPath ?? "check that your receiver is listening there and answers 2xx",
          param: "--forward-to",
          exitCode: ExitCode.ApiOrNetwork
        })
      )
    }
    if (flags.human) io.stdout(`event ${delivery.eventId} delivered\n`)
  })

/**
 * Checks everything first (flags, the secret file, that some endpoint receives the event), then, under the
 * sandbox's lock, records the event in its log (so `webhook events list --sandbox` shows it) and saves the state,
 * and delivers. A trigger refused for any reason logs nothing: the log holds only events that were sent.
 *
 * @since 0.2.0
 * @category commands
 */
export const run = (flags: Flags): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const forwardTo = Option.getOrUndefined(flags.forwardTo)
    const data = Option.getOrElse(flags.data, () => ({}))
    const fromFile: Array<FakeDelivery.Endpoint> = []
    if (Option.isSome(flags.secretFile)) {
      const secrets = yield* readSecrets(io.cwd, flags.secretFile.value)
      secrets.forEach((secret, i) =>
        fromFile.push({ endpoint_id: `secret_file_${i + 1}`, url: forwardTo ?? "", events: null, secret })
      )
    }
    const file = SandboxState.path(io.env)
    const { createdAt, endpoints, eventId } = yield* SandboxState.withLock(
      file,
      Effect.gen(function*() {
        const saved = yield* SandboxState.load(file)
        const state = Option.isNone(saved)
          ? undefined
          : yield* Effect.mapError(decodeState(saved.value), () => SandboxState.corrupt(file))
        const fake = yield* FakeHeyGen.make(state === undefined ? {} : { initialState: state })
        const stored = yield* fake.endpoints(FakeHeyGen.sandboxApiKey)
        const endpoints = [
          ...stored.map((e): FakeDelivery.Endpoint => ({
            endpoint_id: e.endpoint_id,
            url: e.url,
            events: e.events,
            status: e.status,
            secret: Redacted.make(e.secret)
          })),
          ...fromFile
        ].filter((e) => FakeDelivery.receives(e, flags.eventType))
        if (endpoints.length === 0) return yield* Effect.fail(noEndpoints(flags.eventType))
        const logged = yield* fake.recordEvent({ eventType: flags.eventType, eventData: data })
        yield* SandboxState.save(file, Schema.encodeSync(FakeHeyGen.State)(yield* fake.snapshot))
        return { eventId: logged.event_id, createdAt: logged.created_at, endpoints }
      })
    )
    if (forwardTo === undefined) {
      // Logged only, as HeyGen logs an event whose delivery failed: `webhook events listen --sandbox` forwards it.
      io.stdout(
        flags.human
          ? `event ${eventId} logged for ${
            endpoints.map((e) => e.endpoint_id).join(", ")
          } (no --forward-to: not delivered)\n`
          : `${
            JSON.stringify({ event_id: eventId, event_type: flags.eventType, created_at: createdAt, delivered: false })
          }\n`
      )
      return
    }
    return yield* trigger(endpoints, { ...flags, data, forwardTo, eventId, createdAt })
  })

const noEndpoints = (eventType: string) =>
  new Failure.CliError({
    code: "cli_no_endpoints",
    message: `no sandbox endpoint is subscribed to ${eventType}`,
    hint: "pass --secret-file with the secret your receiver verifies with",
    param: "--secret-file",
    exitCode: ExitCode.Usage
  })

const decodeState = Schema.decodeUnknown(FakeHeyGen.State)
