/**
 * What `GET /v3/webhooks/event-types` answers: every type of core's `WebhookEventType` (the spec's enum) with a
 * description in the style of HeyGen's docs. The list comes from the enum, so a type added there is served at once
 * (with a generic description until one is written here).
 */
import { WebhookEventType } from "@effect-heygen/core"

const descriptions: Readonly<Record<string, string>> = {
  "avatar_video.success": "Fired when an avatar video completes rendering successfully.",
  "avatar_video.fail": "Fired when an avatar video fails to render.",
  "avatar_video_gif.success": "Fired when an avatar video GIF is generated successfully.",
  "avatar_video_gif.fail": "Fired when an avatar video GIF fails to generate.",
  "video_translate.success": "Fired when a video translation completes successfully.",
  "video_translate.fail": "Fired when a video translation fails.",
  "personalized_video": "Fired when a personalized video for a contact is generated.",
  "instant_avatar.success": "Fired when an instant avatar is created successfully.",
  "instant_avatar.fail": "Fired when an instant avatar fails to be created.",
  "photo_avatar_generation.success": "Fired when photo avatar images are generated successfully.",
  "photo_avatar_generation.fail": "Fired when photo avatar image generation fails.",
  "photo_avatar_train.success": "Fired when a photo avatar group finishes training.",
  "photo_avatar_train.fail": "Fired when a photo avatar group fails to train.",
  "photo_avatar_add_motion.success": "Fired when motion is added to a photo avatar successfully.",
  "photo_avatar_add_motion.fail": "Fired when adding motion to a photo avatar fails.",
  "proofread_creation.success": "Fired when a translation proofread is created successfully.",
  "proofread_creation.fail": "Fired when a translation proofread fails to be created.",
  "live_avatar.success": "Fired when a live avatar session or asset is ready.",
  "live_avatar.fail": "Fired when a live avatar session or asset fails.",
  "avatar_video_caption.success": "Fired when captions for an avatar video are generated successfully.",
  "avatar_video_caption.fail": "Fired when captions for an avatar video fail to generate.",
  "video_agent.success": "Fired when a Video Agent video completes successfully.",
  "video_agent.fail": "Fired when a Video Agent video fails.",
  "hyperframes_video.success": "Fired when a Hyperframes video completes rendering successfully.",
  "hyperframes_video.fail": "Fired when a Hyperframes video fails to render.",
  "video_translate.preflight.validation_failed":
    "Fired when a video translation is rejected before it starts because its input failed validation.",
  "video_translate.preflight.download_failed":
    "Fired when a video translation is rejected before it starts because its source could not be downloaded.",
  "ai_clipping.success": "Fired when AI clipping produces its clips successfully.",
  "ai_clipping.fail": "Fired when AI clipping fails.",
  "batch.finished": "Fired when every job of a batch has finished, successfully or not."
}

/** The body items of the event-types response, in the enum's order. */
export const eventTypeItems: ReadonlyArray<{ readonly event_type: string; readonly description: string }> =
  WebhookEventType.values.map((event_type) => ({
    event_type,
    description: descriptions[event_type] ?? `Fired for ${event_type} events.`
  }))
