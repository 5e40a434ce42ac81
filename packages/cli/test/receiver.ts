/**
 * A webhook receiver on 127.0.0.1 for the CLI's tests to deliver to: core's `WebhookReceiver.makeHandler` with an
 * in-memory `DeliveryLog`, as the lead's README shows it, behind a node:http server that also records every
 * request as it arrived (method, headers as sent, raw body), so that a test can check the wire form as well as
 * what the handler saw.
 */
import { DeliveryLog, WebhookReceiver } from "@effect-heygen/core"
import type { WebhookDelivery } from "@effect-heygen/core"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"

/** One request as it reached the server. */
export interface Captured {
  readonly method: string
  /** Header names and values in the order sent, names as sent (not lower-cased). */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
  /** The receiver's answer. */
  readonly status: number
}

export interface TestReceiver {
  readonly url: string
  /** Every delivery whose handler ran (and succeeded), in order. */
  readonly handled: () => ReadonlyArray<WebhookDelivery.WebhookDelivery>
  /** Every request, answered, in order of answer. */
  readonly requests: () => ReadonlyArray<Captured>
  readonly close: () => Promise<void>
}

export interface ReceiverOptions {
  /** The handler fails (500, so the sender retries) for the deliveries this says yes to. */
  readonly failWhen?: (delivery: WebhookDelivery.WebhookDelivery) => boolean
  /** Passed on to core's receiver. */
  readonly receiverOptions?: Omit<WebhookReceiver.Options, "secrets">
}

export const startReceiver = async (
  secrets: ReadonlyArray<string>,
  options: ReceiverOptions = {}
): Promise<TestReceiver> => {
  const handled: Array<WebhookDelivery.WebhookDelivery> = []
  const requests: Array<Captured> = []
  const log = await Effect.runPromise(DeliveryLog.makeMemory())
  const listener = await Effect.runPromise(
    WebhookReceiver.makeHandler(
      (delivery) =>
        options.failWhen?.(delivery) === true
          ? Effect.fail("told to fail")
          : Effect.sync(() => void handled.push(delivery)),
      { secrets: secrets.map((s) => Redacted.make(s)), ...options.receiverOptions }
    ).pipe(
      Effect.provideService(DeliveryLog.DeliveryLog, log),
      // The handler failures a test asks for are expected: keep the receiver's error log out of the test output.
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )
  const server = Http.createServer((request, response) => {
    const parts: Array<Buffer> = []
    // A second listener on the body: the receiver reads it too (a stream gives each chunk to every listener).
    request.on("data", (part: Buffer) => parts.push(part))
    response.once("finish", () => {
      const rawHeaders: Array<readonly [string, string]> = []
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        rawHeaders.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!])
      }
      requests.push({
        method: request.method ?? "",
        rawHeaders,
        body: Buffer.concat(parts),
        status: response.statusCode
      })
    })
    listener(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("expected a TCP address")
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    handled: () => [...handled],
    requests: () => [...requests],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** The value of a header in a captured request, by name in any case; throws if it was sent more than once. */
export const headerOf = (captured: Captured, name: string): string | undefined => {
  const found = captured.rawHeaders.filter(([k]) => k.toLowerCase() === name.toLowerCase())
  if (found.length > 1) throw new Error(`${name} sent ${found.length} times`)
  return found[0]?.[1]
}
