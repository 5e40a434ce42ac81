/**
 * Random command lines for property tests: real commands and flags, junk ones, `--flag=value` forms, and values
 * that are valid, invalid, or random text.
 *
 * Network rule: the CLI may only ever reach 127.0.0.1. Tests set HEYGEN_API_BASE to a loopback fake, and
 * `sanitize` rewrites every `--base-url` value to a loopback URL or one core refuses before any I/O (plain http to
 * a remote host, not a URL, another scheme), so no generated argv can reach a real host.
 */
import * as FastCheck from "effect/FastCheck"

/** The command words a random argv starts with (every command of the tree, and some wrong ones). */
export const commands: ReadonlyArray<ReadonlyArray<string>> = [
  ["webhook", "endpoints", "create"],
  ["webhook", "endpoints", "create"],
  ["webhook", "endpoints", "create"],
  ["webhook", "endpoints", "list"],
  ["webhook", "endpoints", "list"],
  ["webhook", "endpoints", "update"],
  ["webhook", "endpoints", "update", "ep_missing"],
  ["webhook", "endpoints", "delete"],
  ["webhook", "endpoints", "delete", "ep_missing"],
  ["webhook", "endpoints", "rotate-secret"],
  ["webhook", "endpoints", "rotate-secret", "ep_missing"],
  ["webhook", "event-types", "list"],
  ["webhook", "events", "list"],
  ["webhook", "events", "list"],
  ["sandbox", "reset"],
  ["sandbox", "serve"],
  // No --forward-to among the generated flags: a random trigger stops at its usage check, before any I/O.
  ["sandbox", "trigger"],
  ["sandbox", "trigger", "avatar_video.success"],
  ["webhook", "verify"],
  // No --forward-to among the generated flags either: a random replay only lists (--dry-run) or stops at its usage
  // check, so it never sends anything anywhere.
  ["webhook", "events", "replay"],
  ["webhook", "events", "replay", "--since", "1h", "--dry-run"],
  // Without --forward-to, listen stops at its usage check: it never follows anything.
  ["webhook", "events", "listen"],
  ["webhook"],
  ["webhook", "endpoints"],
  ["sandbox"],
  [],
  ["bogus"],
  ["webhook", "bogus"]
]

const flags = [
  "--url",
  "--events",
  "--entity-id",
  "--idempotency-key",
  "-d",
  "--data",
  "--api-key",
  "--base-url",
  "--max-retries",
  "--timeout",
  "--secret-file",
  "--force",
  "--sandbox",
  "--human",
  "--help",
  "-h",
  "--version",
  "--port",
  "--limit",
  "--token",
  "--all",
  "--offline",
  "--event-type",
  "--since",
  "--dry-run",
  "--event-types",
  "--header-style",
  "--completions",
  "--log-level",
  "--wizard",
  "--bogus",
  "-x",
  "--"
]

/** Base URLs a generated argv may use: none of them can send a request off this machine. */
const safeBaseUrls = (loopback: string) => [loopback, "http://example.com", "not a url", "ftp://127.0.0.1/", ""]

export interface ArgvOptions {
  /** The loopback fake's base URL. */
  readonly loopback: string
  /** An API key the test will look for in every output (see `apiKeyFlag`). */
  readonly apiKey: string
}

const values = (options: ArgvOptions) =>
  FastCheck.oneof(
    FastCheck.constantFrom(
      "https://example.com/hooks",
      "https://example.com/other",
      "http://example.com/plain",
      "not a url",
      "avatar_video.success",
      "avatar_video.success,avatar_video.fail",
      "avatar_video.success,bogus.event",
      "{\"url\":\"https://example.com/data\"}",
      "{\"url\":\"https://example.com/data\",\"extra\":1}",
      "{",
      "[]",
      "-",
      "0",
      "2",
      "abc",
      "100ms",
      "1ms",
      "2m",
      "-1",
      "70000",
      "bash",
      "1",
      "100",
      "101",
      "ep_missing",
      "avatar_video.fail",
      "debug",
      "48h",
      "2026-01-31T00:00:00Z",
      "legacy",
      "",
      "secret.txt",
      "key-1",
      "bad key!",
      options.loopback
    ),
    // Random text, but no path separators: a value used as a file path stays inside the test's temp directory.
    FastCheck.string({ maxLength: 12 }).map((s) => s.replace(/[/\\]/g, "_"))
  )

