/**
 * internal/hmac.ts: HMAC-SHA256 computed as RFC 2104's two hashes with `crypto.hash`, or with `createHmac` where
 * that cannot be used, is the digest `createHmac` gives, for every secret and body, call after call.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import type * as NodeCrypto from "node:crypto"
import { createHmac } from "node:crypto"
import { vi } from "vitest"
import { hmacSha256, hmacSha256Into } from "../src/internal/hmac.js"

/** What a user computes with node:crypto alone, the secret given as the string it is. */
const reference = (body: Uint8Array | string, secret: string): string =>
  createHmac("sha256", secret).update(body).digest("hex")

// Secrets from empty to well past one SHA-256 block (64 bytes), which RFC 2104 hashes first: any UTF-16, lone
// surrogates included, which both sides encode as UTF-8, and ASCII of 56 to 72 bytes, either side of the block.
// (`size: "max"`: fast-check's default keeps strings to about ten characters.)
const secretArbitrary = FastCheck.oneof(
  FastCheck.string({ unit: "binary", maxLength: 40, size: "max" }),
  FastCheck.string({ minLength: 56, maxLength: 72 })
)

// Bodies as bytes or strings; mostly small, some around and past the 64 KiB of the reused buffer.
const bodyArbitrary: FastCheck.Arbitrary<Uint8Array | string> = FastCheck.oneof(
  { weight: 4, arbitrary: FastCheck.uint8Array({ maxLength: 3000, size: "max" }) },
  { weight: 3, arbitrary: FastCheck.string({ unit: "binary", maxLength: 1500, size: "max" }) },
  {
    weight: 1,
    arbitrary: FastCheck.integer({ min: 64 * 1024 - 80, max: 64 * 1024 + 80 }).map((n) =>
      new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)
    )
  }
)

describe("hmacSha256", () => {
  it("gives RFC 4231's digests (test cases 1 and 2)", () => {
    expect(hmacSha256("Hi There", Redacted.make("\x0b".repeat(20))).toString("hex")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    )
    expect(hmacSha256("what do ya want for nothing?", Redacted.make("Jefe")).toString("hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
  })

  it.prop(
    "any sequence of (secret, body) gives, each time, createHmac's digest, into one reused buffer",
    [FastCheck.array(FastCheck.tuple(secretArbitrary, bodyArbitrary), { minLength: 1, maxLength: 6 })],
    ([calls]) => {
      const out = Buffer.alloc(32)
      // One Redacted per distinct secret, as a receiver holds it: the padded keys are kept per Redacted.
      const held = new Map<string, Redacted.Redacted<string>>()
      for (const [secret, body] of calls) {
        let redacted = held.get(secret)
        if (redacted === undefined) held.set(secret, redacted = Redacted.make(secret))
        expect(hmacSha256Into(body, redacted, out)).toBe(out)
        expect(out.toString("hex")).toBe(reference(body, secret))
      }
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("without crypto.hash (older runtimes) takes createHmac, with the same digests", async () => {
    const original = await vi.importActual<typeof NodeCrypto>("node:crypto")
    const createHmacSpy = vi.fn(original.createHmac)
    vi.resetModules()
    vi.doMock("node:crypto", () => ({ ...original, hash: undefined, createHmac: createHmacSpy }))
    try {
      const fallback = await import("../src/internal/hmac.js")
      for (const [secret, body] of [["Jefe", "what do ya want for nothing?"], ["k".repeat(100), "é"]] as const) {
        expect(fallback.hmacSha256(body, Redacted.make(secret)).toString("hex")).toBe(reference(body, secret))
      }
      expect(createHmacSpy).toHaveBeenCalledTimes(2)
    } finally {
      vi.doUnmock("node:crypto")
      vi.resetModules()
    }
  })
})
