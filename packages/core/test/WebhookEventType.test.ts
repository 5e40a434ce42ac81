// "Did you mean": a mistyped event type is refused naming the closest of the 30, when one is close.
import type { HeyGenClient, HeyGenError } from "@effect-heygen/core"
import { WebhookEndpoints, WebhookEvents, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import { clientLayer, makeFake, runToEnd } from "./fixtures.js"

/** Edit distance (insert, delete, replace, swap two neighbours), written plainly as the test's oracle. */
const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i + j))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2]![j - 2]! + 1 : Infinity
      )
    }
  }
  return d[a.length]![b.length]!
}

/** One edit of `value`: a letter deleted, inserted, replaced, or two neighbours swapped. */
const oneEdit = FastCheck.tuple(
  FastCheck.constantFrom(...WebhookEventType.values),
  FastCheck.constantFrom("delete", "insert", "replace", "swap"),
  FastCheck.nat(),
  FastCheck.constantFrom(..."abcdefghijklmnopqrstuvwxyz_.")
).map(([value, edit, at, letter]) => {
  const i = at % value.length
  const edited = edit === "delete"
    ? value.slice(0, i) + value.slice(i + 1)
    : edit === "insert"
    ? value.slice(0, i) + letter + value.slice(i)
    : edit === "replace"
    ? value.slice(0, i) + letter + value.slice(i + 1)
    : i + 1 < value.length
    ? value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2)
    : value.slice(0, i)
  return { value, edited }
}).filter(({ edited }) => !WebhookEventType.is(edited))

describe("WebhookEventType.closest", () => {
  it("names the event type a typo meant", () => {
    expect(WebhookEventType.closest("avatar_video.sucess")).toBe("avatar_video.success")
    expect(WebhookEventType.closest("avatar_video.fial")).toBe("avatar_video.fail")
    expect(WebhookEventType.closest("Avatar_Video.Success")).toBe("avatar_video.success")
    expect(WebhookEventType.closest("hyperframes_vdeo.succes")).toBe("hyperframes_video.success")
    // A clear prefix: only one event type starts with it.
    expect(WebhookEventType.closest("batch")).toBe("batch.finished")
    expect(WebhookEventType.closest("video_translate.preflight.val")).toBe(
      "video_translate.preflight.validation_failed"
    )
  })

  it("suggests nothing for what is far from every event type, ambiguous, or already one", () => {
    for (
      const far of ["invoice.paid", "x", "", "   ", "video", "avatar_video", "hyperframes_video", "a".repeat(10_000)]
    ) {
      expect(WebhookEventType.closest(far), far).toBeUndefined()
    }
    for (const value of WebhookEventType.values) expect(WebhookEventType.closest(value)).toBeUndefined()
    // Two edits from avatar_video.fail and two from avatar_video_gif.fail: a tie names neither.
    expect(WebhookEventType.closest("avatar_video_g.fail")).toBeUndefined()
  })

  // Law: one edit away from an event type, the suggestion is that event type (no two of the 30 are so close that
  // one edit could tie them).
  it("one edit from an event type suggests that event type", () => {
    FastCheck.assert(
      FastCheck.property(oneEdit, ({ edited, value }) => {
        expect(WebhookEventType.closest(edited)).toBe(value)
      }),
      { numRuns: 500 }
    )
  })

  // Law: a suggestion is always close (within 3 edits, case ignored, and strictly closer than any other) or the
  // only event type the input begins.
  it("a suggestion is within 3 edits and strictly the closest, or the only event type extending the input", () => {
    const near = oneEdit.chain(({ edited }) =>
      FastCheck.tuple(FastCheck.constant(edited), FastCheck.nat(), FastCheck.string({ maxLength: 3 }))
        .map(([s, at, noise]) => s.slice(0, at % (s.length + 1)) + noise + s.slice(at % (s.length + 1)))
    )
    FastCheck.assert(
      FastCheck.property(FastCheck.oneof(near, FastCheck.string({ maxLength: 30 })), (input) => {
        const suggestion = WebhookEventType.closest(input)
        if (suggestion === undefined) return
        const wanted = input.trim().toLowerCase()
        const d = distance(wanted, suggestion)
        if (d <= 3) {
          for (const other of WebhookEventType.values) {
            if (other !== suggestion) expect(distance(wanted, other)).toBeGreaterThan(d)
          }
        } else {
          expect(WebhookEventType.values.filter((v) => v.startsWith(wanted))).toEqual([suggestion])
        }
      }),
      { numRuns: 1_000 }
    )
  })
})

const refusal = <A>(effect: Effect.Effect<A, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient>) =>
  Effect.gen(function*() {
    const fake = makeFake([])
    const error = yield* Effect.flatten(runToEnd(Effect.flip(effect).pipe(Effect.provide(clientLayer(fake)))))
    expect(fake.requests).toHaveLength(0)
    return error
  })

describe("a ValidationError on an event type", () => {
  const typo = "avatar_video.sucess" as WebhookEventType.WebhookEventType
  const far = "invoice.paid" as WebhookEventType.WebhookEventType

  it.effect("names the closest event type: create's and update's events, the event log's filter", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<
        readonly [string, Effect.Effect<unknown, HeyGenError.HeyGenError, HeyGenClient.HeyGenClient>]
      > = [
        ["events.1", WebhookEndpoints.create({ url: "https://example.com/h", events: ["avatar_video.fail", typo] })],
        ["events.0", WebhookEndpoints.update("ep_1", { events: [typo] })],
        ["event_type", WebhookEvents.list({ event_type: typo })]
      ]
      for (const [field, call] of cases) {
        const error = yield* refusal(call)
        expect({ tag: error._tag, field: "field" in error ? error.field : null, message: error.message }).toEqual({
          tag: "ValidationError",
          field,
          message: `${field}: "avatar_video.sucess" is not a HeyGen event type; did you mean "avatar_video.success"?`
        })
      }
    }))

  it.effect("with none close, says there are 30 and where they are", () =>
    Effect.gen(function*() {
      const error = yield* refusal(WebhookEndpoints.create({ url: "https://example.com/h", events: [far] }))
      expect(error.message).toBe(
        `events.0: "invoice.paid" is not a HeyGen event type; it must be one of the 30 (WebhookEventType.values)`
      )
      expect(error.message).not.toContain("did you mean")
    }))

  it.effect("never echoes a signing secret given where an event type goes, nor an object's contents", () =>
    Effect.gen(function*() {
      const secret = "whsec_c2VjcmV0IGtleSBieXRlcw=="
      const pasted = yield* refusal(
        WebhookEndpoints.create({ url: "https://example.com/h", events: [secret as WebhookEventType.WebhookEventType] })
      )
      expect(pasted.message).not.toContain("c2VjcmV0")
      expect(pasted.message).toContain("is not a HeyGen event type")
      const nested = yield* refusal(
        WebhookEndpoints.create({
          url: "https://example.com/h",
          events: [{ secret } as unknown as WebhookEventType.WebhookEventType]
        })
      )
      expect(nested.message).toBe("events.0: expected one of the 30 HeyGen event types, actual a value of type object")
    }))
})
