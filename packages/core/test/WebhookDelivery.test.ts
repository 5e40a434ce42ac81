import { WebhookDelivery, WebhookEventType } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { createHash } from "node:crypto"

const meta = { eventId: "evt_1", timestamp: 1_700_000_000 }
const text = (body: unknown) => typeof body === "string" ? body : JSON.stringify(body)
const decode = (body: unknown, m: WebhookDelivery.Meta = meta) => WebhookDelivery.fromJson(text(body), m)

const delivered = (body: unknown, m: WebhookDelivery.Meta = meta) => {
  const result = decode(body, m)
  if (Either.isLeft(result)) throw new Error(`expected a delivery, got: ${result.left.message}`)
  return result.right
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")

describe("the seven documented payloads", () => {
  it("avatar_video.success: documented fields, extra keys kept in eventData, absent optional fields null", () => {
    const data = {
      video_id: "v_1",
      url: "https://cdn.example/v_1.mp4",
      callback_id: null,
      gif_download_url: "https://cdn.example/v_1.gif",
      video_page_url: "https://app.heygen.com/videos/v_1",
      video_share_page_url: "https://app.heygen.com/share/v_1",
      something_new: 42
    }
    const { event, eventData, eventId, timestamp } = delivered({ event_type: "avatar_video.success", event_data: data })
    expect({ eventId, timestamp }).toEqual(meta)
    expect(eventData).toEqual(data)
    expect(event).toEqual(WebhookDelivery.DeliveryEvent.AvatarVideoSuccess({
      eventType: "avatar_video.success",
      data: {
        video_id: "v_1",
        url: "https://cdn.example/v_1.mp4",
        callback_id: null,
        gif_download_url: "https://cdn.example/v_1.gif",
        video_page_url: "https://app.heygen.com/videos/v_1",
        video_share_page_url: "https://app.heygen.com/share/v_1",
        folder_id: null
      }
    }))
  })

  // The wire forms integrations report, and what each typed case reads from them.
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string, Record<string, unknown>]> = [
    ["avatar_video.success", { video_id: "v", video_url: "https://u" }, "AvatarVideoSuccess", { url: "https://u" }],
    ["avatar_video.success", { video_id: "v" }, "AvatarVideoSuccess", { url: null }],
    ["avatar_video.fail", { video_id: "v", msg: "quota" }, "AvatarVideoFail", { msg: "quota" }],
    ["avatar_video.fail", { video_id: "v", message: "quota" }, "AvatarVideoFail", { msg: "quota" }],
    ["avatar_video.fail", { video_id: "v" }, "AvatarVideoFail", { msg: null, callback_id: null }],
    ["avatar_video_gif.success", { video_id: "g", url: "https://g" }, "AvatarVideoGifSuccess", { url: "https://g" }],
    ["avatar_video_gif.fail", { video_id: "g", message: "m" }, "AvatarVideoGifFail", { msg: "m" }],
    [
      "video_translate.success",
      { video_translate_id: "t", url: "https://t", output_language: "fr", callback_id: "c" },
      "VideoTranslateSuccess",
      { url: "https://t", output_language: "fr", callback_id: "c" }
    ],
    ["video_translate.success", { video_translate_id: "t", video_url: "https://t" }, "VideoTranslateSuccess", {
      url: "https://t"
    }],
    ["video_translate.fail", { video_translate_id: "t", message: "bad" }, "VideoTranslateFail", { message: "bad" }],
    ["video_translate.fail", { video_translate_id: "t", msg: "bad" }, "VideoTranslateFail", { message: "bad" }],
    [
      "personalized_video",
      { project_id: "p", video_id: "v", video_url: "https://v", contact_info: { email: "a@b.c" } },
      "PersonalizedVideo",
      {
        project_id: "p",
        video_id: "v",
        video_url: "https://v",
        landing_page_url: null,
        contact_info: { email: "a@b.c" }
      }
    ]
  ]
  for (const [eventType, data, tag, expected] of cases) {
    it(`${eventType} ${JSON.stringify(data)} is ${tag} reading ${JSON.stringify(expected)}`, () => {
      const { event } = delivered({ event_type: eventType, event_data: data })
      expect(event._tag).toBe(tag)
      expect(event.eventType).toBe(eventType)
      expect(event.data).toMatchObject(expected)
    })
  }

  it("the documented name wins over the variant when both are present", () => {
    const { event } = delivered({
      event_type: "avatar_video.success",
      event_data: { video_id: "v", url: "https://documented", video_url: "https://variant" }
    })
    expect(event._tag === "AvatarVideoSuccess" && event.data.url).toBe("https://documented")
  })

  it("a documented type without its resource id, or with a field of the wrong kind, is Other with a decodeIssue of paths only", () => {
    for (
      const [eventType, data, path] of [
        ["avatar_video.success", { url: "https://secret-looking-value" }, "video_id: missing"],
        ["avatar_video.fail", { video_id: 42, msg: "secret-looking-value" }, "video_id: invalid"],
        ["video_translate.success", { video_translate_id: "t", url: ["secret-looking-value"] }, "url: invalid"],
        ["personalized_video", { video_id: "secret-looking-value" }, "project_id: missing"]
      ] as const
    ) {
      const { event, eventData } = delivered({ event_type: eventType, event_data: data })
      expect(event._tag).toBe("Other")
      if (event._tag !== "Other") continue
      expect(event.eventType).toBe(eventType)
      expect(event.data).toEqual(data)
      expect(eventData).toEqual(data)
      expect(event.decodeIssue).toContain(path)
      expect(event.decodeIssue).not.toContain("secret-looking-value")
    }
  })

  it("event_data that is not an object (array, null, string, absent) is Other with no data and a decodeIssue; the body keeps it", () => {
    for (const data of [[1, 2], null, "text", 3, undefined]) {
      const body = data === undefined
        ? { event_type: "avatar_video.success" }
        : { event_type: "avatar_video.success", event_data: data }
      const delivery = delivered(body)
      expect(delivery.event).toMatchObject({ _tag: "Other", eventType: "avatar_video.success", data: {} })
      expect(delivery.event._tag === "Other" && delivery.event.decodeIssue).toMatch(/^event_data: expected an object/)
      expect(delivery.eventData).toEqual({})
      expect(delivery.body["event_data"]).toEqual(data)
    }
  })

  it.prop(
    "any other event type, known to the spec or new, with any object as event_data, is Other with that data",
    [
      FastCheck.oneof(
        FastCheck.constantFrom(
          ...WebhookEventType.values.filter((t) =>
            !["avatar_video", "avatar_video_gif", "video_translate"].includes(t.split(".")[0]!) &&
            t !== "personalized_video"
          )
        ),
        FastCheck.string()
      ).filter((s) =>
        !/^(avatar_video(_gif)?\.(success|fail)|video_translate\.(success|fail)|personalized_video)$/.test(s)
      ),
      FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 4 })
    ],
    ([eventType, data]) => {
      const delivery = delivered({ event_type: eventType, event_data: data })
      expect(delivery.event).toEqual(
        WebhookDelivery.DeliveryEvent.Other({ eventType, data: JSON.parse(JSON.stringify(data)), decodeIssue: null })
      )
    }
  )

  it.prop(
    "no JSON object with a string event_type is refused, whatever else it holds (the law of no refused authentic delivery)",
    [
      FastCheck.string(),
      FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 6 }),
      FastCheck.option(FastCheck.jsonValue(), { nil: undefined })
    ],
    ([eventType, rest, data]) => {
      const body = { ...rest, event_type: eventType, ...(data === undefined ? {} : { event_data: data }) }
      const result = decode(body)
      expect(Either.isRight(result)).toBe(true)
    }
  )

  it("bodies that are not a JSON object with a string event_type are PayloadErrors", () => {
    for (
      const bad of ["", "nope", "null", "[]", "1", `"text"`, { event_data: {} }, { event_type: 1, event_data: {} }, {
        event_type: null
      }]
    ) {
      const result = decode(bad)
      expect(Either.isLeft(result), text(bad)).toBe(true)
    }
  })
})

