// `webhook events listen`: receive without a public endpoint. It follows HeyGen's event log (core's
// `WebhookEvents.follow`, or the sandbox's with --sandbox) and forwards each new event (see forward.ts). A refused or
// unreachable forward is printed and tried again for as long as listen runs, so no event is dropped; a 404 or 405
// stops at once. Ctrl-C lets the attempt in flight finish, prints a summary naming an event still waiting (--since
// its created_at picks it up again) and exits 0.
import * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Call from "./call.js"
import type * as Events from "./events.js"
import * as Failure from "./failure.js"
import type * as Flags from "./flags.js"
import * as Forward from "./forward.js"

/** How a forward is tried again: 1 s, doubling, at most every 30 s, for as long as listen runs. */
const retry = Schedule.exponential("1 second").pipe(Schedule.union(Schedule.spaced("30 seconds")))

export const run = (flags: Flags.Input<typeof Events.listenInputs>) =>
  Effect.gen(function*() {
    const io = yield* Io
    const to = yield* Forward.target(flags, io.cwd)
    const conn = yield* Call.connection(flags)
    const since = new Date(yield* Effect.orElse(flags.since, () => Clock.currentTimeMillis)).toISOString()
    const print = Forward.printer(io, flags.human)
    let forwarded = 0
    let waiting: WebhookEvent.WebhookEvent | undefined

    const forward = (event: WebhookEvent.WebhookEvent) =>
      Effect.gen(function*() {
        waiting = event
        const started = yield* Clock.currentTimeMillis
        const driver = yield* Schedule.driver(retry)
        for (let attempt = 1;; attempt++) {
          // Each attempt finishes even on Ctrl-C; the waits between them are where Ctrl-C stops.
          const { error, status } = yield* Effect.uninterruptible(Forward.send(event, to, Schedule.stop))
          const wrongPath = Forward.wrongPathHint(to.url, status)
          const outcome = error === undefined ? "delivered" : wrongPath === undefined ? "retrying" : "failed"
          const ms = (yield* Clock.currentTimeMillis) - started
          print(
            [outcome.padEnd(9), event.event_type, event.event_id, status ?? "-", `${ms} ms`]
              .concat(error === undefined ? [] : [`attempt ${attempt}: ${error}`]).join("  "),
            { ...Forward.about(event, outcome), status, attempt, ms, error }
          )
          if (error === undefined) {
            forwarded++
            waiting = undefined
            return
          }
          if (wrongPath !== undefined) {
            return yield* new Failure.CliError({
              code: "cli_delivery_failed",
              message: `${event.event_id} was not delivered to ${to.url}`,
              hint: wrongPath,
              param: "--forward-to",
              exitCode: ExitCode.ApiOrNetwork
            })
          }
          yield* Effect.orDie(driver.next(undefined))
        }
      })

    const summary = Effect.sync(() => {
      const [pending, resume_since] = [waiting?.event_id ?? null, waiting?.created_at ?? null]
      const more = pending === null ? "" : `; ${pending} not yet delivered: run again with --since ${resume_since}`
      const stopped = { stopped: true, since, forwarded, pending, resume_since }
      print(`stopped: ${forwarded} events forwarded since ${since}${more}`, stopped)
    })
    // Ctrl-C is how listen stops (`awaitShutdown`): the command then ends with the summary and exit 0.
    yield* Effect.scoped(Effect.gen(function*() {
      let client = conn.client
      if (conn.sandbox) {
        // The sandbox served over its saved state, one request at a time, so `sandbox trigger` runs beside it.
        const served = yield* Effect.flatMap(Effect.promise(() => import("./sandbox.js")), (s) => s.serve(0))
        client = { ...conn.client, apiKey: Redacted.make(served.apiKey), baseUrl: served.baseUrl }
      }
      // Said once the cut is fixed: an event logged after this line is forwarded.
      const listening = { listening: true, since, forward_to: to.url }
      print(`listening for events since ${since}, forwarding to ${to.url}`, listening)
      const follow = WebhookEvents.follow({
        since: new Date(since),
        eventTypes: flags.eventTypes,
        entityId: Option.getOrUndefined(flags.entityId),
        pollInterval: Option.getOrUndefined(flags.interval)
      }, conn.limits)
      yield* Effect.raceFirst(
        Stream.runForEach(follow, forward).pipe(
          Effect.provide(HeyGenClient.layer(client)),
          Effect.provide(NodeHttpClient.layer),
          Effect.mapError(Call.toFailure(undefined, conn.sources, { sandbox: conn.sandbox }))
        ),
        io.awaitShutdown
      )
    })).pipe(Effect.onInterrupt(() => summary))
    yield* summary
  })
