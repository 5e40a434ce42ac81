/**
 * Issue 25, point 1: no forged delivery under any secret configuration. A secret that is empty or blank is a key
 * anyone can sign with; one wrapped in whitespace (read from a file with its newline) refuses every genuine
 * delivery. Every way of building a receiver, and every verification, refuses such a configuration with a typed
 * error that names which secret and why.
 */
import { DeliveryLog, WebhookReceiver, WebhookSignature } from "@effect-heygen/core"
import * as HttpApp from "@effect/platform/HttpApp"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"

const body = (id: string) => JSON.stringify({ event_type: "avatar_video.success", event_id: id, event_data: {} })
// Signed here with node:crypto, independently of the module under test.
const signedHeaders = (raw: string, key: string, id: string) => ({
  "heygen-signature": createHmac("sha256", key).update(raw).digest("hex"),
  "heygen-timestamp": String(Math.floor(Date.now() / 1000)),
  "heygen-event-id": id
})

const refusedWith = (secrets: WebhookSignature.Secrets) => {
  const result = WebhookSignature.validateSecrets(secrets)
  if (Either.isRight(result)) throw new Error("expected the secrets to be refused")
  return result.left
}

describe("WebhookSignature.validateSecrets", () => {
  it("refuses an empty, a blank and a whitespace-wrapped secret, naming which and why", () => {
    expect(refusedWith(Redacted.make(""))).toMatchObject({ _tag: "InvalidSecret", reason: "Empty", index: 0 })
    expect(refusedWith(Redacted.make("   ")).reason).toBe("Blank")
    expect(refusedWith(Redacted.make("\n")).reason).toBe("Blank")
    const newline = refusedWith(Redacted.make("whsec_abc\n"))
    expect(newline.reason).toBe("SurroundingWhitespace")
    expect(newline.message).toBe("the signing secret ends with a newline; HeyGen's secrets have none")
    expect(refusedWith(Redacted.make("whsec_abc\r")).message).toContain("ends with a carriage return")
    expect(refusedWith(Redacted.make(" whsec_abc")).message).toContain("starts with a space")
    expect(refusedWith(Redacted.make("\uFEFFwhsec_abc")).message).toContain("starts with whitespace (U+FEFF)")
  })

  it("names the secret's place in a list, and refuses an empty list", () => {
    const inList = refusedWith([Redacted.make("whsec_new"), Redacted.make("")])
    expect(inList).toMatchObject({ index: 1, reason: "Empty" })
    expect(inList.message).toBe("secret 2 of 2 is empty: anyone could sign with it")
    expect(refusedWith([Redacted.make("whsec_new"), Redacted.make(" \t "), Redacted.make("whsec_old")]).index).toBe(1)
    expect(refusedWith([])).toMatchObject({ index: null, reason: "NoSecret" })
  })

  it("refuses a value that is not a Redacted string (a plain string from untyped code)", () => {
    const untyped = ["whsec_plain"] as unknown as WebhookSignature.Secrets
    expect(refusedWith(untyped).reason).toBe("NotRedacted")
  })

  it("never puts the secret in its message", () => {
    const error = refusedWith([Redacted.make("whsec_first"), Redacted.make("whsec_second_secret\n")])
    expect([error.message, JSON.stringify(error), String(error)].join("\n")).not.toContain("whsec_second_secret")
  })

  it("accepts secrets as HeyGen returns them, keeping the list as given", () => {
    const list = [Redacted.make("whsec_new"), Redacted.make("whsec_old")]
    expect(WebhookSignature.validateSecrets(list)).toEqual(Either.right(list))
  })
})