const sanitize = (argv: ReadonlyArray<string>, options: ArgvOptions, pick: number): Array<string> => {
  const safe = safeBaseUrls(options.loopback)
  const out = [...argv]
  out.forEach((arg, i) => {
    if (arg === "--base-url" && i + 1 < out.length) out[i + 1] = safe[(pick + i) % safe.length]!
    if (arg.startsWith("--base-url=")) out[i] = `--base-url=${safe[(pick + i) % safe.length]!}`
  })
  return out
}

const anyArgv = (options: ArgvOptions) =>
  FastCheck.tuple(
    FastCheck.constantFrom(...commands),
    FastCheck.array(
      FastCheck.oneof(
        FastCheck.constantFrom(...flags),
        values(options),
        FastCheck.tuple(FastCheck.constantFrom(...flags), values(options)).map(([f, v]) => [f, v]),
        FastCheck.tuple(FastCheck.constantFrom(...flags), values(options)).map(([f, v]) => `${f}=${v}`),
        apiKeyFlag(options)
      ),
      { maxLength: 8 }
    ),
    FastCheck.nat()
  ).map(([command, rest, pick]) => sanitize([...command, ...rest.flat()], options, pick))

/**
 * The API key appears only where the CLI is told it is a key: as the value of `--api-key` (either spelling; tests
 * also put it in HEYGEN_API_KEY). The CLI cannot know that a value typed into another slot is a key, and must be
 * free to echo a bad `--url` or an unknown argument back to the user.
 */
const apiKeyFlag = (options: ArgvOptions) =>
  FastCheck.constantFrom(["--api-key", options.apiKey], [`--api-key=${options.apiKey}`])

/** A create that is well-formed up to its last few flags, so that runs get past parsing to the API and back. */
const plausibleCreate = (options: ArgvOptions) =>
  FastCheck.tuple(
    FastCheck.webUrl({ validSchemes: ["https"] }),
    FastCheck.array(
      FastCheck.oneof(FastCheck.tuple(FastCheck.constantFrom(...flags), values(options)), apiKeyFlag(options)),
      { maxLength: 3 }
    ),
    FastCheck.nat()
  ).map(([url, pairs, pick]) =>
    sanitize(["webhook", "endpoints", "create", "--url", url, ...pairs.flat()], options, pick)
  )

/** Well-formed runs of the other commands, so that they too get past parsing to the API and back. */
const plausibleOther = (options: ArgvOptions) =>
  FastCheck.tuple(
    FastCheck.constantFrom<ReadonlyArray<string>>(
      ["webhook", "endpoints", "list"],
      ["webhook", "endpoints", "list", "--all"],
      ["webhook", "endpoints", "list", "--human"],
      ["webhook", "endpoints", "update", "ep_missing", "--events", "avatar_video.success"],
      ["webhook", "endpoints", "update", "ep_missing", "--url", "https://example.com/moved"],
      ["webhook", "endpoints", "delete", "ep_missing", "--force"],
      ["webhook", "endpoints", "rotate-secret", "ep_missing"],
      ["webhook", "event-types", "list"],
      ["webhook", "event-types", "list", "--offline", "--human"],
      ["webhook", "events", "list", "--event-type", "avatar_video.fail"],
      ["webhook", "events", "list", "--all", "--human"],
      ["webhook", "events", "replay", "--since", "48h", "--dry-run"],
      ["webhook", "events", "replay", "--since", "7d", "--dry-run", "--event-types", "avatar_video.fail", "--human"]
    ),
    FastCheck.array(
      FastCheck.oneof(FastCheck.tuple(FastCheck.constantFrom(...flags), values(options)), apiKeyFlag(options)),
      { maxLength: 2 }
    ),
    FastCheck.nat()
  ).map(([command, pairs, pick]) => sanitize([...command, ...pairs.flat()], options, pick))

/** A random argv (the arguments after the executable). */
export const argv = (options: ArgvOptions): FastCheck.Arbitrary<Array<string>> =>
  FastCheck.oneof(anyArgv(options), plausibleCreate(options), plausibleOther(options))
