/**
 * `webhook events replay` in-process: which events it sends, in which order (a law over any listing, since the
 * log's order is not documented), and its usage errors, each before any I/O. The bin runs it end to end in
 * e2e-receive.test.ts.
 */
import type * as WebhookEvent from "@effect-heygen/core/WebhookEvent"
import * as FastCheck from "effect/FastCheck"
import { describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as Replay from "../src/internal/replay.js"
import { envelope, runInProcess } from "./harness.js"

const base = Date.parse("2026-06-01T00:00:00Z")

const event: FastCheck.Arbitrary<WebhookEvent.WebhookEvent> = FastCheck.record({
  // A small pool of ids, so that the same id is listed more than once.
  event_id: FastCheck.constantFrom("evt_1", "evt_2", "evt_3", "evt_4", "evt_5", "evt_6"),
  event_type: FastCheck.constantFrom("avatar_video.success", "avatar_video.fail"),
  event_data: FastCheck.constant({}),
  created_at: FastCheck.oneof(
    {
      weight: 8,
      arbitrary: FastCheck.integer({ min: 0, max: 10 }).map((h) => new Date(base + h * 3_600_000).toISOString())
    },
    { weight: 1, arbitrary: FastCheck.constantFrom("", "yesterday", "2026-13-45") }
  )
})

describe("Replay.plan", () => {
  // Law, for any listing in any order: every event created at or after `since` is sent exactly once per event_id
  // (its first listing; later ones are duplicates), oldest first, ties in listing order; events before `since`
  // are in no list; events whose created_at is not a time are all reported as unreadable.
  it("sends each event_id created since `since` once, oldest first; nothing else; reports unreadable times", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(event, { maxLength: 30 }),
        FastCheck.integer({ min: 0, max: 10 }),
        (listed, h) => {
          const since = base + h * 3_600_000
          const { duplicates, send, unreadable } = Replay.plan(listed, since)
          const time = (e: WebhookEvent.WebhookEvent) => Date.parse(e.created_at)
          const inWindow = listed.filter((e) => !Number.isNaN(time(e)) && time(e) >= since)
          const firsts = inWindow.filter((e, i) => inWindow.findIndex((o) => o.event_id === e.event_id) === i)
          const expected = firsts
            .map((e, i) => ({ e, i }))
            .sort((a, b) => time(a.e) - time(b.e) || a.i - b.i)
            .map(({ e }) => e)
          expect(send).toEqual(expected)
          expect(duplicates).toEqual(inWindow.filter((e) => !firsts.includes(e)))
          expect(unreadable).toEqual(listed.filter((e) => Number.isNaN(time(e))))
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe("webhook events replay: usage errors, before any I/O", () => {
  // The API base is a closed port: a call would be a network error (exit 1), never a usage error (exit 2).
  const env = { HEYGEN_API_KEY: "hg_replay_unit_0123456789", HEYGEN_API_BASE: "http://127.0.0.1:9" }
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, string]> = [
    ["no --since", ["--dry-run"], "--since"],
    ["a --since that is no time", ["--since", "last week", "--dry-run"], "--since"],
    ["a --since in the future", ["--since", "2999-01-01", "--dry-run"], "--since"],
    [
      "an unknown event type",
      ["--since", "1h", "--event-types", "avatar_video.success,nope", "--dry-run"],
      "--event-types"
    ],
    ["no --forward-to without --dry-run", ["--since", "1h", "--secret-file", "f"], "--forward-to"],
    [
      "a --forward-to that is not http(s)",
      ["--since", "1h", "--forward-to", "ftp://x", "--secret-file", "f"],
      "--forward-to"
    ],
    ["no --secret-file without --dry-run", ["--since", "1h", "--forward-to", "http://127.0.0.1:9/h"], "--secret-file"],
    [
      "a --secret-file that cannot be read",
      ["--since", "1h", "--forward-to", "http://127.0.0.1:9/h", "--secret-file", "/nonexistent/whsec"],
      "--secret-file"
    ]
  ]
  it.each(cases)("%s: exit 2 naming the flag", async (_, args, param) => {
    const out = await runInProcess(["webhook", "events", "replay", ...args], { env })
    expect(out.code, out.stderr).toBe(ExitCode.Usage)
    expect(envelope(out.stderr).error.param).toBe(param)
    expect(out.stdout).toBe("")
  })
})
