import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import * as SecretOutput from "../src/internal/secretOutput.js"

const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-cli-secret-"))
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))

let n = 0
const fresh = () => NodePath.join(dir, `secret-${++n}`)
const leftovers = () => NodeFs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))

describe("SecretOutput.write", () => {
  // Law: what is written is read back byte for byte, with mode 0600, and no temp file is left behind.
  it("writes exactly the secret with mode 0600", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(FastCheck.string({ unit: "grapheme", maxLength: 64 }), async (secret) => {
        const path = fresh()
        await Effect.runPromise(SecretOutput.write(path, secret, { overwrite: false }))
        expect(NodeFs.readFileSync(path, "utf8")).toBe(secret)
        expect(NodeFs.statSync(path).mode & 0o777).toBe(0o600)
      }),
      { numRuns: 50 }
    )
    expect(leftovers()).toEqual([])
  })

  // The law above holds on this machine's umask (022 here, 077 on some CI runners) whether or not the mode is
  // set right: a permissive umask is the one that shows a file written 0644 or 0666.
  it("writes mode 0600 even under umask 000, new file or replaced one", async () => {
    const previous = process.umask(0o000)
    try {
      await FastCheck.assert(
        FastCheck.asyncProperty(FastCheck.string({ maxLength: 32 }), FastCheck.boolean(), async (secret, replace) => {
          const path = fresh()
          if (replace) NodeFs.writeFileSync(path, "old", { mode: 0o666 })
          await Effect.runPromise(SecretOutput.write(path, secret, { overwrite: replace }))
          expect((NodeFs.statSync(path).mode & 0o777).toString(8)).toBe("600")
          expect(NodeFs.readFileSync(path, "utf8")).toBe(secret)
        }),
        { numRuns: 20 }
      )
    } finally {
      process.umask(previous)
    }
    expect(leftovers()).toEqual([])
  })

  it("never replaces an existing file unless asked", async () => {
    const path = fresh()
    NodeFs.writeFileSync(path, "original", { mode: 0o644 })
    const error = await Effect.runPromise(Effect.flip(SecretOutput.write(path, "new", { overwrite: false })))
    expect(error.reason).toBe("EEXIST")
    expect(NodeFs.readFileSync(path, "utf8")).toBe("original")
    await Effect.runPromise(SecretOutput.write(path, "new", { overwrite: true }))
    expect(NodeFs.readFileSync(path, "utf8")).toBe("new")
    expect(NodeFs.statSync(path).mode & 0o777).toBe(0o600)
    expect(leftovers()).toEqual([])
  })

  it("fails with a reason when the directory does not exist", async () => {
    const error = await Effect.runPromise(
      Effect.flip(SecretOutput.write(NodePath.join(dir, "missing", "s"), "x", { overwrite: false }))
    )
    expect(error.reason).toBe("ENOENT")
    expect(error.message).toContain("ENOENT")
  })
})
