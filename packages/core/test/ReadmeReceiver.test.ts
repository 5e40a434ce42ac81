import { DeliveryLog, WebhookDelivery, WebhookSignature } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
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
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { ReceiverServer } from "../examples/nodeListener.js"
import { handle, Receiver } from "../examples/receiver.js"

// The receiving examples are examples/receiver.ts and examples/nodeListener.ts themselves: tsc typechecks them,
// this test serves them on 127.0.0.1 and checks both READMEs still show them word for word.
const examples = ["../examples/receiver.ts", "../examples/nodeListener.ts"].map((p) =>
  fs.readFileSync(new URL(p, import.meta.url), "utf8")
)
const readmes = ["../../../README.md", "../README.md"].map((p) => fs.readFileSync(new URL(p, import.meta.url), "utf8"))

const secret = "whsec_readme_example"

const config = ConfigProvider.fromMap(new Map([["HEYGEN_WEBHOOK_SECRET", secret]]))

/**
 * A signed delivery is 200, and 200 again when redelivered, in both header forms (the documented `Heygen-*` and the
 * plain `Signature` production deliveries carry); a forged one 401; HeyGen's probe an empty 200.
 */
const expectReceives = (port: number) =>
  Effect.gen(function*() {
    const post = (body: string, headers: Record<string, string>, method = "POST") =>
      Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/hooks/heygen`, method === "POST" ? { method, body, headers } : { method }).then(
          (r) => r.status
        )
      )
    const body = JSON.stringify({
      event_type: "avatar_video.fail",
      event_data: { video_id: "v_9", msg: "no credits" }
    })
    const now = Math.floor(Date.now() / 1000)
    const headers = { ...WebhookSignature.sign(body, Redacted.make(secret), now), "Heygen-Event-Id": "evt_readme" }
    expect(yield* post(body, headers)).toBe(200)
    expect(yield* post(body, headers)).toBe(200)
    const plain = JSON.stringify({ event_id: "evt_plain", event_type: "video_agent.success", event_data: {} })
    const signature = { signature: WebhookSignature.computeSignature(plain, Redacted.make(secret)) }
    expect(yield* post(plain, signature)).toBe(200)
    expect(yield* post(plain, signature)).toBe(200)
    const forged = { ...WebhookSignature.sign(body, Redacted.make("whsec_guess"), now), "Heygen-Event-Id": "evt_x" }
    expect(yield* post(body, forged)).toBe(401)
    expect(yield* post("", {}, "OPTIONS")).toBe(200)
    expect(yield* post("", {}, "GET")).toBe(200)
  })

/** A free port on 127.0.0.1: the example's layer takes a port, and its server is not handed back. */
const freePort = Effect.async<number>((resume) => {
  const probe = net.createServer()
  probe.listen(0, "127.0.0.1", () => {
    const address = probe.address()
    probe.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
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

  const sqlLog = () =>
    DeliveryLogSql.layer().pipe(
      Layer.provide(
        SqliteClient.layer({ filename: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "readme-")), "log.db") })
      )
    )
  for (
    const [name, log] of [["the memory log", () => DeliveryLog.layerMemory()], ["DeliveryLogSql", sqlLog]] as const
  ) {
    it.live(`serves the node:http server form with ${name}: the same answers, for as long as it runs`, () =>
      Effect.gen(function*() {
        const port = yield* freePort
        yield* Layer.build(
          ReceiverServer(log(), port, "127.0.0.1").pipe(Layer.provide(Layer.setConfigProvider(config)))
        )
        yield* expectReceives(port)
        // Later requests too: the log's client was not closed once the server was built.
        yield* expectReceives(port)
      }).pipe(Effect.scoped))
  }

  it.effect("the handler says what happened for each kind of event", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => lines.push(String(message)))
      for (
        const body of [
          { event_type: "avatar_video.success", event_data: { video_id: "v1", url: "https://cdn/v1.mp4" } },
          { event_type: "avatar_video.fail", event_data: { video_id: "v2", msg: "quota" } },
          { event_type: "avatar_video.fail", event_data: { video_id: "v3", message: "renamed field" } },
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
        "video v3 failed: renamed field",
        "not handled: video_translate.success (header e)"
      ])
    }))
})
