// `webhook verify`: checks a delivery the way a receiver must, the raw body on stdin (verified byte for byte, never
// re-serialised), the headers from flags, the secret from a file; prints the decoded delivery, or the error envelope
// and exits 1. Only the signature is required, as in core's `WebhookSignature.verify`, so a delivery in the form
// production receivers report (a plain `signature` header only) is checked too. Also `readSecrets`, for every
// command that takes --secret-file.
import { type WebhookDelivery, WebhookSignature } from "@effect-heygen/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"
import * as ExitCode from "../ExitCode.js"
import { Io } from "../Io.js"
import * as Failure from "./failure.js"
import * as Flags from "./flags.js"
import * as Output from "./output.js"

const snake = (reason: WebhookSignature.Reason) =>
  reason.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? "" : "_"}${c.toLowerCase()}`)

const hints: Record<WebhookSignature.Reason, string> = {
  MissingHeader:
    "pass --signature with the value of the delivery's Heygen-Signature header (or its plain signature header); --timestamp and --event-id are optional",
  RepeatedHeader:
    "pass each header's value once: a delivery has one signature, timestamp and event id (a value with a comma is two values joined)",
  MalformedSignature:
    "--signature takes the Heygen-Signature (or signature) header as received: 64 hex characters, optionally prefixed sha256=",
  SignatureMismatch:
    "check that stdin is the body exactly as received (not re-formatted JSON) and that the secret file holds the endpoint's current secret",
  TimestampOutOfTolerance:
    "the delivery is older (or newer) than the tolerance; raise --timestamp-tolerance to check an old one",
  InvalidPayload: "the signature is right but the body is not a delivery envelope {event_type, event_data}"
}

// The CLI cannot know which header the value of --signature came from (Heygen-Signature or a plain signature):
// core's message names the header the CLI passed it in, so name the flag the user actually gave instead.
const signatureMessages: Partial<Record<WebhookSignature.Reason, string>> = {
  SignatureMismatch: "--signature does not match the body under the secret file's secrets",
  MalformedSignature: "--signature is not a hex HMAC-SHA256 digest (64 hex characters, optionally prefixed sha256=)"
}

const sourceText: Record<WebhookDelivery.EventIdSource, string> = {
  header: "Heygen-Event-Id header",
  body: "body's event_id",
  digest: "SHA-256 of the body: it has no event id",
  log: "event log"
}

/** Core's refusal of a secret (`WebhookSignature.validateSecrets`), with the line of the file it is on. */
const invalidSecret = (file: string, e: WebhookSignature.InvalidSecret) =>
  new Failure.CliError({
    code: "cli_invalid_secret",
    message: `${file}: ${e.index === null ? "" : `line ${e.index + 1}: `}${e.message}`,
    hint: "write one secret per line, exactly as HeyGen returned it (no blank line, no spaces, no Windows line " +
      "ending: `tr -d '\\r' < F > F.unix` removes those), then run the command again",
    param: "--secret-file",
    exitCode: ExitCode.Usage
  })

/**
 * One secret per line (during a rotation, the new and the old), used exactly as written: a line that is empty or
 * has whitespace around the secret (a `\r` from Windows, say) is refused, naming the line, since trimmed it could
 * hide a wrong secret and kept it would fail every genuine delivery (or, empty, verify a forged one).
 */
export const readSecrets = (cwd: string, file: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.tryPromise({
      try: () => NodeFs.readFile(NodePath.resolve(cwd, file), "utf8"),
      catch: (e) =>
        new Failure.CliError({
          code: "cli_secret_file_unreadable",
          message: `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
          hint: "--secret-file takes the path of a file holding the endpoint's signing secret",
          param: "--secret-file",
          exitCode: ExitCode.Usage
        })
    })
    if (text === "") {
      return yield* new Failure.CliError({
        code: "cli_secret_file_empty",
        message: `${file} holds no secret`,
        hint: "put the endpoint's signing secret in the file (one per line during a rotation)",
        param: "--secret-file",
        exitCode: ExitCode.Usage
      })
    }
    const lines = text.replace(/\n$/, "").split("\n").map((line) => Redacted.make(line))
    return yield* Either.mapLeft(WebhookSignature.validateSecrets(lines), (e) => invalidSecret(file, e))
  })

