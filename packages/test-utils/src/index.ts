/**
 * @effect-heygen/test-utils: arbitraries and a fake HeyGen API for property tests.
 *
 * @since 0.1.0
 */

/**
 * fast-check arbitraries derived from core's schemas.
 *
 * @since 0.1.0
 */
export * as Arbitraries from "./Arbitraries.js"

/**
 * fast-check arbitraries for webhook deliveries: validly signed, and each kind of tampering.
 *
 * @since 0.2.0
 */
export * as DeliveryArbitraries from "./DeliveryArbitraries.js"

/**
 * Signed webhook deliveries to endpoints, retried with backoff, as HeyGen sends them.
 *
 * @since 0.2.0
 */
export * as FakeDelivery from "./FakeDelivery.js"

/**
 * The in-memory model of HeyGen's API and its `HttpClient` layer.
 *
 * @since 0.1.0
 */
export * as FakeHeyGen from "./FakeHeyGen.js"

/**
 * The fake behind a real HTTP server on a loopback address.
 *
 * @since 0.1.0
 */
export * as FakeServer from "./FakeServer.js"

/**
 * Scriptable faults: rate limits, 5xx, slow responses, dropped connections, broken bodies.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"
