/**
 * What a transport failure was, read from the consumer's `HttpClient` error: a short reason a user can act on, and a
 * scrubbed copy of the underlying error chain. The chain is copied, never kept: an `HttpClientError` holds the
 * request (whose headers carry the raw key), and a proxying or logging client may quote headers in its messages.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type { TransportReason } from "../HeyGenError.js"
import { scrub } from "./scrub.js"

// Node's and undici's error codes, by what they mean to a user.
const byCode: ReadonlyArray<readonly [RegExp, TransportReason]> = [
  [/^ECONNREFUSED$/, "connection refused"],
  [/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED|UND_ERR_ABORTED)$/, "connection reset"],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|EAI_NODATA)$/, "DNS lookup failed"],
  [/^(ENETUNREACH|EHOSTUNREACH|ENETDOWN|EHOSTDOWN)$/, "host unreachable"],
  [/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO$)/, "TLS"],
  [
    /^(ERR_INVALID_CHAR|ERR_HTTP_INVALID_HEADER_VALUE|ERR_INVALID_HTTP_TOKEN|UND_ERR_INVALID_ARG|UND_ERR_HEADERS_OVERFLOW)$/,
    "invalid header"
  ],
  [/^(ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, "timeout"],
  [/^ERR_INVALID_URL$/, "invalid URL"]
]

// Errors without a code that still say what they are (fetch's own TypeErrors, a socket closed by the peer).
const byMessage: ReadonlyArray<readonly [RegExp, TransportReason]> = [
  [/ByteString|invalid .*header|header .*invalid/i, "invalid header"],
  [/other side closed|socket hang up|terminated|ECONNRESET/i, "connection reset"],
  [/ECONNREFUSED/, "connection refused"],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/, "DNS lookup failed"],
  [/certificate|\bTLS\b|\bSSL\b/i, "TLS"]
]

/** The links of an error's cause chain, outermost first (an AggregateError, as Node's happy eyeballs throws, by its first error). */
const chain = (error: unknown): ReadonlyArray<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  let current: unknown = error
  while (typeof current === "object" && current !== null && out.length < 6) {
    const link = current as Record<string, unknown>
    out.push(link)
    const errors = link["errors"]
    current = link["cause"] ?? (Array.isArray(errors) ? errors[0] : undefined)
  }
  return out
}

const codeOf = (link: Record<string, unknown>): string | undefined =>
  typeof link["code"] === "string" ? link["code"] : undefined

const messageOf = (link: Record<string, unknown>): string => typeof link["message"] === "string" ? link["message"] : ""

/** A scrubbed copy of the chain: each link's name, code and message only. */
const scrubbedCopy = (links: ReadonlyArray<Record<string, unknown>>, credential: string): Error | undefined => {
  let copy: Error | undefined
  for (let i = links.length - 1; i >= 0; i--) {
    const link = links[i]!
    const error: Error & { code?: string } = new Error(
      scrub(messageOf(link), credential),
      copy === undefined ? undefined : { cause: copy }
    )
    error.name = typeof link["name"] === "string" ? scrub(link["name"], credential) : "Error"
    const code = codeOf(link)
    if (code !== undefined) error.code = scrub(code, credential)
    // The stack would repeat the message and point into this module: it says nothing about the failure.
    error.stack = `${error.name}: ${error.message}`
    copy = error
  }
  return copy
}

const reasonOf = (
  error: HttpClientError.HttpClientError,
  links: ReadonlyArray<Record<string, unknown>>
): TransportReason => {
  if (error._tag === "RequestError" && error.reason === "InvalidUrl") return "invalid URL"
  // A code anywhere along the chain is the most precise word on it; then what the messages say.
  for (const link of links) {
    const code = codeOf(link)
    const found = code === undefined ? undefined : byCode.find(([pattern]) => pattern.test(code))
    if (found !== undefined) return found[1]
  }
  for (const link of links) {
    if (link["name"] === "TimeoutError") return "timeout"
    const found = byMessage.find(([pattern]) => pattern.test(messageOf(link)))
    if (found !== undefined) return found[1]
  }
  // A failure after the headers arrived (reading the body) lost the response part-way.
  return error._tag === "ResponseError" ? "response cut off" : "connection failed"
}

/** The reason, the scrubbed cause and a short detail (the innermost code, or its message) of an `HttpClient` failure. */
export const describe = (error: HttpClientError.HttpClientError, credential: string) => {
  const links = chain(error.cause)
  const innermost = links[links.length - 1]
  // What the client itself said (a `description`), then the innermost code or message.
  const detail = scrub(
    [error.description, innermost === undefined ? undefined : codeOf(innermost) ?? messageOf(innermost)]
      .filter((part): part is string => typeof part === "string" && part !== "")
      .join("; "),
    credential
  )
  return {
    reason: reasonOf(error, links),
    cause: scrubbedCopy(links, credential),
    detail: detail.length <= 200 ? detail : `${detail.slice(0, 200)}…`
  }
}
