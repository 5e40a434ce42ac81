/**
 * `webhook events replay`: catch a receiver up from HeyGen's event log. It lists the log (core's
 * `WebhookEvents.stream`, or the sandbox's with `--sandbox`) back to `--since`, and POSTs each event to the
 * receiver at `--forward-to` as a documented delivery signed with the receiver's secret: `Heygen-Event-Id` is the
 * log's `event_id` and the body is `{ event_id, event_type, created_at, event_data }` as logged, so a receiver that
 * de-duplicates on the event id (effect-heygen's `WebhookReceiver` does) skips what it handled already and runs its
 * handler for what it missed. This assumes that the log's `event_id` is the id HeyGen's deliveries carried:
 * HeyGen does not document it, and integrations that compared them found them equal. A delivery that carried no
 * id at all was de-duplicated on its body's digest, which a replay over HTTP cannot reproduce (nor is there a wire
 * form for "this came from the log"): core's `WebhookReceiver.catchUp`, run in the receiver's process, matches
 * those by their content.
 *
 * The order of the log is not documented either, so the whole log (narrowed by the API's own filters) is read
 * through core's `WebhookEvents.streamSince` (`wholeLog`), never stopping at the first event older than `--since`;
 * events created before `--since` are left out, and the rest are sent oldest first, one at a time, each retried briefly (`retry`) on a failure. One NDJSON line per
 * event says what became of it:
 *
 * - `delivered`: the receiver answered 2xx. A de-duplicating receiver answers 200 to an event it has handled
 *   before, without running its handler again, and a receiver's answer does not say which: `delivered` means
 *   accepted, not handled now.
 * - `duplicate`: the log listed this `event_id` again in this run; it was sent once.
 * - `failed`: no 2xx after the retries (or a `created_at` that is not a time, which cannot be placed against
 *   `--since`); the command exits 1. Running it again is safe: what the receiver handled is skipped.
 * - `listed`: `--dry-run`, nothing sent.
 *
 * The sending is test-utils' delivery engine (`FakeDelivery.deliver`), the one `sandbox trigger` uses: the same
 * signing, attempt timeout and wire form as the fake's deliveries.
 *
 * @since 0.4.0
 */
import type * as HeyGenClient from "@effect-heygen/core/HeyGenClient"
import type * as HeyGenError from "@effect-heygen/core/HeyGenError"
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import type * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as FakeDelivery from "@effect-heygen/test-utils/FakeDelivery"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Call from "./call.js"
import * as Failure from "./failure.js"
import { untilWrongPath, wrongPathHint } from "./trigger.js"
import { readSecrets } from "./verify.js"

/**
 * @since 0.4.0
 * @category models
 */
export interface Flags extends Call.ConnectionFlags {
  /** Epoch milliseconds. */
  readonly since: Option.Option<number>
  readonly forwardTo: Option.Option<string>
  readonly secretFile: Option.Option<string>
  readonly eventTypes: ReadonlyArray<WebhookEventType.WebhookEventType>
  readonly entityId: Option.Option<string>
  readonly dryRun: boolean
}

/**
 * What became of one event (see the module's description).
 *
 * @since 0.4.0
 * @category models
 */
export type Outcome = "delivered" | "duplicate" | "failed" | "listed"

/**
 * One printed line.
 *
 * @since 0.4.0
 * @category models
 */
export interface Line {
  readonly event_id: string
  readonly event_type: string
  readonly created_at: string
  readonly outcome: Outcome
  /** The receiver's last answer; null when none (unreachable, timed out, or nothing sent). */
  readonly status: number | null
  /** How many times it was sent (0 when not sent). */
  readonly attempts: number
  /** Why it failed, when it did. */
  readonly error?: string
}

/**
 * How each event is retried: 1 s, then 2 s (three attempts). Short, since a receiver that is down fails every
 * event the same way, and running the command again later is safe.
 *
 * @since 0.4.0
 * @category constants
 */
export const retry: Schedule.Schedule<unknown, FakeDelivery.Attempt> = Schedule.exponential("1 second").pipe(
  Schedule.intersect(Schedule.recurs(2))
)

const required = (flag: string, what: string) =>
  Effect.fail(Failure.invalidFlag(flag, `is required (unless --dry-run): ${what}`))

/** An event of the log, with the time its `created_at` names (NaN when it names none). */
interface Listed {
  readonly event: WebhookEvent.WebhookEvent
  readonly at: number
}

/**
 * Which events to send, in which order, from the log as listed: those created at or after `since`, oldest first
 * (ties in the order listed), each `event_id` once (a later listing of an id is a `duplicate`); events whose
 * `created_at` is not a time are `unreadable` (they cannot be placed against `since`).
 *
 * @since 0.4.0
 * @category planning
 */
