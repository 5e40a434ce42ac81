/**
 * The receiver against what HeyGen really sends (issue 18): both header forms (documented `Heygen-*`, and the
 * plain `Signature` production integrations report, with no timestamp and no event-id header), any `event_type`,
 * any `event_data`, ids from the header, the body or a digest. Every law runs against every receiver form and
 * both kinds of log.
 */
import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { failingLog, forms, logKinds, NOW, plainSig, secret, send, serveAs, signed } from "./receiverSupport.js"

type Style = "documented" | "plain"

/** One event as some sender might form it; every copy of it is the same bytes with the same headers. */
interface EventSpec {
  readonly eventType: string
  readonly eventData: unknown
  readonly bodyId: string | undefined
  readonly headerId: boolean
  readonly style: Style
  readonly timestamp: boolean
  readonly prefixed: boolean
  readonly copies: number
}

const eventArb: FastCheck.Arbitrary<EventSpec> = FastCheck.record({
  eventType: FastCheck.oneof(
    FastCheck.constantFrom("avatar_video.success", "avatar_video.fail", "video_translate.fail", "personalized_video"),
    FastCheck.string()
  ),
  eventData: FastCheck.oneof(
    { weight: 4, arbitrary: FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue(), { maxKeys: 5 }) },
    { weight: 1, arbitrary: FastCheck.jsonValue() }
  ),
  bodyId: FastCheck.option(FastCheck.stringMatching(/^[A-Za-z0-9_]{1,24}$/), { nil: undefined }),
  headerId: FastCheck.boolean(),
  style: FastCheck.constantFrom<Style>("documented", "plain"),
  timestamp: FastCheck.boolean(),
  prefixed: FastCheck.boolean(),
  copies: FastCheck.integer({ min: 1, max: 4 })
})

/** The bytes and headers of an event; `n` makes each event of a run distinct (its ids and its bytes). */
const wire = (spec: EventSpec, n: number, key = secret) => {
  const body = JSON.stringify({
    ...(spec.bodyId === undefined ? {} : { event_id: `${spec.bodyId}_${n}` }),
    event_type: spec.eventType,
    event_data: spec.eventData,
    created_at: "2026-12-01T10:00:00Z",
    n
  })
  const hex = plainSig(body, key)
  const value = spec.prefixed ? `sha256=${hex}` : hex
  const headers: Record<string, string> = spec.style === "documented"
    ? { "Heygen-Signature": value }
    : { signature: value }
  if (spec.timestamp) headers["Heygen-Timestamp"] = String(NOW)
  // A header id, when sent, is the body's id when there is one (the same event), else one of its own.
  if (spec.headerId) headers["Heygen-Event-Id"] = spec.bodyId === undefined ? `hdr_${n}` : `${spec.bodyId}_${n}`
  return { body, headers }
}

/** Sends until a 2xx, as HeyGen redelivers; every status seen is returned. */
const untilDelivered = (url: string, body: string, headers: Record<string, string>) =>
  Effect.gen(function*() {
    const statuses: Array<number> = []
    for (let i = 0; i < 500; i++) {
      const { status } = yield* send(url, body, headers)
      statuses.push(status)
      if (status >= 200 && status < 300) return statuses
    }
    return statuses
  })

/** The log lines written while `capture` is provided, each message's parts joined with " | ". */
const captureLogs = () => {
  const lines: Array<string> = []
  const capture = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ message }) => {
      lines.push(Array.isArray(message) ? message.map(String).join(" | ") : String(message))
    })
  )
  return { capture, lines }
}

const countRuns =
  (runs: Ref.Ref<ReadonlyArray<WebhookDelivery.WebhookDelivery>>) => (delivery: WebhookDelivery.WebhookDelivery) =>
    Ref.update(runs, (xs) => [...xs, delivery])

