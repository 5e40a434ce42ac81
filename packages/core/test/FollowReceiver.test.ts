/**
 * `WebhookReceiver.follow` beside a push receiver (`makeHandler` on 127.0.0.1) sharing one delivery log: the in-memory
 * log, and `DeliveryLogSql` on PostgreSQL in both its modes. HeyGen's event log is a small in-test server (core's
 * tests do not use test-utils' fake); each event is logged and pushed in one of several interleavings (pushed as it
 * is logged, pushed before it is logged, pushed twice at once, logged only, as when a delivery is lost). Law: the
 * handler runs exactly once per event, whichever path sees it first, and the follower accounts for every event.
 */
import { DeliveryLog, HeyGenClient, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import { Follower } from "../examples/follow.js"
import { createDatabase, sqlClient } from "./postgres.js"
import { listen, send } from "./receiverSupport.js"

const secret = Redacted.make("whsec_follow_beside_push")

interface LoggedEvent {
  readonly event_id: string
  readonly event_type: string
  readonly event_data: Record<string, unknown>
  readonly created_at: string
}

/** HeyGen's event log as an HttpClient over `events` (oldest first, pages by offset), growing as the test adds. */
const logClient = (events: ReadonlyArray<LoggedEvent>) =>
  HttpClient.make((request) =>
    Effect.sync(() => {
      const param = (name: string) => Option.getOrUndefined(UrlParams.getFirst(request.urlParams, name))
      const limit = Number(param("limit") ?? 10)
      const from = Number(param("token") ?? 0)
      const data = events.slice(from, from + limit)
      const more = from + limit < events.length
      const body = { data, has_more: more, next_token: more ? String(from + limit) : null }
      return HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )

type Path = "logThenPush" | "pushThenLog" | "pushTwice" | "logOnly"
const paths: ReadonlyArray<Path> = ["logThenPush", "pushThenLog", "pushTwice", "logOnly"]

const scenario = (logLayer: Layer.Layer<DeliveryLog.DeliveryLog, unknown>): Effect.Effect<void, unknown> =>
  Effect.scoped(Effect.gen(function*() {
    const services = yield* Layer.build(Layer.orDie(logLayer))
    const runs = new Map<string, number>()
    const handler = (delivery: WebhookDelivery.WebhookDelivery) =>
      Effect.sync(() => runs.set(delivery.eventId, (runs.get(delivery.eventId) ?? 0) + 1)).pipe(
        // Long enough for the other path to arrive while this one holds the claim.
        Effect.zipLeft(Effect.sleep(`${delivery.eventId.length % 3 * 5} millis`))
      )
    const listener = yield* WebhookReceiver.makeHandler(handler, { secrets: secret }).pipe(Effect.provide(services))
    const url = `http://127.0.0.1:${yield* listen(listener)}/hooks`

    const events: Array<LoggedEvent> = []
    const client = HeyGenClient.layer({ apiKey: "test-key" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, logClient(events)))
    )
    const outcomes: Array<WebhookReceiver.FollowOutcome> = []
    const follower = yield* WebhookReceiver.follow(handler, {
      since: "1 minute",
      pollInterval: "15 millis",
      retryInFlight: Schedule.spaced("5 millis").pipe(Schedule.intersect(Schedule.recurs(400)))
    }).pipe(
      Stream.runForEach((outcome) => Effect.sync(() => outcomes.push(outcome))),
      Effect.provide(services),
      Effect.provide(client),
      Effect.fork
    )

    const n = 48
    const push = (event: LoggedEvent) => {
      const raw = JSON.stringify(event)
      const headers = {
        ...WebhookSignature.sign(raw, secret, Math.floor(Date.now() / 1000)),
        "Heygen-Event-Id": event.event_id
      }
      return Effect.map(send(url, raw, headers), (reply) => reply.status)
    }
    const statuses = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i): Effect.Effect<number | ReadonlyArray<number>> => {
        const event: LoggedEvent = {
          event_id: `evt_${i}`,
          event_type: "avatar_video.success",
          event_data: { video_id: `v_${i}`, url: `https://cdn.example/v_${i}.mp4` },
          created_at: new Date().toISOString()
        }
        const logIt = Effect.sync(() => events.push(event))
        switch (paths[i % paths.length]!) {
          case "logThenPush":
            return Effect.zipRight(logIt, push(event))
          case "pushThenLog":
            return Effect.zipLeft(push(event), logIt)
          case "pushTwice":
            return Effect.zipRight(logIt, Effect.all([push(event), push(event)], { concurrency: 2 }))
          case "logOnly":
            return Effect.as(logIt, 200)
        }
      },
      { concurrency: 6 }
    )
    // A push answered 409 (the follower held the event) is redelivered by HeyGen; here, once everything settled.
    expect(statuses.flat().every((s) => s === 200 || s === 409)).toBe(true)
    // Until the follower has been through every event (a few polls), then a little longer.
    yield* Effect.sleep("20 millis").pipe(
      Effect.repeat({ until: () => outcomes.length >= events.length }),
      Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "the follower did not reach every event" })
    )
    yield* Effect.sleep("100 millis")
    for (const event of events) {
      const status = yield* push(event)
      expect(status).toBe(200)
    }
    yield* Effect.sleep("100 millis")
    yield* Fiber.interrupt(follower)

    expect([...runs.keys()].sort()).toEqual(events.map((e) => e.event_id).sort())
    expect([...runs.values()].every((count) => count === 1)).toBe(true)
    // The follower saw every event once: it handled it, or found it handled (or still held) by a push.
    expect(outcomes.map((o) => o.eventId).sort()).toEqual(events.map((e) => e.event_id).sort())
    const byFollower = outcomes.filter((o) => o.outcome === "handled").length
    expect(byFollower).toBeGreaterThanOrEqual(n / paths.length)
    expect(outcomes.every((o) => o.outcome !== "failed")).toBe(true)
  }))

