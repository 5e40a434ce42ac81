import * as Redacted from "effect/Redacted"
import type { Credentials } from "../HeyGenClient.js"

const placeholder = "<redacted>"
// A JSON "secret" member, closed or cut off by truncation (an unclosed one would otherwise leak its prefix).
const secretMember = /("secret"\s*:\s*")(?:[^"\\]|\\.)*"?/g
const signingSecret = /whsec_[A-Za-z0-9_\-+/=]*/g

/** The credential's clear value, for scrubbing only. */
export const credentialValue = (credentials: Credentials): string =>
  Redacted.value(credentials._tag === "ApiKey" ? credentials.apiKey : credentials.token)

/**
 * Removes the caller's credential and any signing secret from text that came from the server, so that an
 * error built from a response body can be logged or printed. Scrub first, cut after: cutting first could leave
 * a prefix of a secret that no longer matches.
 */
export const scrub = (text: string, credential: string): string => {
  let out = text.replace(secretMember, `$1${placeholder}"`).replace(signingSecret, placeholder)
  if (credential.length > 0) out = out.split(credential).join(placeholder)
  return out
}

/** A short, scrubbed excerpt of a body for an error. */
export const excerpt = (text: string, credential: string, max = 200): string => {
  const clean = scrub(text, credential)
  return clean.length <= max ? clean : `${clean.slice(0, max)}…`
}

// A password in a connection URL's user info (`postgres://user:password@host`), or given as `password=...`.
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi
// A setting's value ends where libpq's does (whitespace), or at the next parameter of a URL's query (`&`).
const passwordSetting = /\b(password\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&]+)/gi

/**
 * Removes connection passwords (in URLs and `password=` settings) and signing secrets from a database error's
 * text, so that an error of the delivery log can be logged or printed.
 */
export const scrubConnection = (text: string): string =>
  scrub(text, "").replace(urlPassword, `$1${placeholder}@`).replace(passwordSetting, `$1${placeholder}`)