for (const form of forms) {
  for (const [logKind, makeLog] of Object.entries(logKinds)) {
    describe(`WebhookReceiver.${form} with ${logKind}: what HeyGen really sends`, () => {
      it.effect.prop(
        "any authentic delivery, in either header form, is handled exactly once however many copies arrive at once, and none is refused (only told 409 to try again)",
        [FastCheck.array(eventArb, { minLength: 1, maxLength: 5 })],
        ([specs]) =>
          Effect.scoped(Effect.gen(function*() {
            const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
            // The handler takes a few real milliseconds, so that copies sent at once overlap it.
            const slow = (delivery: WebhookDelivery.WebhookDelivery) =>
              Effect.zipRight(countRuns(runs)(delivery), Effect.promise(() => new Promise((r) => setTimeout(r, 3))))
            const url = yield* serveAs(form, slow, {}, makeLog())
            const copies = specs.flatMap((spec, n) => Array.from({ length: spec.copies }, () => wire(spec, n)))
            const outcomes = yield* Effect.forEach(copies, (c) => untilDelivered(url, c.body, c.headers), {
              concurrency: "unbounded"
            })
            for (const statuses of outcomes) {
              expect(statuses.at(-1)).toBe(200)
              expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([])
            }
            const handled = yield* Ref.get(runs)
            expect(handled.map((d) => d.body["n"]).sort()).toEqual(specs.map((_, n) => n))
            for (const delivery of handled) {
              const n = delivery.body["n"] as number
              const spec = specs[n]!
              expect(delivery.eventType).toBe(spec.eventType)
              const { body, headers } = wire(spec, n)
              expect([delivery.eventId, delivery.eventIdSource]).toEqual(
                spec.headerId
                  ? [headers["Heygen-Event-Id"], "header"]
                  : spec.bodyId !== undefined
                  ? [`${spec.bodyId}_${n}`, "body"]
                  : [`sha256:${createHash("sha256").update(body).digest("hex")}`, "digest"]
              )
              expect(delivery.timestamp).toBe(spec.timestamp ? NOW : null)
              expect(delivery.createdAt).toBe("2026-12-01T10:00:00Z")
            }
          })),
        { fastCheck: { numRuns: 15 } }
      )

      it.effect.prop(
        "every kind of forgery is refused in both header forms, and never reaches the handler",
        [
          eventArb,
          FastCheck.constantFrom(
            "wrong secret",
            "byte changed",
            "malformed",
            "no signature",
            "stale",
            "future",
            "signature twice",
            "event id twice"
          ),
          FastCheck.nat()
        ],
        ([spec, kind, at]) =>
          Effect.scoped(Effect.gen(function*() {
            const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
            const url = yield* serveAs(form, countRuns(runs), {}, makeLog())
            const genuine = wire({ ...spec, copies: 1 }, 0)
            const signatureName = spec.style === "documented" ? "Heygen-Signature" : "signature"
            let body = genuine.body
            let headers: Record<string, string> = { ...genuine.headers }
            switch (kind) {
              case "wrong secret":
                headers = wire(spec, 0, Redacted.make("whsec_someone_else")).headers
                break
              case "byte changed": {
                const i = at % body.length
                body = body.slice(0, i) + String.fromCharCode(body.charCodeAt(i) ^ 1) + body.slice(i + 1)
                break
              }
              case "malformed":
                headers[signatureName] = headers[signatureName]!.slice(0, -1)
                break
              case "no signature":
                delete headers[signatureName]
                break
              case "stale":
              case "future":
                headers["Heygen-Timestamp"] = String(NOW + (kind === "stale" ? -301 : 301))
                break
              case "signature twice":
                headers[signatureName] = `${headers[signatureName]}, ${headers[signatureName]}`
                break
              case "event id twice":
                headers["Heygen-Event-Id"] = "evt_a, evt_a"
                break
            }
            const reply = yield* send(url, body, headers)
            expect([400, 401]).toContain(reply.status)
            expect(reply.text).toMatch(/^(bad request|unauthorized)$/)
            expect(yield* Ref.get(runs)).toEqual([])
            // The genuine one still goes through.
            expect((yield* send(url, genuine.body, genuine.headers)).status).toBe(200)
            expect((yield* Ref.get(runs)).length).toBe(1)
          })),
        { fastCheck: { numRuns: 25 } }
      )
    })
  }

  describe(`WebhookReceiver.${form}: options and failures`, () => {
    it.scoped("requireTimestamp refuses a delivery without Heygen-Timestamp (400) and takes one with it", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
        const url = yield* serveAs(form, countRuns(runs), { requireTimestamp: true })
        const raw = `{"event_id":"evt_t","event_type":"x","event_data":{}}`
        expect((yield* send(url, raw, { signature: plainSig(raw) })).status).toBe(400)
        expect((yield* send(url, raw, { signature: plainSig(raw), "Heygen-Timestamp": String(NOW) })).status).toBe(200)
        expect((yield* Ref.get(runs)).length).toBe(1)
      }))

    it.scoped("an exact replay of a body with no id at all is a duplicate while the log remembers its digest", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
        const url = yield* serveAs(form, countRuns(runs))
        const raw = `{"event_type":"avatar_video.success","event_data":{"video_id":"v","url":"https://u"}}`
        for (let i = 0; i < 3; i++) expect((yield* send(url, raw, { signature: plainSig(raw) })).status).toBe(200)
        // Another body (a space more) is another event.
        const other = raw + " "
        expect((yield* send(url, other, { signature: plainSig(other) })).status).toBe(200)
        expect((yield* Ref.get(runs)).map((d) => d.eventIdSource)).toEqual(["digest", "digest"])
      }))

    it.scoped("a SQL log's failure is logged with the database's reason once", () => {
      const { capture, lines } = captureLogs()
      return Effect.gen(function*() {
        const log = DeliveryLogSql.layer({ table: "gone", createTable: false, pruneEvery: false }).pipe(
          Layer.provide(SqliteClient.layer({ filename: ":memory:" }))
        )
        const url = yield* serveAs(form, () => Effect.void, {}, log)
        const raw = `{"event_id":"evt_gone","event_type":"x","event_data":{}}`
        expect((yield* send(url, raw, { signature: plainSig(raw) })).status).toBe(503)
        const failed = lines.filter((line) => line.startsWith("webhook delivery log failed to claim"))
        expect(failed).toHaveLength(1)
        expect(failed[0]!.split("no such table: gone")).toHaveLength(2)
      }).pipe(Effect.provide(capture))
    })

    it.scoped("a log failure is a 503, logged with its cause, scrubbed of credentials and secrets", () => {
      const { capture, lines } = captureLogs()
      return Effect.gen(function*() {
        const cause = new Error(
          "connect ECONNREFUSED for postgres://receiver:hunter2@db.internal:5432/hooks (whsec_leaked_secret)"
        )
        const url = yield* serveAs(form, () => Effect.void, {}, failingLog("claim", cause))
        const raw = `{"event_id":"evt_503","event_type":"x","event_data":{}}`
        expect((yield* send(url, raw, { signature: plainSig(raw) })).status).toBe(503)
        const logged = lines.join("\n")
        expect(logged).toContain("webhook delivery log failed to claim")
        expect(logged).toContain("ECONNREFUSED")
        expect(logged).toContain("db.internal")
        expect(logged).not.toContain("hunter2")
        expect(logged).not.toContain("whsec_leaked_secret")
      }).pipe(Effect.provide(capture))
    })

    it.scoped("after a receiver died mid-handler, redeliveries get 409 until the claim times out, then the handler runs", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "crash-")), "log.db")
        const log = DeliveryLogSql.layer({ claimTimeout: "30 seconds" }).pipe(
          Layer.provide(SqliteClient.layer({ filename: file }))
        )
        yield* TestClock.setTime(NOW * 1000)
        // The dead receiver: it claimed the event and its run never ended.
        const started = yield* Deferred.make<void>()
        yield* Effect.forkDaemon(
          Effect.flatMap(
            DeliveryLog.DeliveryLog,
            (l) => l.once("evt_crash", Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
          ).pipe(Effect.provide(log))
        )
        yield* Deferred.await(started)
        const url = yield* serveAs(form, countRuns(runs), {}, log)
        const raw = body("evt_crash")
        const headers = signed(raw, "evt_crash")
        expect((yield* send(url, raw, headers)).status).toBe(409)
        yield* TestClock.adjust("29 seconds")
        expect((yield* send(url, raw, { ...headers, ...WebhookSignature.sign(raw, secret, NOW + 29) })).status).toBe(
          409
        )
        yield* TestClock.adjust("2 seconds")
        expect((yield* send(url, raw, { ...headers, ...WebhookSignature.sign(raw, secret, NOW + 31) })).status).toBe(
          200
        )
        expect((yield* Ref.get(runs)).length).toBe(1)
      }))
  })
}

