// What `--all` does when the server's pagination is broken, as the README says: the items of every page received
// (the page that carried the broken cursor included) are printed, then `cli_pagination_error` on stderr, exit 1.
import * as Http from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import { envelope, runInProcess } from "./harness.js"

const endpoint = (n: number) => ({
  endpoint_id: `ep_${n}`,
  url: `https://example.com/hooks/${n}`,
  events: null,
  status: "enabled",
  created_at: "2026-01-01T00:00:00Z",
  secret: null
})
const event = (n: number) => ({
  event_id: `evt_${n}`,
  event_type: "avatar_video.success",
  event_data: {},
  created_at: "2026-01-01T00:00:00Z"
})

/**
 * A server whose endpoint list sends `tok_a` back on its second page (a cursor already followed) and whose event
 * log says `has_more` with no token on its first.
 */
const pages = (url: URL) => {
  const token = url.searchParams.get("token")
  if (url.pathname === "/v3/webhooks/endpoints") {
    return token === null
      ? { data: [endpoint(1)], has_more: true, next_token: "tok_a" }
      : { data: [endpoint(2)], has_more: true, next_token: "tok_a" }
  }
  return { data: [event(1), event(2)], has_more: true, next_token: null }
}

let server: Http.Server
let baseUrl = ""
let requests = 0

beforeAll(async () => {
  server = Http.createServer((req, res) => {
    requests++
    const body = JSON.stringify(pages(new URL(req.url ?? "/", "http://127.0.0.1")))
    res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${requests}` }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("expected a TCP address")
  baseUrl = `http://127.0.0.1:${address.port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const run = (args: ReadonlyArray<string>) =>
  runInProcess([...args, "--base-url", baseUrl, "--max-retries", "0"], { env: { HEYGEN_API_KEY: "k" } })

describe("--all on a broken cursor", () => {
  it("endpoints: a repeated next_token prints both pages' items, then cli_pagination_error, exit 1", async () => {
    requests = 0
    const outcome = await run(["webhook", "endpoints", "list", "--all"])
    expect(outcome.stdout.trim().split("\n").map((line) => JSON.parse(line).endpoint_id)).toEqual(["ep_1", "ep_2"])
    expect(outcome.code).toBe(ExitCode.ApiOrNetwork)
    expect(envelope(outcome.stderr).error).toMatchObject({
      code: "cli_pagination_error",
      message: "page 2 returned a next_token that was already followed"
    })
    // Not a loop: two pages were asked for.
    expect(requests).toBe(2)
  })

  it("events: has_more without a token prints the page's items, then cli_pagination_error, exit 1", async () => {
    const outcome = await run(["webhook", "events", "list", "--all"])
    expect(outcome.stdout.trim().split("\n").map((line) => JSON.parse(line).event_id)).toEqual(["evt_1", "evt_2"])
    expect(outcome.code).toBe(ExitCode.ApiOrNetwork)
    expect(envelope(outcome.stderr).error).toMatchObject({
      code: "cli_pagination_error",
      message: "page 1 said has_more but gave no next_token"
    })
  })

  it("with --human the table is not printed: only the error, exit 1, and its hint says so", async () => {
    const outcome = await run(["webhook", "endpoints", "list", "--all", "--human"])
    expect(outcome.stdout).toBe("")
    expect(outcome.code).toBe(ExitCode.ApiOrNetwork)
    expect(envelope(outcome.stderr).error.code).toBe("cli_pagination_error")
    expect(envelope(outcome.stderr).error.hint).toMatch(/none with --human/)
  })
})