export const plan = (
  listed: ReadonlyArray<WebhookEvent.WebhookEvent>,
  since: number
): {
  readonly send: ReadonlyArray<WebhookEvent.WebhookEvent>
  readonly duplicates: ReadonlyArray<WebhookEvent.WebhookEvent>
  readonly unreadable: ReadonlyArray<WebhookEvent.WebhookEvent>
} => {
  const seen = new Set<string>()
  const keep: Array<Listed> = []
  const duplicates: Array<WebhookEvent.WebhookEvent> = []
  const unreadable: Array<WebhookEvent.WebhookEvent> = []
  for (const event of listed) {
    const at = Date.parse(event.created_at)
    if (Number.isNaN(at)) {
      unreadable.push(event)
      continue
    }
    if (at < since) continue
    if (seen.has(event.event_id)) {
      duplicates.push(event)
      continue
    }
    seen.add(event.event_id)
    keep.push({ event, at })
  }
  // Array.prototype.sort is stable: events created at the same time keep the order they were listed in.
  return { send: keep.sort((a, b) => a.at - b.at).map((l) => l.event), duplicates, unreadable }
}

/** The log since the cut, through the catch-up's reader (core's `WebhookEvents.streamSince`), read to its end. */
const listAll = (
  eventTypes: ReadonlyArray<WebhookEventType.WebhookEventType>,
  entityId: Option.Option<string>,
  since: number,
  limits: WebhookEvents.RequestOptions
): Effect.Effect<
  ReadonlyArray<WebhookEvent.WebhookEvent>,
  HeyGenError.StreamWebhookEventsError,
  HeyGenClient.HeyGenClient
> =>
  Effect.map(
    Stream.runCollect(
      WebhookEvents.streamSince(
        { since: new Date(since), eventTypes, entityId: Option.getOrUndefined(entityId), wholeLog: true },
        limits
      )
    ),
    Chunk.toReadonlyArray
  )

const lineOf = (
  event: WebhookEvent.WebhookEvent,
  outcome: Outcome,
  rest: { readonly status?: number | null; readonly attempts?: number; readonly error?: string } = {}
): Line => ({
  event_id: event.event_id,
  event_type: event.event_type,
  created_at: event.created_at,
  outcome,
  status: rest.status ?? null,
  attempts: rest.attempts ?? 0,
  ...(rest.error === undefined ? {} : { error: rest.error })
})

const describeFailure = (attempt: FakeDelivery.Attempt | undefined): string =>
  attempt === undefined
    ? "not sent"
    : attempt.outcome === "TimedOut"
    ? "no answer within 10 s"
    : attempt.outcome === "Unreachable"
    ? "the receiver could not be reached"
    : `the receiver answered ${attempt.status}`

/** Sends one event to the receiver as a documented delivery, signed with `secret`. */
const send = (
  event: WebhookEvent.WebhookEvent,
  forwardTo: string,
  secret: Redacted.Redacted<string>,
  schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt>
) =>
  Effect.map(
    FakeDelivery.deliver(
      [{ endpoint_id: "replay", url: forwardTo, events: null, secret }],
      event.event_type,
      event.event_data,
      {
        route: forwardTo,
        eventId: event.event_id,
        createdAt: event.created_at,
        headerStyle: "documented",
        retry: untilWrongPath(schedule)
      }
    ),
    (delivery): Line => {
      const attempts = delivery.endpoints[0]?.attempts ?? []
      const last = attempts[attempts.length - 1]
      return delivery.endpoints[0]?.outcome === "Delivered"
        ? lineOf(event, "delivered", { status: last?.status ?? null, attempts: attempts.length })
        : lineOf(event, "failed", {
          status: last?.status ?? null,
          attempts: attempts.length,
          error: describeFailure(last)
        })
    }
  )

const statusText = (line: Line): string =>
  line.status === null ? "" : `(${line.status}${line.attempts > 1 ? `, ${line.attempts} attempts` : ""})`

const humanCells = (line: Line): ReadonlyArray<string> => [
  line.outcome,
  line.event_id,
  line.event_type,
  line.created_at,
  statusText(line),
  line.error ?? ""
]

const humanHeader = ["OUTCOME", "EVENT ID", "EVENT TYPE", "CREATED", "STATUS", "ERROR"]

/**
 * The `--human` column widths: every event to be printed is known before the first is sent, so the rows line up
 * while they are printed one by one.
 */
