import * as HeyGenError from "@effect-heygen/core/HeyGenError"
import { describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import * as Failure from "../src/internal/failure.js"

describe("a TransportError on stderr", () => {
  for (const reason of HeyGenError.TransportReason.literals) {
    it(`${reason}: the message leads with the reason, the hint says what to check, exit 1`, () => {
      const error = new HeyGenError.TransportError({
        message: `${reason}: POST https://api.heygen.com/v3/webhooks/endpoints`,
        reason,
        method: "POST",
        url: "https://api.heygen.com/v3/webhooks/endpoints",
        idempotencyKey: "k1"
      })
      const failure = Failure.fromHeyGenError(error)
      const { envelope, exitCode } = failure
      expect(exitCode).toBe(ExitCode.ApiOrNetwork)
      expect(envelope.error.code).toBe("cli_network_error")
      expect(envelope.error.message.startsWith(`${reason}: `)).toBe(true)
      expect(envelope.error.hint).toContain("k1")
      expect(JSON.parse(Failure.render(failure))).toEqual({
        error: envelope.error,
        idempotency_key: "k1"
      })
    })
  }
})
