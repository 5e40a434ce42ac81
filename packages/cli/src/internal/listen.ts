/**
 * `webhook events listen`: receive without a public endpoint. It follows HeyGen's event log (core's
 * `WebhookEvents.follow`, or the sandbox's log with `--sandbox`) and POSTs each new event to `--forward-to` as a
 * documented delivery signed with the receiver's secret, `Heygen-Event-Id` the log's `event_id`, as `replay` does.
 *
 * A forward that is refused or cannot reach the receiver is printed and tried again, 1 s, 2 s, ... then every
 * 30 s, for as long as `listen` runs: an event is never dropped. Ctrl-C lets the attempt in flight finish, prints a
 * summary line and exits 0; an event still waiting for its receiver is named there, and `--since` from its
 * `created_at` picks it up again (the follower resumes from any instant: run it with `--since 1h` after a laptop
 * slept). A 404 or 405 stops at once: nothing is served at that path.
 *
 * @since 0.5.0
 */
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import type * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Call from "./call.js"
import * as Failure from "./failure.js"
import { wrongPathHint } from "./trigger.js"
import { readSecrets } from "./verify.js"

/**
 * @since 0.5.0
 * @category models
 */
export interface Flags extends Call.ConnectionFlags {
  /** Epoch milliseconds; default now. */
  readonly since: Option.Option<number>
  readonly interval: Option.Option<Duration.Duration>
  readonly forwardTo: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly eventTypes: ReadonlyArray<WebhookEventType.WebhookEventType>
  readonly entityId: Option.Option<string>
}

/**
 * How a forward is tried again: 1 s, doubling, at most every 30 s, for as long as `listen` runs.
 *
 * @since 0.5.0
 * @category constants
 */
export const retry: Schedule.Schedule<unknown> = Schedule.exponential("1 second").pipe(
  Schedule.union(Schedule.spaced("30 seconds"))
)

const required = (flag: string, what: string) => Effect.fail(Failure.invalidFlag(flag, `is required: ${what}`))

interface Line {
  readonly event_id: string
  readonly event_type: string
  readonly created_at: string
  readonly outcome: "delivered" | "retrying" | "failed"
  readonly status: number | null
  readonly attempt: number
  /** From the event's first attempt to this answer. */
  readonly ms: number
  readonly error?: string
}

const why = (attempt: FakeDelivery.Attempt): string =>
  attempt.outcome === "TimedOut"
    ? "no answer within 10 s"
    : attempt.outcome === "Unreachable"
    ? "the receiver could not be reached"
    : `the receiver answered ${attempt.status}`

const human = (line: Line): string =>
  [
    line.outcome.padEnd(9),
    line.event_type,
    line.event_id,
    line.status === null ? "-" : String(line.status),
    `${line.ms} ms`,
    line.outcome === "delivered" ? "" : `attempt ${line.attempt}: ${line.error ?? ""}`
  ].join("  ").trimEnd()

/**
 * `webhook events listen`.
 *
 * @since 0.5.0
 * @category commands
 */
