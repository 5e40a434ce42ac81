import { WebhookDelivery, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"

const meta = { eventId: "evt_1", timestamp: 1_700_000_000 }
const decode = (body: unknown) => WebhookDelivery.fromJson(typeof body === "string" ? body : JSON.stringify(body), meta)

const tagOf = (body: unknown) => {
  const result = decode(body)
  return Either.isRight(result) ? result.right.event._tag : `error: ${result.left.message}`
}

describe("the typed events", () => {
  it("avatar_video.success decodes to AvatarVideoSuccess with its documented fields, extra keys kept in eventData", () => {
    const data = {
      video_id: "v_1",
      url: "https://cdn.example/v_1.mp4",
      callback_id: null,
      gif_download_url: "https://cdn.example/v_1.gif",
      video_share_page_url: "https://app.heygen.com/share/v_1",
      folder_id: "f_1",
      something_new: 42
    }
    const result = decode({ event_type: "avatar_video.success", event_data: data })
    expect(Either.isRight(result)).toBe(true)
    if (Either.isLeft(result)) return
    const { event, eventData, eventId, timestamp } = result.right
    expect({ eventId, timestamp }).toEqual(meta)
    expect(eventData).toEqual(data)
    expect(WebhookDelivery.DeliveryEvent.$is("AvatarVideoSuccess")(event)).toBe(true)
    if (event._tag === "AvatarVideoSuccess") {
      expect(event.data.url).toBe(data.url)
      expect(event.data.gif_download_url).toBe(data.gif_download_url)
    }
  })

  it("avatar_video.fail decodes to AvatarVideoFail", () => {
    const result = decode({
      event_type: "avatar_video.fail",
      event_data: { video_id: "v_2", msg: "quota", callback_id: "cb" }
    })
    expect(Either.isRight(result) && result.right.event).toMatchObject({
      _tag: "AvatarVideoFail",
      data: { msg: "quota", callback_id: "cb" }
    })
  })

  it("a documented type missing a required field is a PayloadError that names the path, not the values", () => {
    const result = decode({ event_type: "avatar_video.success", event_data: { video_id: "secret-looking-value" } })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isRight(result)) return
    expect(result.left.message).toContain("url: missing")
    expect(result.left.message).not.toContain("secret-looking-value")
  })

  it.prop(
    "every other event type, known to the spec or new, decodes to Other with its raw data",
    [
      FastCheck.oneof(
        FastCheck.constantFrom(...WebhookEventType.values.filter((t) => !t.startsWith("avatar_video."))),
        FastCheck.string().filter((s) => s !== "avatar_video.success" && s !== "avatar_video.fail")
      ),
      FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 4 })
    ],
    ([eventType, data]) => {
      const result = decode({ event_type: eventType, event_data: data })
      expect(Either.isRight(result) && result.right.event).toEqual(
        WebhookDelivery.DeliveryEvent.Other({ eventType, data: JSON.parse(JSON.stringify(data)) })
      )
    }
  )

  it("bodies that are not an envelope are PayloadErrors", () => {
    for (
      const bad of [
        "",
        "nope",
        "null",
        "[]",
        "1",
        { event_type: "x" },
        { event_data: {} },
        { event_type: 1, event_data: {} },
        { event_type: "x", event_data: [] },
        { event_type: "x", event_data: null }
      ]
    ) {
      expect(tagOf(bad)).toMatch(/^error: /)
    }
  })

  it("match runs exactly the case of the event", () => {
    const describe = (body: unknown) => {
      const result = decode(body)
      if (Either.isLeft(result)) throw new Error(result.left.message)
      return WebhookDelivery.match(result.right.event, {
        AvatarVideoSuccess: ({ data }) => `ready ${data.video_id}`,
        AvatarVideoFail: ({ data }) => `failed ${data.msg}`,
        Other: ({ eventType }) => `other ${eventType}`
      })
    }
    expect(describe({ event_type: "avatar_video.success", event_data: { video_id: "a", url: "u" } })).toBe("ready a")
    expect(describe({ event_type: "avatar_video.fail", event_data: { video_id: "a", msg: "m" } })).toBe("failed m")
    expect(describe({ event_type: "brand_new.event", event_data: {} })).toBe("other brand_new.event")
  })
})
