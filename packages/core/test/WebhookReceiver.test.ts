import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { EventEmitter } from "node:events"
import * as fs from "node:fs"
import type * as Http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import {
  abortMidBody,
  body,
  deliver,
  failingLog,
  type Form,
  forms,
  type Handler,
  logKinds,
  NOW,
  plainSig,
  probeLog,
  secret,
  send,
  sendPartial,
  serveAs,
  signed
} from "./receiverSupport.js"

for (const form of forms) {
  describe(`WebhookReceiver.${form} with a delivery log that fails`, () => {
    it.scoped("a claim that fails is a 503 and the handler does not run; a complete that fails is a 503", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const handler = () => Ref.update(runs, (n) => n + 1)
        const claimFails = yield* serveAs(form, handler, {}, failingLog("claim"))
        const reply = yield* deliver(claimFails, "evt_l1")
        expect(reply).toEqual({ status: 503, text: "delivery log unavailable" })
        expect(yield* Ref.get(runs)).toBe(0)
        const completeFails = yield* serveAs(form, handler, {}, failingLog("complete"))
        expect((yield* deliver(completeFails, "evt_l2")).status).toBe(503)
        expect(yield* Ref.get(runs)).toBe(1)
      }))
  })
}

for (const form of forms) {
  for (const [logKind, makeLog] of Object.entries(logKinds)) {
    const serve = (
      handler: Handler,
      options: Partial<WebhookReceiver.Options> = {},
      log: Layer.Layer<DeliveryLog.DeliveryLog, unknown> = makeLog()
    ) => serveAs(form, handler, options, log)

    describe(`WebhookReceiver.${form} over a loopback server, with ${logKind}`, () => {
      it.scoped("runs the handler once per event id: redeliveries are answered 200 without running it", () =>
        Effect.gen(function*() {
          const seen = yield* Ref.make<Array<string>>([])
          const url = yield* serve((d) => Ref.update(seen, (xs) => [...xs, `${d.eventId}:${d.event._tag}`]))
          const statuses = []
          for (let i = 0; i < 3; i++) statuses.push((yield* deliver(url, "evt_1")).status)
          statuses.push((yield* deliver(url, "evt_2")).status)
          expect(statuses).toEqual([200, 200, 200, 200])
          expect(yield* Ref.get(seen)).toEqual(["evt_1:AvatarVideoSuccess", "evt_2:AvatarVideoSuccess"])
        }))

      it.scoped("concurrent duplicates while the handler runs: one runs, the others get 409; after it succeeds, 200", () =>
        Effect.gen(function*() {
          const gate = yield* Deferred.make<void>()
          const started = yield* Deferred.make<void>()
          const runs = yield* Ref.make(0)
          const url = yield* serve(() =>
            Effect.zipRight(
              Ref.update(runs, (n) => n + 1),
              Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate))
            )
          )
          const first = yield* Effect.fork(deliver(url, "evt_c"))
          yield* Deferred.await(started)
          const duplicates = yield* Effect.all(Array.from({ length: 8 }, () => deliver(url, "evt_c")), {
            concurrency: "unbounded"
          })
          expect(duplicates.map((r) => r.status)).toEqual(Array(8).fill(409))
          yield* Deferred.succeed(gate, undefined)
          expect((yield* first).status).toBe(200)
          const after = yield* Effect.all(Array.from({ length: 8 }, () => deliver(url, "evt_c")), {
            concurrency: "unbounded"
          })
          expect(after.map((r) => r.status)).toEqual(Array(8).fill(200))
          expect(yield* Ref.get(runs)).toBe(1)
        }))

      it.scoped("a handler failure or defect is a 500, and the next delivery runs the handler again", () =>
        Effect.gen(function*() {
          const attempts = yield* Ref.make(0)
          const url = yield* serve(() =>
            Effect.flatMap(
              Ref.updateAndGet(attempts, (n) => n + 1),
              (n) => n === 1 ? Effect.fail("database down") : n === 2 ? Effect.die(new Error("bug")) : Effect.void
            )
          )
          const statuses = []
          for (let i = 0; i < 4; i++) statuses.push((yield* deliver(url, "evt_f")).status)
          expect(statuses).toEqual([500, 500, 200, 200])
          expect(yield* Ref.get(attempts)).toBe(3)
        }))

      it.scoped("forged deliveries never reach the handler and get a bare 400/401", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1))
          const raw = body()
          const good = signed(raw, "evt_x")
          const cases: ReadonlyArray<readonly [string, string, Record<string, string>]> = [
            ["wrong secret", raw, signed(raw, "evt_x", Redacted.make("whsec_someone_else"))],
            ["body changed", raw.replace("v_1", "v_2"), good],
            ["re-serialised", JSON.stringify(JSON.parse(raw), null, 2), good],
            ["old timestamp", raw, signed(raw, "evt_x", secret, NOW - 301)],
            ["no signature", raw, { "Heygen-Timestamp": String(NOW), "Heygen-Event-Id": "evt_x" }],
            ["malformed signature", raw, { ...good, "Heygen-Signature": "zz" }],
            // The form production deliveries take: a plain Signature header, nothing else.
            ["plain Signature, wrong secret", raw, { signature: plainSig(raw, Redacted.make("whsec_someone_else")) }],
            ["plain Signature, body changed", raw.replace("v_1", "v_2"), { signature: plainSig(raw) }],
            ["plain Signature, malformed", raw, { signature: "sha256=zz" }],
            ["plain Signature, old timestamp", raw, {
              signature: plainSig(raw),
              "Heygen-Timestamp": String(NOW - 301)
            }],
            ["plain Signature, future timestamp", raw, {
              signature: plainSig(raw),
              "Heygen-Timestamp": String(NOW + 301)
            }]
          ]
          for (const [name, b, h] of cases) {
            const reply = yield* send(url, b, h)
            expect([400, 401], name).toContain(reply.status)
            expect(reply.text, name).toMatch(/^(bad request|unauthorized)$/)
          }
          expect(yield* Ref.get(runs)).toBe(0)
          // The genuine one still goes through.
          expect((yield* send(url, raw, good)).status).toBe(200)
          expect(yield* Ref.get(runs)).toBe(1)
        }))

      it.scoped("a signed body that is not a JSON object with a string event_type is 400 and reaches nothing", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1))
          for (const raw of ["not json", "[]", `{"event_data":{}}`, `{"event_type":7}`]) {
            expect((yield* send(url, raw, signed(raw, "evt_j"))).status, raw).toBe(400)
            expect((yield* send(url, raw, { signature: plainSig(raw) })).status, raw).toBe(400)
          }
          expect(yield* Ref.get(runs)).toBe(0)
        }))

      it.scoped("HeyGen's probes (GET, HEAD, OPTIONS) get an empty 200 at once; other methods 405; neither touches the log", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const touched = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1), {}, probeLog(touched))
          for (const method of ["GET", "HEAD", "OPTIONS"]) {
            // Even with a signed body: a probe is answered without reading it (but HEAD: Node's client cannot
            // send a HEAD with a body and then read the answer).
            const raw = method === "HEAD" ? "" : body()
            const reply = yield* send(url, raw, signed(raw, "evt_probe"), method)
            expect([method, reply.status, reply.text]).toEqual([method, 200, ""])
          }
          for (const method of ["PUT", "DELETE", "PATCH"]) {
            expect((yield* send(url, body(), signed(body(), "evt_probe"), method)).status, method).toBe(405)
          }
          expect([yield* Ref.get(runs), yield* Ref.get(touched)]).toEqual([0, 0])
          // The receiver still serves a delivery afterwards, through the same log.
          expect((yield* deliver(url, "evt_probe")).status).toBe(200)
          expect([yield* Ref.get(runs), yield* Ref.get(touched)]).toEqual([1, 1])
        }))

      it.scoped("a repeated Heygen-Event-Id (Node joins it to `a, b`) is 400 and the handler does not run again", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1))
          const raw = body()
          expect((yield* deliver(url, "evt_1", raw)).status).toBe(200)
          const twice = { ...WebhookSignature.sign(raw, secret, NOW), "Heygen-Event-Id": ["evt_1", "evt_1"] }
          expect((yield* send(url, raw, twice)).status).toBe(400)
          const joined = { ...WebhookSignature.sign(raw, secret, NOW), "Heygen-Event-Id": "evt_1, evt_2" }
          expect((yield* send(url, raw, joined)).status).toBe(400)
          const signatureTwice = { ...signed(raw, "evt_9"), "Heygen-Signature": [plainSig(raw), plainSig(raw)] }
          expect((yield* send(url, raw, signatureTwice)).status).toBe(400)
          const timestampTwice = { ...signed(raw, "evt_9"), "Heygen-Timestamp": [String(NOW), String(NOW)] }
          expect((yield* send(url, raw, timestampTwice)).status).toBe(400)
          expect(yield* Ref.get(runs)).toBe(1)
        }))

      it.scoped("rotation: deliveries signed with the old or the new secret both pass when both are configured", () =>
        Effect.gen(function*() {
          const old = Redacted.make("whsec_old")
          const url = yield* serve(() => Effect.void, { secrets: [secret, old] })
          expect((yield* send(url, body(), signed(body(), "evt_new"))).status).toBe(200)
          expect((yield* send(url, body(), signed(body(), "evt_old", old))).status).toBe(200)
        }))

      it.scoped("a client that aborts mid-body leaves no claim behind: the redelivery runs the handler", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1))
          const raw = body()
          for (let i = 0; i < 3; i++) {
            yield* abortMidBody(url, raw.length, { "content-type": "application/json", ...signed(raw, "evt_abort") })
          }
          expect(yield* Ref.get(runs)).toBe(0)
          // Not 409: no claim was taken for a body that never arrived whole.
          expect((yield* deliver(url, "evt_abort", raw)).status).toBe(200)
          expect(yield* Ref.get(runs)).toBe(1)
        }))

      // Under `make` served alone, NodeHttpServer runs the app uninterruptibly: the handler still gets a fiber of
      // its own in which its timeout can interrupt what it waits on.
      it.scoped(
        "a handler's own timeout interrupts its work: 500, and the redelivery runs it again",
        () =>
          Effect.gen(function*() {
            const runs = yield* Ref.make(0)
            const url = yield* serve(() =>
              Effect.flatMap(
                Ref.updateAndGet(runs, (n) => n + 1),
                (n) =>
                  n > 1
                    ? Effect.void
                    : Effect.timeoutFail(Effect.never, { duration: "5 seconds", onTimeout: () => "timed out" })
              )
            )
            const first = yield* Effect.fork(deliver(url, "evt_slow"))
            // Moves the clock past the handler's timeout once it is waiting on it (and only then).
            while (Chunk.isEmpty(yield* TestClock.sleeps())) yield* Effect.yieldNow()
            yield* TestClock.adjust("5 seconds")
            expect((yield* Fiber.join(first)).status).toBe(500)
            expect((yield* deliver(url, "evt_slow")).status).toBe(200)
            expect(yield* Ref.get(runs)).toBe(2)
          })
      )

      it.scoped("a client that hangs up while the handler runs does not stop it: its success is recorded", () =>
        Effect.gen(function*() {
          const started = yield* Deferred.make<void>()
          const gate = yield* Deferred.make<void>()
          const runs = yield* Ref.make(0)
          const url = yield* serve(() =>
            Effect.flatMap(
              Ref.updateAndGet(runs, (n) => n + 1),
              (n) => n > 1 ? Effect.void : Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(gate))
            )
          )
          const first = yield* Effect.fork(deliver(url, "evt_hangup"))
          yield* Deferred.await(started)
          yield* Fiber.interrupt(first)
          // Still running (a receiver that stopped it on the hang-up would run it again here), and a round trip
          // later than the hang-up, so the server has seen it.
          expect((yield* deliver(url, "evt_hangup")).status).toBe(409)
          yield* Deferred.succeed(gate, undefined)
          // The success is recorded just after the handler returns: until then the event is still in flight.
          let status = 409
          for (let i = 0; i < 100 && status === 409; i++) status = (yield* deliver(url, "evt_hangup")).status
          expect(status).toBe(200)
          expect(yield* Ref.get(runs)).toBe(1)
        }))

      it.scoped("a refusal is logged as a warning naming the failed check and header, with nothing of the secrets", () => {
        const lines: Array<string> = []
        const capture = Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ annotations, logLevel, message }) => {
            const text = Array.isArray(message) ? message.join(" ") : String(message)
            lines.push(`${logLevel.label} ${text} ${JSON.stringify(Object.fromEntries(annotations))}`)
          })
        )
        return Effect.gen(function*() {
          const url = yield* serve(() => Effect.void)
          const raw = body()
          expect((yield* send(url, raw, signed(raw, "evt_l", Redacted.make("whsec_someone_else")))).status).toBe(401)
          expect((yield* send(url, raw, { ...signed(raw, "evt_l"), "Heygen-Signature": "zz" })).status).toBe(400)
          const { "Heygen-Signature": _, ...unsigned } = signed(raw, "evt_l")
          expect((yield* send(url, raw, unsigned)).status).toBe(400)
          expect(lines).toEqual([
            `WARN webhook delivery refused: SignatureMismatch {"header":"Heygen-Signature"}`,
            `WARN webhook delivery refused: MalformedSignature {"header":"Heygen-Signature"}`,
            `WARN webhook delivery refused: MissingHeader {"header":"Heygen-Signature|Signature"}`
          ])
        }).pipe(Effect.provide(capture))
      })
    })
  }
}

