/**
 * One event through the `DeliveryLog`: the step every receiver form, the catch-up and the event-log follower take.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Schedule from "effect/Schedule"
import type * as DeliveryLog from "../DeliveryLog.js"
import type * as WebhookDelivery from "../WebhookDelivery.js"
import { scrubConnection } from "./scrub.js"

/** What became of one event. */
export type Step = "handled" | "duplicate" | "inFlight" | "failed" | "logUnavailable"

/** Each step as a caller names it: HTTP replies for the receivers, the step itself for the catch-up. */
export type Answers<A> = Readonly<Record<Step, A>>

/** The catch-up's answers: the steps themselves. */
export const steps: Answers<Step> = {
  handled: "handled",
  duplicate: "duplicate",
  inFlight: "inFlight",
  failed: "failed",
  logUnavailable: "logUnavailable"
}
const stepOf = { Handled: "handled", Duplicate: "duplicate", InFlight: "inFlight" } as const

const logged = <A>(delivery: WebhookDelivery.WebhookDelivery, message: string, detail: string, answer: A) =>
  Effect.as(
    Effect.logError(message, scrubConnection(detail)).pipe(
      Effect.annotateLogs({ eventId: delivery.eventId, eventType: delivery.eventType })
    ),
    answer
  )

/**
 * Runs `handler` for `delivery` through `log.once`, logs what went wrong, and answers as `answers` says. `detach` is
 * for a caller whose fiber may be interrupted (an `HttpApp`, the catch-up): the handler then runs in a fiber of its
 * own, so that a hang-up never stops it and its outcome is always recorded, while its own timeouts still work.
 */
export const handle = <E, R, A>(
  log: DeliveryLog.Service,
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  delivery: WebhookDelivery.WebhookDelivery,
  detach: boolean,
  answers: Answers<A>
): Effect.Effect<A, never, R> =>
  Effect.matchEffect(
    detach
      ? Effect.uninterruptible(
        log.once(
          delivery.eventId,
          Effect.flatMap(Effect.forkDaemon(Effect.interruptible(handler(delivery))), Fiber.join)
        )
      )
      : log.once(delivery.eventId, handler(delivery)),
    {
      onFailure: (error) =>
        logged(delivery, `webhook delivery log failed to ${error.operation}`, describe(error), answers.logUnavailable),
      onSuccess: (outcome) =>
        outcome._tag === "Failed"
          ? logged(
            delivery,
            "webhook handler failed",
            Cause.pretty(outcome.cause, { renderErrorCause: true }),
            answers.failed
          )
          : Effect.succeed(answers[stepOf[outcome._tag]])
    }
  )

/** The log's failure, its cause appended unless the message says it already. */
const describe = (error: DeliveryLog.DeliveryLogError) => {
  const cause = error.cause instanceof Error
    ? error.cause.message
    : error.cause === undefined
    ? ""
    : String(error.cause)
  return cause === "" || error.message.includes(cause)
    ? error.message
    : `${error.message}: ${Cause.pretty(Cause.die(error.cause), { renderErrorCause: true })}`
}

/** `handle`, asked again on `retry` while another run holds the event, then reported in flight. */
export const handleWaiting = <E, R>(
  log: DeliveryLog.Service,
  handler: (delivery: WebhookDelivery.WebhookDelivery) => Effect.Effect<unknown, E, R>,
  delivery: WebhookDelivery.WebhookDelivery,
  retry: Schedule.Schedule<unknown>
): Effect.Effect<Step, never, R> =>
  handle(log, handler, delivery, true, steps).pipe(
    Effect.filterOrFail((step) => step !== "inFlight", () => "inFlight" as const),
    Effect.retry(retry),
    Effect.orElseSucceed((): Step => "inFlight")
  )