describe("every verification refuses such secrets, typed", () => {
  const raw = body("evt_empty")
  // A forgery: signed with the empty key, which an empty configured secret would accept.
  const forged = signedHeaders(raw, "", "evt_empty")
  const configurations: ReadonlyArray<readonly [string, WebhookSignature.Secrets]> = [
    ["an empty secret", Redacted.make("")],
    ["a blank secret", Redacted.make("   ")],
    ["a newline", Redacted.make("\n")],
    ["an empty secret beside a real one", [Redacted.make("whsec_real"), Redacted.make("")]],
    ["a blank secret beside a real one", [Redacted.make("\n"), Redacted.make("whsec_real")]],
    ["no secret at all", []]
  ]
  for (const [name, secrets] of configurations) {
    it.effect(`${name}: verify and verifySignature fail with InvalidSecret`, () =>
      Effect.gen(function*() {
        const verified = yield* Effect.flip(WebhookSignature.verify(raw, forged, secrets))
        expect(verified._tag).toBe("InvalidSecret")
        const signature = yield* Effect.flip(WebhookSignature.verifySignature(raw, forged, secrets))
        expect(signature._tag).toBe("InvalidSecret")
        expect(Either.isLeft(WebhookSignature.verifyAt(raw, forged, secrets, Date.now()))).toBe(true)
        expect(Either.isLeft(WebhookSignature.verifySignatureAt(raw, forged, secrets, Date.now()))).toBe(true)
      }))

    it.effect(`${name}: makeHandler, makeServer and layerServer fail with InvalidSecret; make throws it`, () =>
      Effect.gen(function*() {
        const handler = () => Effect.void
        const options = { secrets }
        const handlerExit = yield* Effect.exit(WebhookReceiver.makeHandler(handler, options))
        expect(handlerExit).toStrictEqual(Exit.fail(refusedWith(secrets)))
        const serverExit = yield* Effect.exit(
          Effect.scoped(WebhookReceiver.makeServer(handler, { ...options, port: 0, host: "127.0.0.1" }))
        )
        expect(serverExit).toStrictEqual(Exit.fail(refusedWith(secrets)))
        const layerExit = yield* Effect.exit(
          Layer.launch(WebhookReceiver.layerServer(handler, { ...options, port: 0, host: "127.0.0.1" }))
        )
        expect(layerExit).toStrictEqual(Exit.fail(refusedWith(secrets)))
        expect(() => WebhookReceiver.make(handler, options)).toThrow(WebhookSignature.InvalidSecret)
      }).pipe(Effect.provide(DeliveryLog.layerMemory())))
  }
})

// Strings a deployment could hand over: HeyGen-like secrets, and the hostile ones: empty, blank, wrapped in
// whitespace, arbitrary text. Lists may repeat an entry.
const whitespace = FastCheck.constantFrom("", " ", "\n", "\r\n", "\t", "\r", "\u00a0", "\uFEFF")
const plausible = FastCheck.stringMatching(/^whsec_[A-Za-z0-9+/=]{1,20}$/)
const secretText = FastCheck.oneof(
  plausible,
  whitespace,
  FastCheck.tuple(whitespace, plausible, whitespace).map(([a, s, b]) => a + s + b),
  FastCheck.string({ maxLength: 12 })
)
const withRepeats = (list: ReadonlyArray<string>) =>
  list.length === 0
    ? FastCheck.constant(list)
    : FastCheck.array(FastCheck.constantFrom(...list), { maxLength: 2 }).map((again) => [...list, ...again])
// Half the lists are well-formed by construction, so that both sides of the law are reached in every run.
const configured = FastCheck.oneof(
  FastCheck.array(plausible, { minLength: 1, maxLength: 3 }).chain(withRepeats),
  FastCheck.array(secretText, { maxLength: 4 }).chain(withRepeats)
)

describe("the law: a receiver is refused, or accepts exactly the deliveries signed with a configured secret", () => {
  it("holds for any configured list, through verify and the HttpApp receiver", async () => {
    let event = 0
    await FastCheck.assert(
      FastCheck.asyncProperty(configured, secretText, async (list, other) => {
        const secrets = list.map((s) => Redacted.make(s))
        const wellFormed = list.length > 0 && list.every((s) => s.length > 0 && s.trim() === s)
        // Keys a sender might sign with: each configured one, the same trimmed or wrapped, the empty key, another.
        const keys = [...new Set([...list, ...list.map((s) => s.trim()), ...list.map((s) => `${s}\n`), "", other])]
        if (!wellFormed) {
          expect(Either.isLeft(WebhookSignature.validateSecrets(secrets))).toBe(true)
          expect(() => WebhookReceiver.make(() => Effect.void, { secrets })).toThrow(WebhookSignature.InvalidSecret)
          for (const key of keys) {
            const raw = body(`evt_${++event}`)
            const exit = await Effect.runPromiseExit(
              WebhookSignature.verify(raw, signedHeaders(raw, key, `evt_${event}`), secrets)
            )
            expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("InvalidSecret")
          }
          return
        }
        const handled: Array<string> = []
        const app = WebhookReceiver.make((delivery) => Effect.sync(() => handled.push(delivery.eventId)), { secrets })
        const { dispose, handler } = HttpApp.toWebHandlerLayer(app, DeliveryLog.layerMemory())
        try {
          for (const key of keys) {
            const id = `evt_${++event}`
            const raw = body(id)
            const response = await handler(
              new Request("http://127.0.0.1/hooks/heygen", {
                method: "POST",
                body: raw,
                headers: signedHeaders(raw, key, id)
              })
            )
            const authentic = list.includes(key)
            expect(response.status).toBe(authentic ? 200 : 401)
            expect(handled.includes(id)).toBe(authentic)
            const verified = await Effect.runPromiseExit(
              WebhookSignature.verify(raw, signedHeaders(raw, key, id), secrets)
            )
            expect(Exit.isSuccess(verified)).toBe(authentic)
          }
        } finally {
          await dispose()
        }
      }),
      { numRuns: 150 }
    )
  })
})