for (const form of forms) {
  const serve = (...args: Parameters<typeof serveAs> extends [Form, ...infer Rest] ? Rest : never) =>
    serveAs(form, ...args)

  describe(`the body limit (${form})`, () => {
    const limit = 1024

    it.scoped("a declared Content-Length above the limit is 413 before any of the body is read", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const url = yield* serve(() => Ref.update(runs, (n) => n + 1), { maxBodySize: limit })
        const reply = yield* sendPartial(url, 10, {
          "content-length": String(100 * 1024 * 1024),
          ...signed(body(), "evt_big")
        })
        expect(reply.status).toBe(413)
        expect(yield* Ref.get(runs)).toBe(0)
      }))

    it.scoped("a chunked body is refused with 413 once it passes the limit, while the client is still sending", () =>
      Effect.gen(function*() {
        const runs = yield* Ref.make(0)
        const url = yield* serve(() => Ref.update(runs, (n) => n + 1), { maxBodySize: limit })
        const reply = yield* sendPartial(url, 4 * limit, {
          "transfer-encoding": "chunked",
          ...signed(body(), "evt_big")
        })
        expect(reply.status).toBe(413)
        expect(yield* Ref.get(runs)).toBe(0)
      }))

    it.scoped("a body of exactly the limit is read and verified", () =>
      Effect.gen(function*() {
        const url = yield* serve(() => Effect.void, { maxBodySize: limit })
        const base = body()
        const padded = base.slice(0, -1) + " ".repeat(limit - base.length) + "}"
        expect(Buffer.byteLength(padded)).toBe(limit)
        expect((yield* send(url, padded, signed(padded, "evt_edge"))).status).toBe(200)
        const over = padded + " "
        expect((yield* send(url, over, signed(over, "evt_over"))).status).toBe(413)
      }))
  })

  describe(`with the SQL delivery log (${form})`, () => {
    it.effect("a receiver restarted between a delivery and its redelivery does not run a succeeded handler again", () =>
      Effect.gen(function*() {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "receiver-")), "log.db")
        const log = () => DeliveryLogSql.layer().pipe(Layer.provide(SqliteClient.layer({ filename: file })))
        const runs = yield* Ref.make(0)
        const handler = () => Ref.update(runs, (n) => n + 1)
        const first = yield* Effect.scoped(Effect.flatMap(serve(handler, {}, log()), (url) => deliver(url, "evt_r")))
        // The first server, its database connection and its in-memory state are gone; a new one starts.
        const second = yield* Effect.scoped(Effect.flatMap(serve(handler, {}, log()), (url) => deliver(url, "evt_r")))
        expect([first.status, second.status]).toEqual([200, 200])
        expect(yield* Ref.get(runs)).toBe(1)
      }))
  })
}

