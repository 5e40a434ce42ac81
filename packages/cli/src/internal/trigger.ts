// `sandbox trigger`, as `stripe trigger` with `stripe listen --forward-to`: signs an event with the secret of each
// endpoint subscribed to its type (the sandbox's own, plus one per secret in --secret-file), records it in the
// sandbox's event log, and delivers it to --forward-to (a receiver on this machine: the endpoints' public URLs are
// not served here), retrying and printing every attempt. Without --forward-to the event is only logged, as HeyGen
// logs one whose delivery failed, for `webhook events listen --sandbox` to forward.
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as FakeHeyGen from "@effect-heygen/test-utils/FakeHeyGen"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Failure from "./failure.js"
import type * as Flags from "./flags.js"
import { printer, untilWrongPath, wrongPathHint } from "./forward.js"
import type * as SandboxCommands from "./sandboxCommands.js"
import * as SandboxState from "./sandboxState.js"
import { readSecrets } from "./verify.js"

/** Delivers one event to `endpoints` through `forwardTo`, printing each attempt; exit 1 when one gave up. */
export const trigger = (
  endpoints: ReadonlyArray<FakeDelivery.Endpoint>,
  event: Pick<FakeDelivery.Options, "eventId" | "createdAt" | "headerStyle"> & {
    readonly eventType: string
    readonly data: Readonly<Record<string, unknown>>
    readonly forwardTo: string
    readonly human: boolean
  },
  // 1 s, 2 s, 4 s, 8 s, 16 s: short enough to watch.
  schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt> = Schedule.exponential("1 second").pipe(
    Schedule.intersect(Schedule.recurs(5))
  )
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const print = printer(io, event.human)
    // Over node:http, as every other command: the bundle stubs undici (scripts/bundle.mjs).
    const delivery = yield* FakeDelivery.deliver(endpoints, event.eventType, event.data, {
      eventId: event.eventId,
      createdAt: event.createdAt,
      headerStyle: event.headerStyle,
      route: event.forwardTo,
      retry: untilWrongPath(schedule),
      onAttempt: ({ attempt, endpointId, outcome, status, url }) =>
        Effect.sync(() =>
          print(
            `${endpointId} attempt ${attempt}: ${status ?? outcome} ${outcome === "Delivered" ? "delivered" : ""}`,
            { endpoint_id: endpointId, attempt, status, outcome, url }
          )
        )
    }).pipe(Effect.provide(NodeHttpClient.layer))
    const gaveUp = delivery.endpoints.filter((e) => e.outcome !== "Delivered")
    if (gaveUp.length > 0) {
      return yield* new Failure.CliError({
        code: "cli_delivery_failed",
        message: `${delivery.eventId} was not delivered to ${event.forwardTo} for ${
          gaveUp.map((e) => e.endpointId).join(", ")
        }`,
        hint: gaveUp.map((e) => wrongPathHint(event.forwardTo, e.attempts.at(-1)?.status ?? null))
          .find((h) => h !== undefined) ?? "check that your receiver is listening there and answers 2xx",
        param: "--forward-to",
        exitCode: ExitCode.ApiOrNetwork
      })
    }
    if (event.human) io.stdout(`event ${delivery.eventId} delivered\n`)
  })

/**
 * Checks everything first (flags, the secret file, that some endpoint receives the event), then, under the
 * sandbox's lock, logs the event and saves the state, then delivers: a refused trigger logs nothing.
 */
export const run = (
  flags: Flags.Input<typeof SandboxCommands.triggerInputs>
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const forwardTo = Option.getOrUndefined(flags.forwardTo)
    const data = Option.getOrElse(flags.data, () => ({}))
    const secrets = Option.isSome(flags.secretFile) ? yield* readSecrets(io.cwd, flags.secretFile.value) : []
    const url = forwardTo ?? ""
    const fromFile = secrets.map((secret, i) => ({ endpoint_id: `secret_file_${i + 1}`, url, events: null, secret }))
    const file = SandboxState.path(io.env)
    const { endpoints, logged } = yield* SandboxState.withFake(file, (fake) =>
      Effect.gen(function*() {
        const endpoints = [
          ...(yield* fake.endpoints(FakeHeyGen.sandboxApiKey)).map((e) => ({ ...e, secret: Redacted.make(e.secret) })),
          ...fromFile
        ].filter((e) => FakeDelivery.receives(e, flags.eventType))
        if (endpoints.length === 0) {
          return yield* new Failure.CliError({
            code: "cli_no_endpoints",
            message: `no sandbox endpoint is subscribed to ${flags.eventType}`,
            hint: "pass --secret-file with the secret your receiver verifies with",
            param: "--secret-file",
            exitCode: ExitCode.Usage
          })
        }
        const logged = yield* fake.recordEvent({ eventType: flags.eventType, eventData: data })
        yield* SandboxState.saveFake(file, fake)
        return { endpoints, logged }
      }))
    const { created_at, event_id } = logged
    if (forwardTo !== undefined) {
      return yield* trigger(endpoints, { ...flags, data, forwardTo, eventId: event_id, createdAt: created_at })
    }
    printer(io, flags.human)(
      `event ${event_id} logged for ${endpoints.map((e) => e.endpoint_id).join(", ")} (no --forward-to: not delivered)`,
      { event_id, event_type: flags.eventType, created_at, delivered: false }
    )
  })
