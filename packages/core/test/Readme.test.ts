import type { HeyGenClient } from "@effect-heygen/core"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { program } from "../examples/readme.js"
import * as Resource from "../examples/resource.js"
import { apiError, clientLayer, endpointBody, makeFake, respond, runToEnd } from "./fixtures.js"

// The README's example is examples/readme.ts itself: tsc typechecks it in the test command, this test runs it
// and checks the README still shows it word for word, so the README cannot rot.
const readme = fs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
const example = fs.readFileSync(new URL("../examples/readme.ts", import.meta.url), "utf8")

describe("README example", () => {
  it("is in the README verbatim", () => {
    expect(readme).toContain("```ts\n" + example + "```")
  })

  it.effect("returns the secret on success", () =>
    Effect.gen(function*() {
      const fake = makeFake([respond(200, endpointBody())])
      const secret = yield* Effect.flatten(runToEnd(program.pipe(Effect.provide(clientLayer(fake)))))
      expect(secret).toBe("whsec_abc123def456")
      expect(JSON.parse(fake.requests[0]?.body ?? "{}")).toEqual({
        url: "https://example.com/hooks/heygen",
        events: ["avatar_video.success", "avatar_video.fail"]
      })
    }))

  it.effect("turns a Conflict into null", () =>
    Effect.gen(function*() {
      const fake = makeFake([apiError(409, "conflict")])
      expect(yield* Effect.flatten(runToEnd(program.pipe(Effect.provide(clientLayer(fake)))))).toBeNull()
    }))
})

// The resource example (one short example per operation) is examples/resource.ts, shown verbatim in the root
// README and core's, and run here against scripted replies.
const resourceExample = fs.readFileSync(new URL("../examples/resource.ts", import.meta.url), "utf8")
const coreReadme = fs.readFileSync(new URL("../README.md", import.meta.url), "utf8")

describe("README resource example", () => {
  it("is in both READMEs verbatim", () => {
    expect(readme).toContain("```ts\n" + resourceExample + "```")
    expect(coreReadme).toContain("```ts\n" + resourceExample + "```")
  })

  const ep = (id: string) => ({ ...endpointBody({ endpoint_id: id, secret: null }).data })
  const exec = <A, E>(
    replies: Parameters<typeof makeFake>[0],
    effect: Effect.Effect<A, E, HeyGenClient.HeyGenClient>
  ) =>
    Effect.gen(function*() {
      const fake = makeFake(replies)
      const result = yield* Effect.flatten(runToEnd(effect.pipe(Effect.provide(clientLayer(fake)))))
      return { result, fake }
    })

  it.effect("everyEndpoint collects all pages; firstPage is one page", () =>
    Effect.gen(function*() {
      const { fake, result } = yield* exec([
        respond(200, { data: [ep("ep_1")], has_more: true, next_token: "t2" }),
        respond(200, { data: [ep("ep_2")], has_more: false, next_token: null })
      ], Resource.everyEndpoint)
      expect(result.map((e) => e.endpoint_id)).toEqual(["ep_1", "ep_2"])
      expect(fake.requests).toHaveLength(2)
      const first = yield* exec(
        [respond(200, { data: [ep("ep_1")], has_more: true, next_token: "t2" })],
        Resource.firstPage
      )
      expect(first.result.nextToken).toBe("t2")
    }))

  it.effect("onlyFailures, rotate, remove, eventTypes and eventsOfVideo send what they say", () =>
    Effect.gen(function*() {
      const updated = yield* exec([respond(200, endpointBody())], Resource.onlyFailures("ep_1"))
      expect(JSON.parse(updated.fake.requests[0]?.body ?? "")).toEqual({ events: ["avatar_video.fail"] })
      const rotated = yield* exec(
        [respond(200, { data: { endpoint_id: "ep_1", secret: "whsec_n" } })],
        Resource.rotate("ep_1")
      )
      expect(rotated.result).toBe("whsec_n")
      expect((yield* exec([respond(200, { error: null, data: {} })], Resource.remove("ep_1"))).result).toBe("deleted")
      expect((yield* exec([apiError(404, "not_found")], Resource.remove("ep_1"))).result).toBe("was not there")
      const types = yield* exec(
        [respond(200, { data: [{ event_type: "a.b", description: "d" }] })],
        Resource.eventTypes
      )
      expect(types.result).toEqual(["a.b"])
      const events = yield* exec([respond(200, { data: [] })], Resource.eventsOfVideo("v_1"))
      expect(new URL(events.fake.requests[0]?.url ?? "").searchParams.get("entity_id")).toBe("v_1")
    }))
})
