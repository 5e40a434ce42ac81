/**
 * The sandbox's state file: atomic 0600 writes, a lock that serialises commands (and takes over a dead one's),
 * and a corrupt or unreadable file reported with a hint to reset, never a crash. Real files in a temp
 * directory; the lock's waiting runs on the TestClock.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as SandboxState from "../src/internal/sandboxState.js"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-sandbox-state-"))
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => NodePath.join(dir, `s${++n}`, "sandbox.json")

/** Lets real file-system promises settle between TestClock steps. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
const step = Effect.zipRight(TestClock.adjust("60 millis"), settle)

describe("SandboxState.path", () => {
  it("prefers EFFECT_HEYGEN_SANDBOX_STATE, then XDG_CACHE_HOME, then HOME/.cache", () => {
    expect(SandboxState.path({ EFFECT_HEYGEN_SANDBOX_STATE: "/x/s.json", XDG_CACHE_HOME: "/c" })).toBe("/x/s.json")
    expect(SandboxState.path({ XDG_CACHE_HOME: "/c", HOME: "/h" })).toBe("/c/effect-heygen/sandbox.json")
    expect(SandboxState.path({ XDG_CACHE_HOME: "", HOME: "/h" })).toBe("/h/.cache/effect-heygen/sandbox.json")
  })
})

describe("SandboxState.load / save", () => {
  it.effect("no file is no state; a saved state loads back; the file is 0600 and no temp file is left", () =>
    Effect.gen(function*() {
      const file = fresh()
      expect(yield* SandboxState.load(file)).toEqual(Option.none())
      const state = { endpoints: [{ id: "ep_1", secret: "whsec_x" }], n: 3 }
      yield* SandboxState.save(file, state)
      expect(yield* SandboxState.load(file)).toEqual(Option.some(state))
      expect(NodeFs.statSync(file).mode & 0o777).toBe(0o600)
      expect(NodeFs.readdirSync(NodePath.dirname(file)).filter((f) => f.endsWith(".tmp"))).toEqual([])
    }))

  it.effect.each(
    [
      ["not JSON", "{\"format\":"],
      ["JSON of another shape", "[1,2]"],
      ["another version", JSON.stringify({ format: SandboxState.format, version: 99, state: {} })]
    ] as const
  )("a file that is %s is reported with a hint to reset", ([, text]) =>
    Effect.gen(function*() {
      const file = fresh()
      NodeFs.mkdirSync(NodePath.dirname(file), { recursive: true })
      NodeFs.writeFileSync(file, text)
      const result = yield* Effect.either(SandboxState.load(file))
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        const e = result.left.envelope.error
        expect(e.code).toBe("cli_sandbox_state")
        expect(e.hint).toContain("effect-heygen sandbox reset")
        expect(e.message).toContain(file)
      }
    }))

  it.effect("an unreadable file (a directory in its place) is reported, not thrown", () =>
    Effect.gen(function*() {
      const file = fresh()
      NodeFs.mkdirSync(file, { recursive: true })
      const result = yield* Effect.either(SandboxState.load(file))
      expect(Either.isLeft(result) && result.left.envelope.error.code).toBe("cli_sandbox_state")
    }))
})

describe("SandboxState.withLock", () => {
  it.effect("a second command waits until the first has released the lock", () =>
    Effect.gen(function*() {
      const file = fresh()
      const order: Array<string> = []
      const release = yield* Deferred.make<void>()
      const first = yield* Effect.fork(
        SandboxState.withLock(file, Effect.zipRight(Effect.sync(() => order.push("first in")), Deferred.await(release)))
      )
      while (order.length === 0) yield* settle
      const second = yield* Effect.fork(SandboxState.withLock(file, Effect.sync(() => order.push("second in"))))
      for (let i = 0; i < 5; i++) yield* step
      expect(order).toEqual(["first in"])
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(first)
      while (order.length < 2) yield* step
      yield* Fiber.join(second)
      expect(order).toEqual(["first in", "second in"])
      expect(NodeFs.existsSync(`${file}.lock`)).toBe(false)
    }))

  it.effect("a lock left by a process that is gone is taken over", () =>
    Effect.gen(function*() {
      const file = fresh()
      NodeFs.mkdirSync(NodePath.dirname(file), { recursive: true })
      NodeFs.writeFileSync(`${file}.lock`, "2147483646")
      const fiber = yield* Effect.fork(SandboxState.withLock(file, Effect.succeed("ran")))
      let result = yield* Fiber.poll(fiber)
      while (Option.isNone(result)) {
        yield* step
        result = yield* Fiber.poll(fiber)
      }
      expect(yield* Fiber.join(fiber)).toBe("ran")
    }))

  it.effect("a lock held by a live process past the patience is a clear error, not a hang", () =>
    Effect.gen(function*() {
      const file = fresh()
      NodeFs.mkdirSync(NodePath.dirname(file), { recursive: true })
      NodeFs.writeFileSync(`${file}.lock`, String(process.pid))
      const fiber = yield* Effect.fork(Effect.either(SandboxState.withLock(file, Effect.void)))
      let result = yield* Fiber.poll(fiber)
      for (let i = 0; i < 400 && Option.isNone(result); i++) {
        yield* Effect.zipRight(TestClock.adjust("1 second"), settle)
        result = yield* Fiber.poll(fiber)
      }
      const outcome = yield* Fiber.join(fiber)
      expect(Either.isLeft(outcome) && outcome.left.envelope.error.code).toBe("cli_sandbox_busy")
      expect(NodeFs.readFileSync(`${file}.lock`, "utf8")).toBe(String(process.pid))
    }))
})