describe("WebhookReceiver.makeHandler called directly", () => {
  // Node's headers never throw; a proxy that does stands in for a bug in the checks, which must not reach the
  // server as an exception (a defect in a fiber is a 500; so is one in the checks run before any fiber).
  it.effect("a check that throws is answered 500, and the listener goes on serving", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const runs = yield* Ref.make(0)
      const listener = yield* WebhookReceiver.makeHandler(() => Ref.update(runs, (n) => n + 1), { secrets: secret })
        .pipe(Effect.provide(DeliveryLog.layerMemory()))
      const raw = body()
      const call = (headers: object) => {
        const request = Object.assign(new EventEmitter(), { method: "POST", headers, resume: () => {} })
        const reply = { status: 0 }
        const response = {
          headersSent: false,
          destroyed: false,
          writeHead: (status: number) => (reply.status = status),
          end: () => {},
          on: () => {}
        }
        listener(request as unknown as Http.IncomingMessage, response as unknown as Http.ServerResponse)
        request.emit("data", Buffer.from(raw))
        request.emit("end")
        return reply.status
      }
      const throwing = new Proxy(signed(raw, "evt_t"), {
        get: (target, key) => {
          if (key === "heygen-signature") throw new Error("a bug in the checks")
          return Reflect.get(target, key)
        }
      })
      expect(call(throwing)).toBe(500)
      expect(call(signed(raw, "evt_t"))).toBe(200)
      expect(yield* Ref.get(runs)).toBe(1)
    }))
})
