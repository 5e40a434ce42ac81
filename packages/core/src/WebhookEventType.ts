/**
 * The event types a webhook endpoint may subscribe to (the spec's `WebhookEventType` enum).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

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
  "hyperframes_video.fail"
] as const

/**
 * A webhook event type.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookEventType = Schema.Literal(...values).annotations({
  identifier: "WebhookEventType",
  title: "WebhookEventType"
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
