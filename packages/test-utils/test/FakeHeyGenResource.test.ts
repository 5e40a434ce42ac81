// The fake beyond create: list, update, delete, rotate-secret, event types and the event log, snapshots.
import { WebhookEventType } from "@effect-heygen/core"
import { FakeHeyGen, Fault } from "@effect-heygen/test-utils"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { auth, send } from "./support.js"

interface Endpoint {
  readonly endpoint_id: string
  readonly url: string
  readonly events: ReadonlyArray<string> | null
  readonly status: string
  readonly created_at: string
  readonly secret: string | null
}
interface ListBody<A> {
  readonly data: ReadonlyArray<A>
  readonly has_more: boolean
  readonly next_token: string | null
}
interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly param: string | null }
}
const errorOf = (json: unknown) => (json as ErrorBody).error

const url = (i: number | string) => `https://example.com/hooks/${i}`

const create = (fake: FakeHeyGen.FakeHeyGen, body: unknown, key = FakeHeyGen.sandboxApiKey) =>
  Effect.map(send(fake, { headers: auth(key), body }), (r) => (r.json as { data: Endpoint }).data)

const list = (fake: FakeHeyGen.FakeHeyGen, query = "", key = FakeHeyGen.sandboxApiKey) =>
  send(fake, { method: "GET", path: `${FakeHeyGen.endpointsPath}${query}`, headers: auth(key) })

/** Every page, following next_token, with the limit given. */
const walk = (fake: FakeHeyGen.FakeHeyGen, limit: number, key = FakeHeyGen.sandboxApiKey) =>
  Effect.gen(function*() {
    const pages: Array<ListBody<Endpoint>> = []
    let token: string | null = null
    do {
      const query: string = `?limit=${limit}${token === null ? "" : `&token=${encodeURIComponent(token)}`}`
      const reply = yield* list(fake, query, key)
      expect(reply.status, reply.text).toBe(200)
      const body = reply.json as ListBody<Endpoint>
      pages.push(body)
      token = body.next_token
    } while (token !== null)
    return pages
  })

