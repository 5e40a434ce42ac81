/**
 * The event types a webhook endpoint may subscribe to (the spec's `WebhookEventType` enum).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { scrub } from "./internal/scrub.js"

/**
 * Every event type, in the order the spec lists them.
 *
 * @since 0.1.0
 * @category constants
 */
export const values = [
  "avatar_video.success",
  "avatar_video.fail",
  "avatar_video_gif.success",
  "avatar_video_gif.fail",
  "video_translate.success",
  "video_translate.fail",
  "personalized_video",
  "instant_avatar.success",
  "instant_avatar.fail",
  "photo_avatar_generation.success",
  "photo_avatar_generation.fail",
  "photo_avatar_train.success",
  "photo_avatar_train.fail",
  "photo_avatar_add_motion.success",
  "photo_avatar_add_motion.fail",
  "proofread_creation.success",
  "proofread_creation.fail",
  "live_avatar.success",
  "live_avatar.fail",
  "avatar_video_caption.success",
  "avatar_video_caption.fail",
  "video_agent.success",
  "video_agent.fail",
  "hyperframes_video.success",
  "hyperframes_video.fail",
  "video_translate.preflight.validation_failed",
  "video_translate.preflight.download_failed",
  "ai_clipping.success",
  "ai_clipping.fail",
  "batch.finished"
] as const

/**
 * The edit distance between `a` and `b` (letters inserted, deleted, replaced, or two neighbours swapped), or
 * `limit + 1` as soon as it is known to exceed `limit`: a long input costs nothing, and the table is one row wide
 * per letter of the shorter event type.
 */
const distanceWithin = (a: string, b: string, limit: number): number => {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let before: Array<number> = []
  let previous: Array<number> = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current.push(d)
      rowMin = Math.min(rowMin, d)
    }
    if (rowMin > limit) return limit + 1
    before = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * The event type a mistyped `input` most likely meant, for a "did you mean": the one closest to it within 3
 * edits (a letter inserted, deleted or replaced, or two neighbours swapped; case ignored), or else the only one
 * that starts with it. `undefined` when none is that close, when two are equally close, or when `input` is one
 * already.
 *
 * @example
 * ```ts
 * import { WebhookEventType } from "@effect-heygen/core"
 *
 * WebhookEventType.closest("avatar_video.sucess") // "avatar_video.success"
 * WebhookEventType.closest("batch") // "batch.finished"
 * WebhookEventType.closest("invoice.paid") // undefined
 * ```
 *
 * @since 0.4.0
 * @category suggestions
 */
export const closest = (input: string): WebhookEventType | undefined => {
  if (is(input)) return undefined
  const wanted = input.trim().toLowerCase()
  if (wanted === "") return undefined
  const limit = 3
  let best: WebhookEventType | undefined = undefined
  let bestDistance = limit + 1
  let tied = false
  for (const value of values) {
    const d = distanceWithin(wanted, value, limit)
    if (d < bestDistance) {
      best = value
      bestDistance = d
      tied = false
    } else if (d === bestDistance && d <= limit) {
      tied = true
    }
  }
  if (best !== undefined) return tied ? undefined : best
  const extending = values.filter((value) => value.startsWith(wanted))
  return extending.length === 1 ? extending[0] : undefined
}

// What a refused value is called in a message: quoted, any signing secret in it scrubbed, and cut short.
const shown = (value: string): string => {
  const quoted = JSON.stringify(scrub(value, ""))
  return quoted.length <= 80 ? quoted : `${quoted.slice(0, 79)}…"`
}

/**
 * A refused value as a message may show it: a string quoted, any signing secret in it scrubbed, and cut short;
 * anything else by its kind only (an object's contents are not echoed).
 *
 * @since 0.5.0
 * @category suggestions
 */
export const showActual = (actual: unknown): string =>
  typeof actual === "string"
    ? shown(actual)
    : actual === null || actual === undefined
    ? String(actual)
    : typeof actual === "number" || typeof actual === "boolean" || typeof actual === "bigint"
    ? `${typeof actual} ${String(actual)}`
    : Array.isArray(actual)
    ? "an array"
    : `a value of type ${typeof actual}`

