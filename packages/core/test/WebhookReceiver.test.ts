import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
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
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { EventEmitter } from "node:events"
import * as fs from "node:fs"
import * as Http from "node:http"
import * as os from "node:os"
import * as path from "node:path"

const NOW = 1_700_000_000
const secret = Redacted.make("whsec_receiver_test_secret")
const body = (videoId = "v_1") =>
  JSON.stringify({
    event_type: "avatar_video.success",
    event_data: { video_id: videoId, url: `https://cdn.example/${videoId}.mp4` }
  })

type Handler = (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, string>

/**
 * Both forms of the receiver, `make` served alone (NodeHttpServer runs it uninterruptibly) and on an `HttpRouter`
 * route (interruptible, so a client hanging up interrupts it): every test below runs against each.
 */
const forms = ["make", "make on an HttpRouter", "makeHandler"] as const
type Form = (typeof forms)[number]

/** A node:http server on 127.0.0.1 running `listener`, closed with the test's scope; returns its port. */
const listen = (listener: Http.RequestListener): Effect.Effect<number, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<Http.Server>((resume) => {
        const server = Http.createServer(listener)
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    ),
    (server) => {
      const address = server.address()
      if (address === null || typeof address === "string") throw new Error("expected a TCP address")
      return address.port
    }
  )

/**
 * Serves a receiver of the given form on 127.0.0.1 for the test's scope; returns its URL. The test clock is set
 * to NOW. `make` is served by NodeHttpServer (the README's shape), `makeHandler` by a plain node:http server.
 */
const serveAs = (
  form: Form,
  handler: Handler,
  options: Partial<WebhookReceiver.Options> = {},
  log: Layer.Layer<DeliveryLog.DeliveryLog, unknown> = DeliveryLog.layerMemory()
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW * 1000)
    const logService = yield* Layer.build(log)
    const receiverOptions = { secrets: secret, ...options }
    if (form === "makeHandler") {
      const listener = yield* WebhookReceiver.makeHandler(handler, receiverOptions).pipe(Effect.provide(logService))
      return `http://127.0.0.1:${yield* listen(listener)}/hooks`
    }
    const server = yield* NodeHttpServer.make(() => Http.createServer(), { port: 0, host: "127.0.0.1" })
    const receiver = WebhookReceiver.make(handler, receiverOptions)
    yield* HttpServer.serveEffect()(
      form === "make" ? receiver : HttpRouter.empty.pipe(HttpRouter.all("/hooks", receiver))
    ).pipe(
      Effect.provideService(HttpServer.HttpServer, server),
      Effect.provide(logService)
    )
    const address = server.address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return `http://127.0.0.1:${address.port}/hooks`
  })

interface Reply {
  readonly status: number
  readonly text: string
}

/** A raw HTTP request with node:http, so that bodies and headers are sent exactly as given. */
const send = (
  url: string,
  rawBody: string | Uint8Array,
  headers: Record<string, string>,
  method = "POST"
): Effect.Effect<Reply> =>
  Effect.async<Reply>((resume) => {
    const request = Http.request(
      url,
      { method, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        let text = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => (text += chunk))
        response.on("end", () => resume(Effect.succeed({ status: response.statusCode ?? 0, text })))
      }
    )
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(rawBody)
    // Interrupting the send hangs up, as a client that gives up does.
    return Effect.sync(() => request.destroy())
  })

const signed = (raw: string, eventId: string, key = secret, timestamp = NOW) => ({
  ...WebhookSignature.sign(raw, key, timestamp),
  "Heygen-Event-Id": eventId
})

const deliver = (url: string, eventId: string, raw = body()) => send(url, raw, signed(raw, eventId))

/**
 * Sends the headers and `sent` bytes of a body, then stops without ending the request: the server can only
 * answer if it refuses without waiting for the rest of the body.
 */
const sendPartial = (url: string, sent: number, headers: Record<string, string>) =>
  Effect.async<Reply>((resume) => {
    const request = Http.request(url, { method: "POST", headers }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (text += chunk))
      response.on("end", () => {
        request.destroy()
        resume(Effect.succeed({ status: response.statusCode ?? 0, text }))
      })
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.write(Buffer.alloc(sent, 0x20))
    return Effect.sync(() => request.destroy())
  })

/**
 * Sends the headers and part of a body whose declared length is `declared`, then drops the connection once that
 * part is on the wire, as a client that crashes mid-request does.
 */
const abortMidBody = (url: string, declared: number, headers: Record<string, string>) =>
  Effect.async<void>((resume) => {
    const request = Http.request(url, { method: "POST", headers: { ...headers, "content-length": String(declared) } })
    request.on("error", () => {})
    request.on("close", () => resume(Effect.void))
    request.write(Buffer.alloc(Math.floor(declared / 2), 0x20), () => request.destroy())
  })

/**
 * The in-memory log has synchronous operations, which the receivers use to claim before any fiber runs; a log
 * over a database has only effects. Every loopback test runs with each, so that both ways through the receiver
 * are held to the same answers.
 */
const logKinds = {
  "a synchronous log": () => DeliveryLog.layerMemory(),
  "a log through effects": () =>
    Layer.effect(
      DeliveryLog.DeliveryLog,
      Effect.map(DeliveryLog.makeMemory(), ({ claim, complete, release }) => ({ claim, complete, release }))
    )
} as const

/** A log whose `operation` always fails, the others working as the in-memory log does. */
const failingLog = (operation: DeliveryLog.DeliveryLogError["operation"]) =>
  Layer.effect(
    DeliveryLog.DeliveryLog,
    Effect.map(DeliveryLog.makeMemory(), (memory) => {
      const fail = Effect.fail(new DeliveryLog.DeliveryLogError({ operation, message: "database unavailable" }))
      return {
        claim: operation === "claim" ? () => fail : memory.claim,
        complete: operation === "complete" ? () => fail : memory.complete,
        release: operation === "release" ? () => fail : memory.release
      }
    })
  )

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
            ["no event id", raw, { ...WebhookSignature.sign(raw, secret, NOW) }],
            ["malformed signature", raw, { ...good, "Heygen-Signature": "zz" }]
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

      it.scoped("a signed body that is not a delivery is 400 and reaches nothing; GET is 405", () =>
        Effect.gen(function*() {
          const runs = yield* Ref.make(0)
          const url = yield* serve(() => Ref.update(runs, (n) => n + 1))
          expect((yield* send(url, "not json", signed("not json", "evt_j"))).status).toBe(400)
          expect((yield* send(url, "", {}, "GET")).status).toBe(405)
          expect(yield* Ref.get(runs)).toBe(0)
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
          expect(lines).toEqual([
            `WARN webhook delivery refused: SignatureMismatch {"header":"Heygen-Signature"}`,
            `WARN webhook delivery refused: MalformedSignature {"header":"Heygen-Signature"}`
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
