import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { program } from "../examples/readme.js"
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