/**
 * Why `actual` is not an event type, in words: `"avatar_video.sucess" is not a HeyGen event type; did you mean
 * "avatar_video.success"?` (see `closest`). The message of a `ValidationError` on an event type (a create's or
 * an update's `events`, the event log's `event_type` filter), after the field.
 *
 * @example
 * ```ts
 * import { WebhookEventType } from "@effect-heygen/core"
 *
 * WebhookEventType.unknownMessage("avatar_video.sucess")
 * // "avatar_video.sucess" is not a HeyGen event type; did you mean "avatar_video.success"?
 * ```
 *
 * @since 0.4.0
 * @category suggestions
 */
export const unknownMessage = (actual: unknown): string => {
  if (typeof actual !== "string") {
    return `expected one of the ${values.length} HeyGen event types, actual ${showActual(actual)}`
  }
  const suggestion = closest(actual)
  return `${shown(actual)} is not a HeyGen event type; ${
    suggestion === undefined
      ? `it must be one of the ${values.length} (WebhookEventType.values)`
      : `did you mean ${JSON.stringify(suggestion)}?`
  }`
}

/**
 * A webhook event type. A value that is not one fails with `unknownMessage`, which names the closest event type.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookEventType = Schema.Literal(...values).annotations({
  identifier: "WebhookEventType",
  title: "WebhookEventType",
  // Without it, a refusal reads `Expected "avatar_video.success", actual "x"`: the first of the 30 literals only.
  message: (issue) => ({ message: unknownMessage(issue.actual), override: true })
})

/**
 * @since 0.1.0
 * @category models
 */
export type WebhookEventType = typeof WebhookEventType.Type

/**
 * Whether a string is a known event type.
 *
 * @since 0.1.0
 * @category guards
 */
export const is: (u: unknown) => u is WebhookEventType = Schema.is(WebhookEventType)

/**
 * A one-line description of each event type, for offline listings (`effect-heygen webhook event-types list
 * --offline`) and fakes. HeyGen's own wording comes from `GET /v3/webhooks/event-types`
 * (`WebhookEvents.listEventTypes`); this is ours, kept to what the type's name says.
 *
 * @since 0.2.0
 * @category constants
 */
export const descriptions: { readonly [K in WebhookEventType]: string } = {
  "avatar_video.success": "An avatar video finished rendering.",
  "avatar_video.fail": "An avatar video failed to render.",
  "avatar_video_gif.success": "An avatar video GIF finished rendering.",
  "avatar_video_gif.fail": "An avatar video GIF failed to render.",
  "video_translate.success": "A video translation finished.",
  "video_translate.fail": "A video translation failed.",
  "personalized_video": "A personalized video changed state.",
  "instant_avatar.success": "An instant avatar is ready.",
  "instant_avatar.fail": "An instant avatar could not be created.",
  "photo_avatar_generation.success": "Photo avatar generation finished.",
  "photo_avatar_generation.fail": "Photo avatar generation failed.",
  "photo_avatar_train.success": "Photo avatar training finished.",
  "photo_avatar_train.fail": "Photo avatar training failed.",
  "photo_avatar_add_motion.success": "Motion was added to a photo avatar.",
  "photo_avatar_add_motion.fail": "Adding motion to a photo avatar failed.",
  "proofread_creation.success": "A proofread was created.",
  "proofread_creation.fail": "A proofread could not be created.",
  "live_avatar.success": "A live avatar session finished.",
  "live_avatar.fail": "A live avatar session failed.",
  "avatar_video_caption.success": "Captions for an avatar video are ready.",
  "avatar_video_caption.fail": "Captions for an avatar video failed.",
  "video_agent.success": "A video agent run finished.",
  "video_agent.fail": "A video agent run failed.",
  "hyperframes_video.success": "A HyperFrames video finished rendering.",
  "hyperframes_video.fail": "A HyperFrames video failed to render.",
  "video_translate.preflight.validation_failed": "A video translation was refused by its preflight validation.",
  "video_translate.preflight.download_failed": "A video translation's source could not be downloaded.",
  "ai_clipping.success": "An AI clipping job finished.",
  "ai_clipping.fail": "An AI clipping job failed.",
  "batch.finished": "A batch of jobs finished."
}