describe("FakeHeyGen: list endpoints", () => {
  it.effect("oldest first, 10 by default, secrets null, opaque tokens, has_more exact", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const created = []
      for (let i = 0; i < 12; i++) created.push(yield* create(fake, { url: url(i) }))
      const first = (yield* list(fake)).json as ListBody<Endpoint>
      expect(first.data.map((e) => e.endpoint_id)).toEqual(created.slice(0, 10).map((e) => e.endpoint_id))
      expect(first.data.every((e) => e.secret === null)).toBe(true)
      expect(first.has_more).toBe(true)
      expect(first.next_token).toMatch(/^[A-Za-z0-9_-]+$/)
      const second = (yield* list(fake, `?token=${first.next_token}`)).json as ListBody<Endpoint>
      expect(second.data.map((e) => e.url)).toEqual([url(10), url(11)])
      expect([second.has_more, second.next_token]).toEqual([false, null])
      // A page that ends exactly at the last endpoint says there is no more.
      const exact = (yield* list(fake, "?limit=12")).json as ListBody<Endpoint>
      expect([exact.data.length, exact.has_more, exact.next_token]).toEqual([12, false, null])
      const pages = yield* walk(fake, 5)
      expect(pages.map((p) => p.data.length)).toEqual([5, 5, 2])
      expect(pages.flatMap((p) => p.data.map((e) => e.endpoint_id))).toEqual(created.map((e) => e.endpoint_id))
    }))

  it.effect("400 invalid_parameter for a limit outside 1-100 or not an integer, and for a foreign token", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      for (const limit of ["0", "101", "-1", "1.5", "abc", "", "1e2", " 5"]) {
        const reply = yield* list(fake, `?limit=${encodeURIComponent(limit)}`)
        expect(reply.status, `limit=${limit}`).toBe(400)
        expect(errorOf(reply.json)).toMatchObject({ code: "invalid_parameter", param: "limit" })
      }
      for (const limit of ["1", "100", "010"]) expect((yield* list(fake, `?limit=${limit}`)).status).toBe(200)
      for (const token of ["garbage!", "bm9wZQ", "", btoa("v:1")]) {
        const reply = yield* list(fake, `?token=${encodeURIComponent(token)}`)
        expect(reply.status, `token=${token}`).toBe(400)
        expect(errorOf(reply.json)).toMatchObject({ code: "invalid_parameter", param: "token" })
      }
    }))

  it.effect("accounts see only their own endpoints", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a", "b"] })
      yield* create(fake, { url: url(1) }, "a")
      yield* create(fake, { url: url(2) }, "b")
      expect(((yield* list(fake, "", "a")).json as ListBody<Endpoint>).data.map((e) => e.url)).toEqual([url(1)])
      expect(((yield* list(fake, "", "b")).json as ListBody<Endpoint>).data.map((e) => e.url)).toEqual([url(2)])
    }))

  it.effect.prop(
    "walking the pages, with creates and deletes between them, yields every endpoint that stayed, once, in order",
    [
      FastCheck.integer({ min: 0, max: 30 }),
      FastCheck.integer({ min: 1, max: 7 }),
      FastCheck.array(FastCheck.tuple(FastCheck.boolean(), FastCheck.nat(40)), { maxLength: 6 })
    ],
    ([initial, limit, changes]) =>
      Effect.gen(function*() {
        const fake = yield* FakeHeyGen.make()
        for (let i = 0; i < initial; i++) yield* create(fake, { url: url(i) })
        const seen: Array<string> = []
        let token: string | null = null
        let step = 0
        do {
          const query: string = `?limit=${limit}${token === null ? "" : `&token=${token}`}`
          const body = (yield* list(fake, query)).json as ListBody<Endpoint>
          expect(body.data.length).toBeLessThanOrEqual(limit)
          seen.push(...body.data.map((e) => e.endpoint_id))
          token = body.next_token
          const change = changes[step++]
          if (change === undefined) continue
          const [isCreate, n] = change
          if (isCreate) yield* create(fake, { url: url(`new-${step}`) })
          else {
            const held = yield* fake.endpoints()
            const victim = held[n % Math.max(1, held.length)]
            if (victim !== undefined) {
              yield* send(fake, { method: "DELETE", path: FakeHeyGen.endpointPath(victim.endpoint_id) })
            }
          }
        } while (token !== null)
        expect(new Set(seen).size, "no endpoint twice").toBe(seen.length)
        const now = (yield* fake.endpoints()).map((e) => e.endpoint_id)
        // Every endpoint that exists at the end and existed at the start was seen; all seen in creation order.
        const ordinals = new Map((yield* fake.snapshot).endpoints.map((e) => [e.endpoint_id, e.ordinal]))
        const survivors = now.filter((id) => (ordinals.get(id) ?? Infinity) < initial)
        for (const id of survivors) expect(seen).toContain(id)
        const seenOrdinals = seen.map((id) => ordinals.get(id)).filter((o) => o !== undefined)
        expect(seenOrdinals).toEqual([...seenOrdinals].sort((a, b) => a - b))
      }),
    { fastCheck: { numRuns: 60 } }
  )
})

describe("FakeHeyGen: update", () => {
  it.effect("replaces events (not merged), changes the URL, keeps the rest; secret null in the response", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const created = yield* create(fake, { url: url(1), events: ["avatar_video.success", "avatar_video.fail"] })
      const path = FakeHeyGen.endpointPath(created.endpoint_id)
      const events = yield* send(fake, { method: "PATCH", path, body: { events: ["video_agent.success"] } })
      expect(events.status).toBe(200)
      expect((events.json as { data: Endpoint }).data).toEqual({
        ...created,
        events: ["video_agent.success"],
        secret: null
      })
      const moved = yield* send(fake, { method: "PATCH", path, body: { url: url(2) } })
      expect((moved.json as { data: Endpoint }).data).toMatchObject({ url: url(2), events: ["video_agent.success"] })
      const all = yield* send(fake, { method: "PATCH", path, body: { events: null } })
      expect((all.json as { data: Endpoint }).data.events).toBeNull()
      const [stored] = yield* fake.endpoints()
      expect(stored).toMatchObject({ url: url(2), events: null, secret: created.secret })
      // The old URL is free again; the new one is taken.
      expect((yield* send(fake, { body: { url: url(1) } })).status).toBe(200)
      expect((yield* send(fake, { body: { url: url(2) } })).status).toBe(409)
    }))

  it.effect("400 for no field, url null alone, unknown keys, bad values; 409 for another endpoint's URL", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const a = yield* create(fake, { url: url("a") })
      yield* create(fake, { url: url("b") })
      const path = FakeHeyGen.endpointPath(a.endpoint_id)
      const cases: ReadonlyArray<readonly [unknown, string | null]> = [
        [{}, null],
        [{ url: null }, null],
        [{ url: url("x"), entity_id: "e" }, "entity_id"],
        [{ url: "http://example.com/h" }, "url"],
        [{ url: "https://localhost/h" }, "url"],
        [{ events: ["nope.nope"] }, "events"],
        [{ events: "avatar_video.fail" }, "events"],
        [[], null]
      ]
      for (const [body, param] of cases) {
        const reply = yield* send(fake, { method: "PATCH", path, body })
        expect(reply.status, JSON.stringify(body)).toBe(400)
        expect(errorOf(reply.json)).toMatchObject({ code: "invalid_parameter", param })
      }
      expect((yield* send(fake, { method: "PATCH", path, rawBody: "{" })).status).toBe(400)
      const conflict = yield* send(fake, { method: "PATCH", path, body: { url: url("b") } })
      expect(conflict.status).toBe(409)
      expect(errorOf(conflict.json).code).toBe("conflict")
      // Its own URL is no conflict (PATCH sets absolute values, so repeating one lands in the same state).
      expect((yield* send(fake, { method: "PATCH", path, body: { url: url("a") } })).status).toBe(200)
      expect((yield* fake.endpoints()).map((e) => e.url)).toEqual([url("a"), url("b")])
    }))
})

