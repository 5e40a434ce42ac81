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
  "hyperframes_video.fail",
  "video_translate.preflight.validation_failed",
  "video_translate.preflight.download_failed",
  "ai_clipping.success",
  "ai_clipping.fail",
  "batch.finished"
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
