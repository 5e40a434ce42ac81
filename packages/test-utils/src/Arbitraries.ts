/**
 * fast-check arbitraries derived from core's schemas with `Arbitrary.make`.
 *
 * @since 0.1.0
 */
import { WebhookEndpoint } from "@effect-heygen/core"
import * as Arbitrary from "effect/Arbitrary"
import type * as FastCheck from "effect/FastCheck"

/**
 * Valid Create Webhook Endpoint requests.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const createRequest: FastCheck.Arbitrary<WebhookEndpoint.CreateWebhookEndpointRequest> = Arbitrary.make(
  WebhookEndpoint.CreateWebhookEndpointRequest
)