describe("FakeHeyGen: 404 not_found", () => {
  it.effect("for unknown ids, deleted ids and another account's ids, on update, delete and rotate", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a", "b"] })
      const mine = yield* create(fake, { url: url(1) }, "a")
      const theirs = yield* create(fake, { url: url(1) }, "b")
      const deleted = yield* send(fake, {
        method: "DELETE",
        path: FakeHeyGen.endpointPath(mine.endpoint_id),
        headers: auth("a")
      })
      expect(deleted.status).toBe(200)
      expect(deleted.json).toEqual({ error: null, data: {} })
      for (const id of [mine.endpoint_id, theirs.endpoint_id, "ep_unknown", "a/b", "ep x"]) {
        for (
          const [method, path] of [
            ["PATCH", FakeHeyGen.endpointPath(id)],
            ["DELETE", FakeHeyGen.endpointPath(id)],
            ["POST", FakeHeyGen.rotateSecretPath(id)]
          ] as const
        ) {
          const reply = yield* send(fake, { method, path, headers: auth("a"), body: { events: null } })
          expect(reply.status, `${method} ${path}`).toBe(404)
          expect(errorOf(reply.json)).toEqual({
            code: "not_found",
            message: "Webhook endpoint not found.",
            param: null,
            doc_url: null
          })
        }
      }
      expect((yield* fake.endpoints("b")).map((e) => e.endpoint_id)).toEqual([theirs.endpoint_id])
      // An empty id is no resource path at all.
      expect((yield* send(fake, { method: "DELETE", path: `${FakeHeyGen.endpointsPath}/`, headers: auth("a") })).status)
        .toBe(404)
    }))

  it.effect("delete frees the URL", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const e = yield* create(fake, { url: url(1) })
      yield* send(fake, { method: "DELETE", path: FakeHeyGen.endpointPath(e.endpoint_id) })
      expect(yield* fake.endpoints()).toEqual([])
      expect((yield* send(fake, { body: { url: url(1) } })).status).toBe(200)
    }))
})

describe("FakeHeyGen: rotate-secret", () => {
  interface Rotated {
    readonly data: { readonly endpoint_id: string; readonly secret: string }
  }
  const rotate = (fake: FakeHeyGen.FakeHeyGen, id: string, key?: string) =>
    send(fake, {
      method: "POST",
      path: FakeHeyGen.rotateSecretPath(id),
      headers: auth(undefined, key === undefined ? {} : { "idempotency-key": key }),
      rawBody: ""
    })

  it.effect("a new secret, held at once instead of the old one", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const e = yield* create(fake, { url: url(1) })
      const reply = yield* rotate(fake, e.endpoint_id)
      expect(reply.status).toBe(200)
      const { data } = reply.json as Rotated
      expect(data.endpoint_id).toBe(e.endpoint_id)
      expect(data.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/)
      expect(data.secret).not.toBe(e.secret)
      expect((yield* fake.endpoints())[0]?.secret).toBe(data.secret)
    }))

  it.effect("a key replays the rotation (no second one); it is scoped per route and per endpoint", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const e1 = yield* create(fake, { url: url(1) })
      const e2 = yield* create(fake, { url: url(2) })
      const first = yield* rotate(fake, e1.endpoint_id, "k")
      const again = yield* rotate(fake, e1.endpoint_id, "k")
      expect(again).toEqual(first)
      expect((yield* fake.endpoints())[0]?.secret).toBe((first.json as Rotated).data.secret)
      // The same key on another endpoint's rotate, and on create, acts afresh.
      const other = yield* rotate(fake, e2.endpoint_id, "k")
      expect((other.json as Rotated).data.endpoint_id).toBe(e2.endpoint_id)
      const created = yield* send(fake, { headers: auth(undefined, { "idempotency-key": "k" }), body: { url: url(3) } })
      expect(created.status).toBe(200)
      // A bad key is refused on rotate as on create.
      const bad = yield* rotate(fake, e1.endpoint_id, "has space")
      expect(errorOf(bad.json)).toMatchObject({ code: "invalid_parameter", param: "Idempotency-Key" })
    }))

  it.effect("409 request_in_progress while the keyed original is in flight; the original completes", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const e = yield* create(fake, { url: url(1) })
      yield* fake.enqueueFaults([Fault.Fault.Slow({ delay: "2 seconds" })])
      const original = yield* Effect.fork(rotate(fake, e.endpoint_id, "slow"))
      yield* TestClock.adjust("1 second")
      const concurrent = yield* rotate(fake, e.endpoint_id, "slow")
      expect(concurrent.status).toBe(409)
      expect(errorOf(concurrent.json).code).toBe("request_in_progress")
      yield* TestClock.adjust("1 second")
      const done = yield* Fiber.join(original)
      expect(done.status).toBe(200)
      expect(yield* rotate(fake, e.endpoint_id, "slow")).toEqual(done)
    }))
})

