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
