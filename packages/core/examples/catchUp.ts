import { WebhookReceiver } from "@effect-heygen/core"
import { Effect } from "effect"
import { handle } from "./receiver.js"

// After an outage longer than HeyGen's ~24 h of retries: read the event log back 48 hours and run the receiver's
// own handler on what it missed. Give it the receiver's DeliveryLog (for several processes, DeliveryLogSql): what
// the receiver handled is skipped, and a redelivery arriving meanwhile never runs the handler a second time.
export const recover = WebhookReceiver.catchUp(handle, { since: "48 hours" }).pipe(
  Effect.tap((report) =>
    Effect.log(
      `caught up: ${report.handledNow} handled now, ${report.alreadyHandled} already handled, ` +
        `${report.failed.length} failed (run it again to retry those)`
    )
  ),
  // Stopped part way (the log could not be listed, or the delivery log failed): running it again finishes the rest.
  Effect.catchTag("CatchUpError", (e) => Effect.logError(`catch-up stopped: ${e.message}`))
)

// Effect.runPromise(recover.pipe(Effect.provide(HeyGenLive), Effect.provide(DeliveryLogLive)))