describe("FakeHeyGen: event types and events", () => {
  interface Event {
    readonly event_id: string
    readonly event_type: string
    readonly event_data: Record<string, unknown>
    readonly created_at: string
  }
  const events = (fake: FakeHeyGen.FakeHeyGen, query = "", key = FakeHeyGen.sandboxApiKey) =>
    send(fake, { method: "GET", path: `${FakeHeyGen.eventsPath}${query}`, headers: auth(key) })

  it.effect("event types: every type of core's enum, described, in one page", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const reply = yield* send(fake, { method: "GET", path: FakeHeyGen.eventTypesPath })
      expect(reply.status).toBe(200)
      const body = reply.json as ListBody<{ event_type: string; description: string }>
      expect(body.data.map((t) => t.event_type)).toEqual(WebhookEventType.values)
      expect(body.data.every((t) => t.description.length > 10)).toBe(true)
      expect(new Set(body.data.map((t) => t.description)).size).toBe(body.data.length)
      expect([body.has_more, body.next_token]).toEqual([false, null])
    }))

  it.effect("the log: per account, oldest first, paged, filtered by event_type and entity_id", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a", "b"] })
      yield* TestClock.setTime(Date.parse("2026-04-01T12:00:00Z"))
      const recorded = []
      for (let i = 0; i < 7; i++) {
        recorded.push(
          yield* fake.recordEvent({
            eventType: i % 2 === 0 ? "avatar_video.success" : "avatar_video.fail",
            eventData: { video_id: `v${i % 3}`, nested: { n: i } },
            entityId: `v${i % 3}`
          })
        )
      }
      yield* fake.recordEvent({ account: "b", eventType: "batch.finished" })
      expect(recorded[0]).toMatchObject({ account: "a", created_at: "2026-04-01T12:00:00.000Z" })
      expect(recorded[0]?.event_id).toMatch(/^evt_[0-9a-f]{16}$/)

      const all = (yield* events(fake, "", "a")).json as ListBody<Event>
      expect(all.data).toEqual(recorded.map((e) => ({
        event_id: e.event_id,
        event_type: e.event_type,
        event_data: e.event_data,
        created_at: e.created_at
      })))
      const page1 = (yield* events(fake, "?limit=3&event_type=avatar_video.success", "a")).json as ListBody<Event>
      expect(page1.data.map((e) => e.event_data["nested"])).toEqual([{ n: 0 }, { n: 2 }, { n: 4 }])
      expect(page1.has_more).toBe(true)
      const page2 = (yield* events(fake, `?limit=3&event_type=avatar_video.success&token=${page1.next_token}`, "a"))
        .json as ListBody<Event>
      expect([page2.data.map((e) => e.event_data["nested"]), page2.has_more]).toEqual([[{ n: 6 }], false])
      const entity = (yield* events(fake, "?entity_id=v1", "a")).json as ListBody<Event>
      expect(entity.data.map((e) => e.event_data["nested"])).toEqual([{ n: 1 }, { n: 4 }])
      const both = (yield* events(fake, "?entity_id=v1&event_type=avatar_video.fail", "a")).json as ListBody<Event>
      expect(both.data.map((e) => e.event_data["nested"])).toEqual([{ n: 1 }])
      expect(((yield* events(fake, "", "b")).json as ListBody<Event>).data.map((e) => e.event_type)).toEqual([
        "batch.finished"
      ])
      const bad = yield* events(fake, "?event_type=nope", "a")
      expect(errorOf(bad.json)).toMatchObject({ code: "invalid_parameter", param: "event_type" })
      // A token of the endpoints list is not one of the events list.
      yield* create(fake, { url: url(1) }, "a")
      yield* create(fake, { url: url(2) }, "a")
      const endpointsToken = ((yield* list(fake, "?limit=1", "a")).json as ListBody<Endpoint>).next_token
      expect(errorOf((yield* events(fake, `?token=${endpointsToken}`, "a")).json).param).toBe("token")
    }))
})

