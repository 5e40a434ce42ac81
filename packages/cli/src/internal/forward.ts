// What `webhook events replay` and `listen` share: each POSTs events of HeyGen's log to the receiver at --forward-to
// as documented deliveries signed with the receiver's secret (test-utils' `FakeDelivery.deliver`, as `sandbox
// trigger` sends), `Heygen-Event-Id` the log's `event_id`, so a receiver that de-duplicates on it skips what it has
// handled. That assumes the log's `event_id` is the id HeyGen's deliveries carried: HeyGen does not document it, and
// integrations that compared them found them equal.
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { Io } from "../Io.js"
import * as Failure from "./failure.js"
import { readSecrets } from "./verify.js"

/** `--forward-to` and `--secret-file`'s first secret (during a rotation, the new one), checked before any call. */
export const target = (
  flags: { readonly forwardTo: Option.Option<string>; readonly secretFile: Option.Option<string> },
  cwd: string,
  unless = ""
) =>
  Effect.gen(function*() {
    const required = (flag: string, what: string) => Failure.invalidFlag(flag, `is required${unless}: ${what}`)
    if (Option.isNone(flags.forwardTo)) return yield* required("--forward-to", "the URL your receiver listens on")
    if (Option.isNone(flags.secretFile)) {
      return yield* required("--secret-file", "the file holding your receiver's signing secret")
    }
    return { url: flags.forwardTo.value, secret: (yield* readSecrets(cwd, flags.secretFile.value))[0]! }
  })

/** Prints `human` with --human, else `json` as one JSON line. */
export const printer = (io: Io["Type"], human: boolean) => (text: string, json: object) =>
  io.stdout(human ? `${text}\n` : `${JSON.stringify(json)}\n`)

/** The fields every printed line about an event starts with. */
export const about = <O extends string>(event: WebhookEvent.WebhookEvent, outcome: O) => ({
  event_id: event.event_id,
  event_type: event.event_type,
  created_at: event.created_at,
  outcome
})

const failures: Partial<Record<FakeDelivery.Attempt["outcome"], string>> = {
  TimedOut: "no answer within 10 s",
  Unreachable: "the receiver could not be reached"
}

/** Forwards one event: the receiver's last answer (null if none), the attempts, and why it failed (or undefined). */
export const send = (
  event: WebhookEvent.WebhookEvent,
  to: Effect.Effect.Success<ReturnType<typeof target>>,
  retry: Schedule.Schedule<unknown, FakeDelivery.Attempt>
) =>
  Effect.map(
    FakeDelivery.deliver([{ endpoint_id: "forward", ...to, events: null }], event.event_type, event.event_data, {
      route: to.url,
      eventId: event.event_id,
      createdAt: event.created_at,
      headerStyle: "documented",
      retry: untilWrongPath(retry)
    }),
    ({ endpoints: [sent] }) => {
      const last = sent?.attempts.at(-1)
      const status = last?.status ?? null
      const failed = last === undefined ? "not sent" : failures[last.outcome] ?? `the receiver answered ${status}`
      // An undefined error is left out of the printed JSON line.
      return { status, attempts: sent?.attempts.length ?? 0, error: sent?.outcome === "Delivered" ? undefined : failed }
    }
  )

const isWrongPath = (status: number | null) => status === 404 || status === 405

/** `schedule`, ended by a 404 or 405: nothing is served at that path (or not for a POST), and retrying cannot help. */
export const untilWrongPath = (schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt>) =>
  Schedule.whileInput(schedule, (attempt: FakeDelivery.Attempt) => !isWrongPath(attempt.status))

/** The hint for a 404 or 405, naming the path; undefined for any other answer. */
export const wrongPathHint = (url: string, status: number | null): string | undefined =>
  isWrongPath(status)
    ? `the receiver answered ${status} for POST ${URL.canParse(url) ? new URL(url).pathname : url}: it serves no ` +
      "webhook at that path (not retried); check the path in --forward-to against the one your receiver serves " +
      "(the READMEs' receivers serve /hooks/heygen)"
    : undefined