export const command = Flags.command("verify", {
  secretFile: Flags.text(
    "secret-file",
    "FILE",
    "The endpoint's signing secret, as Create returned it (one per line during a rotation). Required."
  ),
  signature: Flags.text(
    "signature",
    "VALUE",
    "The delivery's Heygen-Signature header as received (or its plain signature header, as some deliveries carry it). Required."
  ),
  timestamp: Flags.text(
    "timestamp",
    "VALUE",
    "The Heygen-Timestamp header, if the delivery had one: checked against --timestamp-tolerance."
  ),
  eventId: Flags.text(
    "event-id",
    "VALUE",
    "The Heygen-Event-Id header, if the delivery had one (else the id is the body's event_id, else a digest of the body)."
  ),
  timestampTolerance: Flags.duration(
    "timestamp-tolerance",
    "How far Heygen-Timestamp may be from now, either way (default 5m)."
  ),
  requireTimestamp: Flags.boolean(
    "require-timestamp",
    "Refuse a delivery without --timestamp (by default a timestamp is checked when given, as deliveries come without one)."
  ),
  human: Flags.connection.human
}, {
  summary:
    "Verify a delivery: the raw body on stdin, its headers from flags; prints it decoded, exit 1 if a check fails.",
  description: [
    "Only --signature is required. Prints the event id and where it came from (event_id_source: header, body or",
    "digest), the timestamp, the body's created_at, the event type and its data."
  ],
  examples: [
    [
      "Check a captured delivery",
      "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... --timestamp 1767225600 --event-id evt_1 < body.json"
    ],
    [
      "Check one that came with a plain signature header only",
      "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... < body.json"
    ],
    [
      "Check an old capture (the default tolerance is 5 minutes)",
      "effect-heygen webhook verify --secret-file ./whsec --signature 3f2a... --timestamp 1767225600 --event-id evt_1 --timestamp-tolerance 90m < body.json"
    ]
  ]
}, (flags) =>
  Effect.gen(function*() {
    const io = yield* Io
    const secretFile = yield* Effect.mapError(
      flags.secretFile,
      () => Failure.invalidFlag("--secret-file", "is required: the file holding the endpoint's signing secret")
    )
    const secrets = yield* readSecrets(io.cwd, secretFile)
    const body = yield* Effect.mapError(io.readStdin, (e) =>
      new Failure.CliError({
        code: "cli_stdin_unreadable",
        message: `cannot read the body from standard input (${e.message})`,
        exitCode: ExitCode.Usage
      }))
    const headers: Record<string, string> = {}
    if (Option.isSome(flags.signature)) headers["heygen-signature"] = flags.signature.value
    if (Option.isSome(flags.timestamp)) headers["heygen-timestamp"] = flags.timestamp.value
    if (Option.isSome(flags.eventId)) headers["heygen-event-id"] = flags.eventId.value
    const delivery = yield* WebhookSignature.verify(body, headers, secrets, {
      tolerance: Option.getOrElse(flags.timestampTolerance, () => WebhookSignature.defaultTolerance),
      requireTimestamp: flags.requireTimestamp
    }).pipe(
      Effect.mapError((e) =>
        e._tag === "InvalidSecret" ? invalidSecret(secretFile, e) : new Failure.CliError({
          code: `cli_${snake(e.reason)}`,
          message: signatureMessages[e.reason] ?? e.message,
          hint: e.reason === "MissingHeader" && e.header === "Heygen-Timestamp"
            ? "--require-timestamp is set: pass --timestamp with the delivery's Heygen-Timestamp header, or drop --require-timestamp"
            : hints[e.reason],
          param: e.header === null ? undefined : `--${e.header.split("|")[0]!.replace(/^Heygen-/, "").toLowerCase()}`,
          exitCode: ExitCode.ApiOrNetwork
        })
      )
    )
    yield* flags.human
      ? Output.text([
        `verified: ${delivery.eventType} (${delivery.event._tag})`,
        `event id: ${delivery.eventId} (from the ${sourceText[delivery.eventIdSource]})`,
        `timestamp: ${delivery.timestamp === null ? "-" : new Date(delivery.timestamp * 1000).toISOString()}`,
        `created at: ${delivery.createdAt === null ? "-" : JSON.stringify(delivery.createdAt)}`,
        ...(delivery.event._tag === "Other" && delivery.event.decodeIssue !== null
          ? [`note: the data is not its type's documented shape (${delivery.event.decodeIssue})`]
          : []),
        `data: ${JSON.stringify(delivery.eventData)}`
      ].join("\n"))
      : Output.json({
        event_id: delivery.eventId,
        event_id_source: delivery.eventIdSource,
        timestamp: delivery.timestamp,
        created_at: delivery.createdAt,
        event_type: delivery.eventType,
        event_data: delivery.eventData
      })
  }))
