/**
 * `webhook event-types list`: the event types an endpoint may subscribe to, from the spec's `WebhookEventType`
 * enum as core encodes it. Offline: no key, no network.
 *
 * @since 0.1.0
 */
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import * as Effect from "effect/Effect"
import { Io } from "./Io.js"

/**
 * Prints the event types: a JSON array, or one per line with `--human`.
 *
 * @since 0.1.0
 * @category commands
 */
export const list = (flags: { readonly human: boolean }): Effect.Effect<void, never, Io> =>
  Effect.map(Io, (io) =>
    io.stdout(
      flags.human
        ? `${WebhookEventType.values.join("\n")}\n`
        : `${JSON.stringify({ data: WebhookEventType.values })}\n`
    ))