const humanWidths = (events: ReadonlyArray<WebhookEvent.WebhookEvent>): ReadonlyArray<number> => {
  const widest = (header: string, values: ReadonlyArray<string>) =>
    Math.max(header.length, ...values.map((v) => v.length))
  return [
    widest("OUTCOME", ["duplicate"]),
    widest("EVENT ID", events.map((e) => e.event_id)),
    widest("EVENT TYPE", events.map((e) => e.event_type)),
    widest("CREATED", events.map((e) => e.created_at)),
    widest("STATUS", ["(000, 00 attempts)"])
  ]
}

const humanRow = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>): string =>
  cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join("  ").trimEnd()

/**
 * `webhook events replay`.
 *
 * @since 0.4.0
 * @category commands
 */
export const run = (
  flags: Flags,
  schedule: Schedule.Schedule<unknown, FakeDelivery.Attempt> = retry
): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    if (Option.isNone(flags.since)) {
      return yield* Effect.fail(
        Failure.invalidFlag("--since", "is required: how far back to replay, e.g. 48h or 2026-01-31T12:00:00Z")
      )
    }
    const since = flags.since.value
    // Checked before the log is read: a mistyped flag should not cost a listing.
    let target: { readonly url: string; readonly secret: Redacted.Redacted<string> } | undefined
    if (!flags.dryRun) {
      if (Option.isNone(flags.forwardTo)) return yield* required("--forward-to", "the URL your receiver listens on")
      if (Option.isNone(flags.secretFile)) {
        return yield* required("--secret-file", "the file holding your receiver's signing secret")
      }
      const secrets = yield* readSecrets(io.cwd, flags.secretFile.value)
      // During a rotation the file holds the new secret first (as for webhook verify): sign with it.
      target = { url: flags.forwardTo.value, secret: secrets[0]! }
    }
    const conn = yield* Call.connection(flags)
    const listed = yield* Call.run(
      conn,
      listAll(flags.eventTypes, flags.entityId, since, conn.limits)
    )
    const { duplicates, send: toSend, unreadable } = plan(listed, since)

    let wrongPath: string | undefined = undefined
    const counts: Record<Outcome, number> = { delivered: 0, duplicate: 0, failed: 0, listed: 0 }
    const widths = humanWidths([...unreadable, ...toSend, ...duplicates])
    if (flags.human && unreadable.length + toSend.length + duplicates.length > 0) {
      io.stdout(`${humanRow(humanHeader, widths)}\n`)
    }
    const print = (line: Line) =>
      Effect.sync(() => {
        counts[line.outcome] += 1
        io.stdout(flags.human ? `${humanRow(humanCells(line), widths)}\n` : `${JSON.stringify(line)}\n`)
      })
    for (const event of unreadable) {
      yield* print(lineOf(event, "failed", { error: `created_at ${JSON.stringify(event.created_at)} is not a time` }))
    }
    if (target === undefined) {
      for (const event of toSend) yield* print(lineOf(event, "listed"))
    } else {
      const { secret, url } = target
      // A 404 or 405 would answer every event the same: stop at the first one.
      yield* Effect.iterate(0, {
        while: (i) => i < toSend.length && wrongPath === undefined,
        body: (i) =>
          send(toSend[i]!, url, secret, schedule).pipe(
            Effect.tap(print),
            Effect.map((line) => {
              wrongPath = wrongPathHint(url, line.outcome === "failed" ? line.status : null)
              return i + 1
            })
          )
      }).pipe(Effect.provide(NodeHttpClient.layer))
    }
    for (const event of duplicates) yield* print(lineOf(event, "duplicate"))

    const total = toSend.length + duplicates.length + unreadable.length
    if (flags.human) {
      const sinceText = new Date(since).toISOString()
      io.stdout(
        flags.dryRun
          ? `${counts.listed} events since ${sinceText} would be sent (dry run: nothing sent)${
            counts.failed > 0 ? `; ${counts.failed} with an unreadable created_at` : ""
          }\n`
          : `replayed ${total} events since ${sinceText}: ${counts.delivered} delivered, ${counts.duplicate} duplicate, ${counts.failed} failed\n`
      )
    }
    if (counts.failed > 0) {
      return yield* Effect.fail(
        new Failure.CliError({
          code: "cli_replay_failed",
          message: target === undefined
            ? `${counts.failed} of ${total} events have a created_at that is not a time`
            : `${counts.failed} of ${total} events were not delivered to ${target.url}`,
          hint: target === undefined
            ? "they cannot be placed against --since; see them with effect-heygen webhook events list"
            : wrongPath !== undefined
            ? `${wrongPath}; the events after it were not sent`
            : "check that your receiver is up and answers 2xx, then run the same command again: " +
              "a receiver that de-duplicates on Heygen-Event-Id skips the events it has handled",
          param: target === undefined ? "--since" : "--forward-to",
          exitCode: ExitCode.ApiOrNetwork
        })
      )
    }
  })
