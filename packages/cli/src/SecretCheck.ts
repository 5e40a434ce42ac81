/**
 * Whether a list of signing secrets may be used, and if not which one is wrong and why. Stand-in for core's
 * `WebhookSignature.validateSecrets`, with the same shape.
 *
 * @since 0.5.0
 */
import * as Either from "effect/Either"

/**
 * @since 0.5.0
 * @category models
 */
export type Reason = "Empty" | "Blank" | "CarriageReturn" | "SurroundingWhitespace"

/**
 * @since 0.5.0
 * @category models
 */
export interface Invalid {
  readonly index: number
  readonly reason: Reason
}

/**
 * @since 0.5.0
 * @category validation
 */
export const validate = (secrets: ReadonlyArray<string>): Either.Either<ReadonlyArray<string>, Invalid> => {
  for (const [index, secret] of secrets.entries()) {
    if (secret === "") return Either.left({ index, reason: "Empty" })
    if (secret.trim() === "") return Either.left({ index, reason: "Blank" })
    if (secret.endsWith("\r")) return Either.left({ index, reason: "CarriageReturn" })
    if (secret.trim() !== secret) return Either.left({ index, reason: "SurroundingWhitespace" })
  }
  return Either.right(secrets)
}

/**
 * @since 0.5.0
 * @category rendering
 */
export const describe = (reason: Reason): string => {
  switch (reason) {
    case "Empty":
      return "is empty"
    case "Blank":
      return "is blank"
    case "CarriageReturn":
      return "ends with a carriage return; HeyGen's secrets have none"
    case "SurroundingWhitespace":
      return "has whitespace around the secret; HeyGen's secrets have none"
  }
}
