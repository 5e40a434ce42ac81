import { WebhookReceiver } from "@effect-heygen/core"
import { Effect, Layer, Stream } from "effect"
import { DeliveryLogLive, recordVideo } from "./postgres.js"
import { HeyGenLive } from "./readme.js"

// No inbound port at all: every 5 seconds, read what is new in HeyGen's event log and run the handler on it, through
// the same DeliveryLog as the fleet's push receivers (if any), so an event is handled once, whichever sees it first.
// since: "15 minutes" covers a restart: what was handled before it is skipped by the log.
export const Follower = WebhookReceiver.follow(recordVideo, { since: "15 minutes" }).pipe(
  Stream.runForEach((done) => Effect.log(`${done.eventType} ${done.eventId}: ${done.outcome}`)),
  // Stopped (a 401, the database down): start it again from where it got; what was handled is skipped.
  Effect.catchTag(
    "FollowError",
    (e) => Effect.logError(`follower stopped after ${e.reached ?? "nothing"}: ${e.message}`)
  ),
  Effect.provide(Layer.merge(DeliveryLogLive, HeyGenLive))
)

// NodeRuntime.runMain(Follower)
