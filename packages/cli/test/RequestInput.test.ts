import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { describe, expect, it } from "vitest"
import * as RequestInput from "../src/internal/requestInput.js"
import { Io } from "../src/Io.js"

const event = FastCheck.constantFrom(...WebhookEventType.values)

describe("RequestInput", () => {
  // Law: however the event list is split across repeated --events flags and commas, the result is the list.
  it("splitEvents: repeated flags and comma lists give the same events in order", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.array(FastCheck.array(event, { minLength: 1, maxLength: 4 }), { maxLength: 4 }),
        (groups) => {
          expect(RequestInput.splitEvents(groups.map((g) => g.join(",")))).toEqual(groups.flat())
          expect(RequestInput.splitEvents(groups.map((g) => ` ${g.join(" , ")} ,`))).toEqual(groups.flat())
        }
      )
    )
  })

  // Law: a given flag always wins over the same field of --data; an absent flag leaves the field as --data had it;
  // other --data keys are kept (so core can refuse them by name).
  it("merge: flags override --data fields, nothing else changes", () => {
    const data = FastCheck.dictionary(
      FastCheck.constantFrom("url", "events", "entity_id", "extra"),
      FastCheck.jsonValue()
    )
    const overrides = FastCheck.record({
      url: FastCheck.option(FastCheck.webUrl()).map(Option.fromNullable),
      events: FastCheck.array(event, { maxLength: 3 }),
      entityId: FastCheck.option(FastCheck.string()).map(Option.fromNullable)
    })
    FastCheck.assert(
      FastCheck.property(data, overrides, (d, o) => {
        const body = RequestInput.merge(d, o)
        expect(body.url).toEqual(Option.getOrElse(o.url, () => d.url))
        expect(body.events).toEqual(o.events.length > 0 ? o.events : d.events)
        expect(body.entity_id).toEqual(Option.getOrElse(o.entityId, () => d.entity_id))
        expect(body.extra).toEqual(d.extra)
      })
    )
  })

  const fromStdin = (bytes: Uint8Array) =>
    Effect.runSyncExit(
      RequestInput.loadData("-").pipe(
        Effect.provideService(Io, {
          stdout: () => undefined,
          stderr: () => undefined,
          readStdin: Effect.succeed(bytes),
          env: {},
          cwd: process.cwd(),
          awaitShutdown: Effect.void
        })
      )
    )

  it("--data - reads UTF-8 JSON from stdin, and refuses bytes that are not UTF-8 rather than guessing", () => {
    const json = { url: "https://例え.jp/hooks", events: ["avatar_video.success"] }
    expect(fromStdin(new TextEncoder().encode(JSON.stringify(json)))).toEqual(Exit.succeed(json))
    const latin1 = Buffer.from(`{"url":"https://caf\u00e9.example/hooks"}`, "latin1")
    const refused = fromStdin(latin1)
    expect(Exit.isFailure(refused)).toBe(true)
    expect(JSON.stringify(refused)).toContain("standard input is not UTF-8")
  })

  it("classifyData: - is stdin, text starting with { is inline JSON, anything else a path", () => {
    expect(RequestInput.classifyData("-")._tag).toBe("Stdin")
    expect(RequestInput.classifyData("  {\"url\":1}")._tag).toBe("Inline")
    expect(RequestInput.classifyData("./body.json")._tag).toBe("File")
    FastCheck.assert(
      FastCheck.property(FastCheck.string(), (s) => {
        const kind = RequestInput.classifyData(s)._tag
        expect(kind === "Inline").toBe(s.trimStart().startsWith("{") && s !== "-")
      })
    )
  })

  it("parseDataJson refuses non-objects with exit 2 naming --data", async () => {
    for (const text of ["[]", "1", "null", "\"s\"", "{"]) {
      const error = await Effect.runPromise(Effect.flip(RequestInput.parseDataJson(text, "x")))
      expect(error.param).toBe("--data")
      expect(error.exitCode).toBe(2)
    }
  })
})