describe("the event id and its source", () => {
  const body = { event_id: "evt_body", created_at: "2026-12-01T10:00:00Z", event_type: "x", event_data: {} }

  it("the header's id first; the body's event_id and created_at are kept", () => {
    const d = delivered(body, { eventId: "evt_header", timestamp: null })
    expect([d.eventId, d.eventIdSource, d.bodyEventId, d.createdAt]).toEqual([
      "evt_header",
      "header",
      "evt_body",
      "2026-12-01T10:00:00Z"
    ])
  })

  it("no header: the body's event_id", () => {
    const d = delivered(body, { eventId: null, timestamp: null })
    expect([d.eventId, d.eventIdSource]).toEqual(["evt_body", "body"])
  })

  it("no header and no usable event_id in the body: sha256: and the hex digest of the raw bytes", () => {
    for (
      const noId of [{ event_type: "x", event_data: {} }, { event_id: "", event_type: "x" }, {
        event_id: 7,
        event_type: "x"
      }]
    ) {
      const raw = JSON.stringify(noId)
      const d = delivered(raw, { eventId: null, timestamp: null })
      expect([d.eventId, d.eventIdSource, d.bodyEventId]).toEqual([`sha256:${sha256(raw)}`, "digest", null])
    }
    // The digest is of the bytes as received, which may differ from the text decoded from them (a BOM).
    const raw = `{"event_type":"x"}`
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(raw)])
    const d = delivered(raw, { eventId: null, timestamp: null, rawBody: bytes })
    expect(d.eventId).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`)
  })

  it.prop(
    "the same bytes give the same digest key, and different bytes different keys",
    [FastCheck.string(), FastCheck.string()],
    ([a, b]) => {
      expect(WebhookDelivery.digestKey(a)).toBe(WebhookDelivery.digestKey(Buffer.from(a)))
      expect(WebhookDelivery.digestKey(a) === WebhookDelivery.digestKey(b)).toBe(a === b)
    }
  )
})

describe("match", () => {
  const describeEvent = (body: unknown) =>
    WebhookDelivery.match(delivered(body).event, {
      AvatarVideoSuccess: ({ data }) => `ready ${data.video_id}`,
      AvatarVideoFail: ({ data }) => `failed ${data.msg}`,
      orElse: (event) => `other ${event._tag} ${event.eventType}`
    })

  it("runs exactly the case of the event, and orElse for every case not given", () => {
    expect(describeEvent({ event_type: "avatar_video.success", event_data: { video_id: "a", url: "u" } })).toBe(
      "ready a"
    )
    expect(describeEvent({ event_type: "avatar_video.fail", event_data: { video_id: "a", msg: "m" } })).toBe("failed m")
    expect(describeEvent({ event_type: "video_translate.fail", event_data: { video_translate_id: "t" } })).toBe(
      "other VideoTranslateFail video_translate.fail"
    )
    expect(describeEvent({ event_type: "brand_new.event", event_data: {} })).toBe("other Other brand_new.event")
  })

  it("with every case given, runs each one's own", () => {
    const all = (body: unknown) =>
      WebhookDelivery.match(delivered(body).event, {
        AvatarVideoSuccess: () => 1,
        AvatarVideoFail: () => 2,
        AvatarVideoGifSuccess: () => 3,
        AvatarVideoGifFail: () => 4,
        VideoTranslateSuccess: () => 5,
        VideoTranslateFail: () => 6,
        PersonalizedVideo: () => 7,
        Other: () => 8
      })
    expect(all({ event_type: "avatar_video_gif.fail", event_data: { video_id: "g" } })).toBe(4)
    expect(all({ event_type: "personalized_video", event_data: { project_id: "p" } })).toBe(7)
    expect(all({ event_type: "personalized_video", event_data: {} })).toBe(8)
  })
})
