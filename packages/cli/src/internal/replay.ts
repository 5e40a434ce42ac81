// `webhook events replay`: catch a receiver up from HeyGen's event log (or the sandbox's). Each event created since
// --since is forwarded (see forward.ts), oldest first, one at a time, and printed as `delivered` (a 2xx, which a
// de-duplicating receiver also answers to an event it handled before), `duplicate` (listed again: sent once),
// `failed` (exit 1; running it again is safe) or `listed` (--dry-run). The log's order is undocumented, so all of it
// (narrowed by the API's filters) is read. A delivery that carried no id was de-duplicated on its body's digest,
// which HTTP cannot reproduce: core's `WebhookReceiver.catchUp`, run in the receiver, matches those.
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as WebhookEvents from "@effect-heygen/core/WebhookEvents"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Call from "./call.js"
import type * as Events from "./events.js"
import * as Failure from "./failure.js"
import type * as Flags from "./flags.js"
import * as Forward from "./forward.js"

/**
 * The events to send, oldest first (ties in the order listed), each `event_id` once (a later listing is a
 * duplicate), none created before `since`; `unreadable` have a `created_at` that cannot be placed against it.
 */
export const plan = (listed: Iterable<WebhookEvent.WebhookEvent>, since: number) => {
  const time = (event: WebhookEvent.WebhookEvent) => Date.parse(event.created_at)
  // By event_id; a Map keeps the order its keys were first set in.
  const send = new Map<string, WebhookEvent.WebhookEvent>()
  const duplicates: Array<WebhookEvent.WebhookEvent> = []
  const unreadable: Array<WebhookEvent.WebhookEvent> = []
  for (const event of listed) {
    const at = time(event)
    if (Number.isNaN(at)) unreadable.push(event)
    else if (at >= since && send.has(event.event_id)) duplicates.push(event)
    else if (at >= since) send.set(event.event_id, event)
  }
  // Array.prototype.sort is stable: events created at the same time keep the order they were listed in.
  return { send: [...send.values()].sort((a, b) => time(a) - time(b)), duplicates, unreadable }
}

type Line = ReturnType<typeof line>
const line = (
  event: WebhookEvent.WebhookEvent,
  outcome: "delivered" | "duplicate" | "failed" | "listed",
  status: number | null = null,
  attempts = 0,
  error?: string
) => ({ ...Forward.about(event, outcome), status, attempts, error })

const cells = (l: Line) => [
  l.outcome,
  l.event_id,
  l.event_type,
  l.created_at,
  l.status === null ? "" : `(${l.status}${l.attempts > 1 ? `, ${l.attempts} attempts` : ""})`,
  l.error ?? ""
]

// Each event is tried 1 s, then 2 s later (three attempts): a receiver that is down fails every event the same way,
// and running the command again later is safe.
const retry = Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))

export const run = (flags: Flags.Input<typeof Events.replayInputs>): Effect.Effect<void, Failure.CliError, Io> =>
  Effect.gen(function*() {
    const io = yield* Io
    const since = yield* Effect.mapError(
      flags.since,
      () => Failure.invalidFlag("--since", "is required: how far back to replay, e.g. 48h or 2026-01-31T12:00:00Z")
    )
    // Checked before the log is read: a mistyped flag should not cost a listing.
    const to = flags.dryRun ? undefined : yield* Forward.target(flags, io.cwd, " (unless --dry-run)")
    const conn = yield* Call.connection(flags)
    const listed = yield* Call.run(
      conn,
      Stream.runCollect(WebhookEvents.streamSince({
        since: new Date(since),
        eventTypes: flags.eventTypes,
        entityId: Option.getOrUndefined(flags.entityId),
        wholeLog: true
      }, conn.limits))
    )
    const { duplicates, send, unreadable } = plan(listed, since)
    const all = [...unreadable, ...send, ...duplicates]

    // Every event is known before the first is sent, so the --human rows line up as they are printed one by one:
    // each column as wide as its widest value, "duplicate" and a 3-digit status after 10 attempts the widest.
    const header = ["OUTCOME", "EVENT ID", "EVENT TYPE", "CREATED", "STATUS", "ERROR"]
    const widest = all.map((e) => cells(line(e, "duplicate", 100, 10)))
    const widths = header.map((h, i) => widest.reduce((w, c) => Math.max(w, c[i]!.length), h.length))
    const row = (cs: ReadonlyArray<string>) => cs.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
    if (flags.human && all.length > 0) io.stdout(`${row(header)}\n`)
    const counts = { delivered: 0, duplicate: 0, failed: 0, listed: 0 }
    const print = (l: Line) => {
      counts[l.outcome] += 1
      Forward.printer(io, flags.human)(row(cells(l)), l)
    }
    unreadable.forEach((e) =>
      print(line(e, "failed", null, 0, `created_at ${JSON.stringify(e.created_at)} is not a time`))
    )
    let wrongPath: string | undefined = undefined
    for (const e of send) {
      if (to === undefined) {
        print(line(e, "listed"))
        continue
      }
      const { attempts, error, status } = yield* Forward.send(e, to, retry)
      print(line(e, error === undefined ? "delivered" : "failed", status, attempts, error))
      // A 404 or 405 would answer every event the same: stop at the first one.
      wrongPath = Forward.wrongPathHint(to.url, status)
      if (wrongPath !== undefined) break
    }
    duplicates.forEach((e) => print(line(e, "duplicate")))

    if (flags.human) {
      const sinceText = new Date(since).toISOString()
      io.stdout(
        flags.dryRun
          ? `${counts.listed} events since ${sinceText} would be sent (dry run: nothing sent)${
            counts.failed > 0 ? `; ${counts.failed} with an unreadable created_at` : ""
          }\n`
          : `replayed ${all.length} events since ${sinceText}: ${counts.delivered} delivered, ${counts.duplicate} duplicate, ${counts.failed} failed\n`
      )
    }
    if (counts.failed > 0) {
      return yield* new Failure.CliError({
        code: "cli_replay_failed",
        message: to === undefined
          ? `${counts.failed} of ${all.length} events have a created_at that is not a time`
          : `${counts.failed} of ${all.length} events were not delivered to ${to.url}`,
        hint: to === undefined
          ? "they cannot be placed against --since; see them with effect-heygen webhook events list"
          : wrongPath !== undefined
          ? `${wrongPath}; the events after it were not sent`
          : "check that your receiver is up and answers 2xx, then run the same command again: " +
            "a receiver that de-duplicates on Heygen-Event-Id skips the events it has handled",
        param: to === undefined ? "--since" : "--forward-to",
        exitCode: ExitCode.ApiOrNetwork
      })
    }
  }).pipe(Effect.provide(NodeHttpClient.layer))