export const run = (flags: Flags): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    if (Option.isNone(flags.forwardTo)) return yield* required("--forward-to", "the URL your receiver listens on")
    if (Option.isNone(flags.secretFile)) {
      return yield* required("--secret-file", "the file holding your receiver's signing secret")
    }
    const url = flags.forwardTo.value
    // During a rotation the file holds the new secret first (as for replay): sign with it.
    const secret = (yield* readSecrets(io.cwd, flags.secretFile.value))[0]!
    const conn = yield* Call.connection(flags)
    const since = new Date(Option.isSome(flags.since) ? flags.since.value : yield* Clock.currentTimeMillis)
    const print = (line: Line) => io.stdout(flags.human ? `${human(line)}\n` : `${JSON.stringify(line)}\n`)
    let forwarded = 0
    let waiting: WebhookEvent.WebhookEvent | null = null

    // One attempt at a time, each finished even on Ctrl-C; the waits between them are where Ctrl-C stops.
    const forward = (event: WebhookEvent.WebhookEvent) =>
      Effect.gen(function*() {
        waiting = event
        const started = yield* Clock.currentTimeMillis
        const driver = yield* Schedule.driver(retry)
        for (let attempt = 1;; attempt++) {
          const delivery = yield* Effect.uninterruptible(FakeDelivery.deliver(
            [{ endpoint_id: "listen", url, events: null, secret }],
            event.event_type,
            event.event_data,
            {
              route: url,
              eventId: event.event_id,
              createdAt: event.created_at,
              headerStyle: "documented",
              retry: Schedule.stop
            }
          ))
          const last = delivery.endpoints[0]?.attempts.at(-1)
          const ms = (yield* Clock.currentTimeMillis) - started
          const line = (outcome: Line["outcome"]): Line => ({
            event_id: event.event_id,
            event_type: event.event_type,
            created_at: event.created_at,
            outcome,
            status: last?.status ?? null,
            attempt,
            ms,
            ...(outcome === "delivered" ? {} : { error: last === undefined ? "not sent" : why(last) })
          })
          if (delivery.endpoints[0]?.outcome === "Delivered") {
            print(line("delivered"))
            forwarded++
            waiting = null
            return
          }
          const wrongPath = wrongPathHint(url, last?.status ?? null)
          if (wrongPath !== undefined) {
            print(line("failed"))
            return yield* Effect.fail(
              new Failure.CliError({
                code: "cli_delivery_failed",
                message: `${event.event_id} was not delivered to ${url}`,
                hint: wrongPath,
                param: "--forward-to",
                exitCode: ExitCode.ApiOrNetwork
              })
            )
          }
          print(line("retrying"))
          yield* Effect.orDie(driver.next(undefined))
        }
      })

    const follow = WebhookEvents.follow({
      since,
      eventTypes: flags.eventTypes,
      entityId: Option.getOrUndefined(flags.entityId),
      pollInterval: Option.getOrUndefined(flags.interval)
    }, conn.limits)
    const listening = (client: HeyGenClient.Options) =>
      Stream.runForEach(follow, forward).pipe(
        Effect.provide(HeyGenClient.layer(client)),
        Effect.provide(NodeHttpClient.layer),
        Effect.mapError(Call.toFailure(undefined, conn.sources, { sandbox: conn.sandbox }))
      )
    const summary = Effect.sync(() => {
      const pending: WebhookEvent.WebhookEvent | null = waiting
      const resume = pending === null ? null : pending.created_at
      io.stdout(
        flags.human
          ? `stopped: ${forwarded} events forwarded since ${since.toISOString()}${
            resume === null ? "" : `; ${pending!.event_id} not yet delivered: run again with --since ${resume}`
          }\n`
          : `${
            JSON.stringify({
              stopped: true,
              since: since.toISOString(),
              forwarded,
              pending: pending?.event_id ?? null,
              resume_since: resume
            })
          }\n`
      )
    })
    // Ctrl-C is how listen stops (`awaitShutdown`): the command then ends with the summary and exit 0.
    yield* Effect.scoped(Effect.gen(function*() {
      let client = conn.client
      if (conn.sandbox) {
        // The sandbox served over its saved state, one request at a time, so `sandbox trigger` runs beside it.
        const Sandbox = yield* Effect.promise(() => import("./sandbox.js"))
        const served = yield* Sandbox.serve(0)
        client = { ...conn.client, apiKey: Redacted.make(served.apiKey), baseUrl: served.baseUrl }
      }
      // Said once the cut is fixed: an event logged after this line is forwarded.
      io.stdout(
        flags.human
          ? `listening for events since ${since.toISOString()}, forwarding to ${url}\n`
          : `${JSON.stringify({ listening: true, since: since.toISOString(), forward_to: url })}\n`
      )
      yield* Effect.raceFirst(listening(client), io.awaitShutdown)
    })).pipe(Effect.onInterrupt(() => summary))
    yield* summary
  })
