import { WebhookDelivery, WebhookSignature } from "@effect-heygen/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as Http from "node:http"
import { main } from "../examples/nodeListener.js"
import { handle, Receiver } from "../examples/receiver.js"

// The receiving examples are examples/receiver.ts and examples/nodeListener.ts themselves: tsc typechecks them,
// this test serves them on 127.0.0.1 and checks both READMEs still show them word for word.
const examples = ["../examples/receiver.ts", "../examples/nodeListener.ts"].map((p) =>
  fs.readFileSync(new URL(p, import.meta.url), "utf8")
)
const readmes = ["../../../README.md", "../README.md"].map((p) => fs.readFileSync(new URL(p, import.meta.url), "utf8"))

const secret = "whsec_readme_example"

const config = ConfigProvider.fromMap(new Map([["HEYGEN_WEBHOOK_SECRET", secret]]))

/** A signed delivery is 200, and 200 again when redelivered; a forged one 401. */
const expectReceives = (port: number) =>
  Effect.gen(function*() {
    const post = (body: string, headers: Record<string, string>) =>
      Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/hooks/heygen`, { method: "POST", body, headers }).then((r) => r.status)
      )
    const body = JSON.stringify({
      event_type: "avatar_video.fail",
      event_data: { video_id: "v_9", msg: "no credits" }
    })
    const now = Math.floor(Date.now() / 1000)
    const headers = { ...WebhookSignature.sign(body, Redacted.make(secret), now), "Heygen-Event-Id": "evt_readme" }
    expect(yield* post(body, headers)).toBe(200)
    expect(yield* post(body, headers)).toBe(200)
    const forged = { ...WebhookSignature.sign(body, Redacted.make("whsec_guess"), now), "Heygen-Event-Id": "evt_x" }
    expect(yield* post(body, forged)).toBe(401)
  })

describe("README receiving example", () => {
  it("is in both READMEs verbatim", () => {
    for (const readme of readmes) {
      for (const example of examples) expect(readme).toContain("```ts\n" + example + "```")
    }
  })

  it.live("serves a receiver: a signed delivery is 200 (and 200 again when redelivered), a forged one 401", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(
        Receiver.pipe(
          Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })),
          Layer.provide(Layer.setConfigProvider(config))
        )
      )
      const address = Context.get(context, HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      yield* expectReceives(address.port)
    }).pipe(Effect.scoped))

  it.live("serves the Node listener form: the same answers", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        main(0, "127.0.0.1").pipe(Effect.withConfigProvider(config)),
        (server) => Effect.sync(() => server.close())
      )
      yield* Effect.async<void>((resume) => {
        if (server.listening) resume(Effect.void)
        else server.once("listening", () => resume(Effect.void))
      })
      const address = server.address()
      if (address === null || typeof address === "string") throw new Error("expected a TCP address")
      yield* expectReceives(address.port)
    }).pipe(Effect.scoped))

  it.effect("the handler says what happened for each kind of event", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => lines.push(String(message)))
      for (
        const body of [
          { event_type: "avatar_video.success", event_data: { video_id: "v1", url: "https://cdn/v1.mp4" } },
          { event_type: "avatar_video.fail", event_data: { video_id: "v2", msg: "quota" } },
          { event_type: "video_translate.success", event_data: {} }
        ]
      ) {
        const delivery = WebhookDelivery.fromJson(JSON.stringify(body), { eventId: "e", timestamp: null })
        if (Either.isLeft(delivery)) throw new Error(delivery.left.message)
        yield* handle(delivery.right).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      }
      expect(lines).toEqual([
        "video v1 is ready: https://cdn/v1.mp4",
        "video v2 failed: quota",
        "not handled: video_translate.success"
      ])
    }))
})