describe("FakeHeyGen: faults on every route", () => {
  it.effect("5xx, drops and rate limits hit lists, updates, deletes and rotations alike", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make()
      const e = yield* create(fake, { url: url(1) })
      yield* fake.enqueueFaults([
        Fault.Fault.ServerError({ status: 503, body: "json" }),
        Fault.Fault.RateLimit({ retryAfter: Fault.RetryAfter.Seconds({ seconds: 2 }) }),
        Fault.Fault.DropBeforeCommit(),
        Fault.Fault.DropAfterCommit()
      ])
      expect((yield* list(fake)).status).toBe(503)
      const limited = yield* send(fake, {
        method: "PATCH",
        path: FakeHeyGen.endpointPath(e.endpoint_id),
        body: { events: [] }
      })
      expect([limited.status, limited.headers["retry-after"]]).toEqual([429, "2"])
      const dropped = yield* Effect.flip(
        send(fake, { method: "POST", path: FakeHeyGen.rotateSecretPath(e.endpoint_id) })
      )
      expect(dropped._tag).toBe("RequestError")
      expect((yield* fake.endpoints())[0]?.secret).toBe(e.secret)
      // The delete is committed, then its response lost: a retry finds the endpoint gone.
      yield* Effect.flip(send(fake, { method: "DELETE", path: FakeHeyGen.endpointPath(e.endpoint_id) }))
      expect(yield* fake.endpoints()).toEqual([])
      expect((yield* send(fake, { method: "DELETE", path: FakeHeyGen.endpointPath(e.endpoint_id) })).status).toBe(404)
    }))
})

describe("FakeHeyGen: snapshot and initialState", () => {
  it.effect("a JSON round trip keeps endpoints, events, tokens and key replays; the exchange log is not kept", () =>
    Effect.gen(function*() {
      const fake = yield* FakeHeyGen.make({ apiKeys: ["a"] })
      for (let i = 0; i < 3; i++) yield* create(fake, { url: url(i) }, "a")
      yield* fake.recordEvent({ eventType: "avatar_video.success", eventData: { video_id: "v" }, entityId: "v" })
      const keyed = yield* send(fake, { headers: auth("a", { "idempotency-key": "kept" }), body: { url: url("k") } })
      const token = ((yield* list(fake, "?limit=2", "a")).json as ListBody<Endpoint>).next_token

      const json = JSON.stringify(yield* fake.snapshot)
      const state = yield* Schema.decodeUnknown(Schema.parseJson(FakeHeyGen.State))(json)
      const revived = yield* FakeHeyGen.make({ apiKeys: ["a"], initialState: state })

      expect(yield* revived.endpoints()).toEqual(yield* fake.endpoints())
      expect(yield* revived.events()).toEqual(yield* fake.events())
      expect(yield* revived.exchanges).toEqual([])
      const rest = (yield* list(revived, `?limit=2&token=${token}`, "a")).json as ListBody<Endpoint>
      expect(rest.data.map((e) => e.url)).toEqual([url(2), url("k")])
      expect(yield* send(revived, { headers: auth("a", { "idempotency-key": "kept" }), body: { url: url("k") } }))
        .toEqual(
          keyed
        )
      // New endpoints take ordinals after every one the snapshot held.
      yield* create(revived, { url: url("new") }, "a")
      const ordinals = (yield* revived.endpoints()).map((e) => e.ordinal)
      expect(ordinals).toEqual([...ordinals].sort((x, y) => x - y))
      expect(new Set(ordinals).size).toBe(ordinals.length)
    }))

  it("refuses a snapshot that is not one", () => {
    expect(() => Schema.decodeUnknownSync(FakeHeyGen.State)({ version: 2, endpoints: [] })).toThrow()
  })
})
