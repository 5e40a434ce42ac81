/**
 * The package version, sent in the `User-Agent` header.
 *
 * Kept as a constant rather than read from package.json at run time so that bundles need no JSON import;
 * a test asserts that it matches package.json.
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

/**
 * The default `User-Agent` header value.
 *
 * @since 0.1.0
 */
export const userAgent = `effect-heygen/${version}`