describe("WebhookReceiver.follow beside a push receiver, one delivery log", () => {
  it.live("in memory: each event handled once, whichever path sees it first", () => scenario(DeliveryLog.layerMemory()))
})

describe("WebhookReceiver.follow beside a push receiver on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createDatabase>>
  beforeAll(async () => {
    database = await createDatabase("follow")
  }, 60_000)
  afterAll(async () => {
    await database?.drop()
  })

  it.live("DeliveryLogSql (claim, then complete): each event handled once", () =>
    scenario(
      DeliveryLogSql.layer({ table: "follow_claims", pruneEvery: false }).pipe(
        Layer.provide(sqlClient(database.url, { maxConnections: 4 }))
      )
    ))

  it.live("DeliveryLogSql transactional: each event handled once", () =>
    scenario(
      DeliveryLogSql.layer({ table: "follow_tx", transactional: true, pruneEvery: false }).pipe(
        Layer.provide(sqlClient(database.url, { maxConnections: 4 }))
      )
    ))

  it.live(
    "the README's follower (examples/follow.ts) runs as written: an event logged is written to videos_ready once",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const db = sqlClient(database.url, { maxConnections: 1 })
        const query = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
          Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(db), Effect.orDie)
        yield* query((sql) => sql`CREATE TABLE videos_ready (event_id TEXT NOT NULL, video_id TEXT NOT NULL, url TEXT)`)
        // HeyGen's event log on 127.0.0.1, reached through HEYGEN_API_BASE.
        const events: Array<LoggedEvent> = []
        const port = yield* listen((request, response) => {
          const url = new URL(request.url ?? "/", "http://127.0.0.1")
          const ok = url.pathname === "/v3/webhooks/events" && request.headers["x-api-key"] === "hg_readme_key"
          response.writeHead(ok ? 200 : 404, { "content-type": "application/json" })
          response.end(JSON.stringify(ok ? { data: events, has_more: false, next_token: null } : {}))
        })
        const config = ConfigProvider.fromMap(
          new Map([
            ["DATABASE_URL", database.url],
            ["HEYGEN_API_KEY", "hg_readme_key"],
            ["HEYGEN_API_BASE", `http://127.0.0.1:${port}`]
          ])
        )
        const follower = yield* Effect.fork(Effect.withConfigProvider(Follower, config))
        for (const id of ["evt_readme_1", "evt_readme_2"]) {
          events.push({
            event_id: id,
            event_type: "avatar_video.success",
            event_data: { video_id: `v_${id}`, url: `https://cdn.example/${id}.mp4` },
            created_at: new Date().toISOString()
          })
        }
        const rows = () =>
          query((sql) => sql<{ event_id: string }>`SELECT event_id FROM videos_ready ORDER BY event_id`).pipe(
            Effect.map((r) => r.map((row) => row.event_id))
          )
        yield* rows().pipe(
          Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (r) => r.length >= 2 }),
          Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "the follower wrote nothing" })
        )
        // Two more polls: nothing is written twice.
        yield* Effect.sleep("11 seconds")
        yield* Fiber.interrupt(follower)
        expect(yield* rows()).toEqual(["evt_readme_1", "evt_readme_2"])
      })),
    40_000
  )
})

describe("README follow example", () => {
  it("is in both READMEs verbatim", () => {
    const example = fs.readFileSync(new URL("../examples/follow.ts", import.meta.url), "utf8")
    for (const p of ["../../../README.md", "../README.md"]) {
      expect(fs.readFileSync(new URL(p, import.meta.url), "utf8")).toContain("```ts\n" + example + "```")
    }
  })
})