const body = (eventId: string) =>
  JSON.stringify({ event_id: eventId, event_type: "avatar_video.success", event_data: {} })

describe("WebhookReceiver.layerServer / makeServer: the receiver owns its services' lifetime", () => {
  it.live("with a scoped SQL log built in the same layer, deliveries are handled (not 503) for as long as it runs", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make<ReadonlyArray<WebhookDelivery.WebhookDelivery>>([])
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "server-")), "log.db")
      const Receiver = WebhookReceiver.layerServer(countRuns(runs), { secrets: secret, port: 0, host: "127.0.0.1" })
      // The server is read back from the layer's scope: `makeServer` in a scope of this test.
      const statuses = yield* Effect.scoped(
        Effect.gen(function*() {
          const server = yield* WebhookReceiver.makeServer(countRuns(runs), {
            secrets: secret,
            port: 0,
            host: "127.0.0.1",
            path: "/hooks"
          })
          const address = server.address()
          if (address === null || typeof address === "string") throw new Error("expected a TCP address")
          const url = `http://127.0.0.1:${address.port}/hooks`
          const out: Array<number> = []
          for (const id of ["evt_1", "evt_2", "evt_1"]) {
            const raw = body(id)
            out.push((yield* send(url, raw, { signature: plainSig(raw) })).status)
          }
          out.push((yield* send(`http://127.0.0.1:${address.port}/elsewhere`, "", {}, "GET")).status)
          return out
        }).pipe(
          Effect.provide(DeliveryLogSql.layer().pipe(Layer.provide(SqliteClient.layer({ filename: file }))))
        )
      )
      expect(statuses).toEqual([200, 200, 200, 404])
      expect((yield* Ref.get(runs)).map((d) => d.eventId)).toEqual(["evt_1", "evt_2"])
      // And the layer form builds and tears down (port 0: nothing else to assert without its address).
      yield* Effect.scoped(Layer.build(Receiver.pipe(Layer.provide(DeliveryLog.layerMemory()))))
    }))

  it.live("says once, at info level, where it listens: layerServer and makeServer alike", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => {
          lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
        })
      )
      const port = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* WebhookReceiver.makeServer(() => Effect.void, {
          secrets: secret,
          port: 0,
          host: "127.0.0.1",
          path: "/hooks/heygen"
        })
        const address = server.address()
        if (address === null || typeof address === "string") throw new Error("expected a TCP address")
        return address.port
      })).pipe(Effect.provide(DeliveryLog.layerMemory()), Effect.provide(capture))
      expect(lines).toEqual([`INFO webhook receiver listening on http://127.0.0.1:${port}/hooks/heygen`])
      yield* Effect.scoped(Layer.build(
        WebhookReceiver.layerServer(() => Effect.void, { secrets: secret, port: 0, host: "127.0.0.1" }).pipe(
          Layer.provide(DeliveryLog.layerMemory())
        )
      )).pipe(Effect.provide(capture))
      expect(lines).toHaveLength(2)
      expect(lines[1]).toMatch(/^INFO webhook receiver listening on http:\/\/127\.0\.0\.1:\d+\/$/)
    }))

  it.live("a port already taken is a ServeError, not a crash", () =>
    Effect.gen(function*() {
      const error = yield* Effect.scoped(Effect.gen(function*() {
        const first = yield* WebhookReceiver.makeServer(() => Effect.void, {
          secrets: secret,
          port: 0,
          host: "127.0.0.1"
        })
        const address = first.address()
        if (address === null || typeof address === "string") throw new Error("expected a TCP address")
        return yield* Effect.flip(
          WebhookReceiver.makeServer(() => Effect.void, { secrets: secret, port: address.port, host: "127.0.0.1" })
        )
      })).pipe(Effect.provide(DeliveryLog.layerMemory()))
      expect(error._tag).toBe("ServeError")
    }))
})
