/**
 * `--completions`: the scripts come from the command definitions and complete event types for `--events` (also
 * after a comma) and `--event-type`. The bash script is run by a real bash (one process for all cases).
 */
import * as WebhookEventType from "@effect-heygen/core/WebhookEventType"
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import * as ExitCode from "../src/ExitCode.js"
import { envelope, runInProcess } from "./harness.js"

const hasBash = spawnSync("bash", ["-c", "exit 0"]).status === 0

/** Completes each command line (the last word is the one being completed) with the script, in one bash. */
const completeAll = (script: string, lines: ReadonlyArray<ReadonlyArray<string>>): Array<Array<string>> => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "eh-completions-"))
  try {
    const file = NodePath.join(dir, "completion.bash")
    NodeFs.writeFileSync(file, script)
    const q = (w: string) => `'${w.replaceAll("'", "'\\''")}'`
    const body = lines.map((words) =>
      [
        `COMP_WORDS=(${words.map(q).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=()`,
        "_effect_heygen_complete",
        "printf '%s\\n' \"${COMPREPLY[@]}\"; echo '<<end>>'"
      ].join("\n")
    ).join("\n")
    const out = spawnSync("bash", ["-c", `source ${q(file)}\n${body}`], { encoding: "utf8", timeout: 20_000 })
    expect(out.stderr).toBe("")
    return out.stdout.split("<<end>>\n").slice(0, lines.length).map((block) =>
      block.split("\n").filter((l) => l !== "")
    )
  } finally {
    NodeFs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("--completions", () => {
  it.skipIf(!hasBash)("bash completes commands, flags, and event types for --events and --event-type", async () => {
    const out = await runInProcess(["--completions", "bash"])
    expect(out.code).toBe(0)
    const [
      root,
      endpoints,
      flags,
      events,
      afterComma,
      eventType,
      update,
      limitValue,
      eventsGroup,
      replayFlags,
      replayTypes,
      headerStyle
    ] = completeAll(out.stdout, [
      ["effect-heygen", ""],
      ["effect-heygen", "webhook", "endpoints", ""],
      ["effect-heygen", "webhook", "endpoints", "list", "--"],
      ["effect-heygen", "webhook", "endpoints", "create", "--url", "https://x", "--events", "avatar_video."],
      ["effect-heygen", "webhook", "endpoints", "create", "--events", "avatar_video.success,video_agent."],
      ["effect-heygen", "webhook", "events", "list", "--event-type", ""],
      ["effect-heygen", "webhook", "endpoints", "update", "ep_1", "--events", "batch."],
      ["effect-heygen", "webhook", "endpoints", "list", "--limit", ""],
      ["effect-heygen", "webhook", "events", ""],
      ["effect-heygen", "webhook", "events", "replay", "--"],
      ["effect-heygen", "webhook", "events", "replay", "--event-types", "avatar_video.success,avatar_video."],
      ["effect-heygen", "sandbox", "trigger", "avatar_video.success", "--header-style", ""]
    ])
    expect(root).toEqual(expect.arrayContaining(["webhook", "sandbox", "--help", "--completions"]))
    expect(endpoints).toEqual(expect.arrayContaining(["create", "list", "update", "delete", "rotate-secret"]))
    expect(flags).toEqual(expect.arrayContaining(["--limit", "--token", "--all", "--human", "--sandbox"]))
    expect(flags).not.toContain("--url")
    expect(events).toEqual(WebhookEventType.values.filter((t) => t.startsWith("avatar_video.")))
    expect(events!.length).toBeGreaterThan(1)
    expect(afterComma).toEqual(
      WebhookEventType.values.filter((t) => t.startsWith("video_agent.")).map((t) => `avatar_video.success,${t}`)
    )
    expect(eventType).toEqual([...WebhookEventType.values])
    expect(update).toEqual(WebhookEventType.values.filter((t) => t.startsWith("batch.")))
    expect(limitValue).toEqual([])
    expect(eventsGroup).toEqual(expect.arrayContaining(["list", "replay"]))
    expect(replayFlags).toEqual(
      expect.arrayContaining(["--since", "--forward-to", "--secret-file", "--event-types", "--entity-id", "--dry-run"])
    )
    expect(replayTypes).toEqual(
      WebhookEventType.values.filter((t) => t.startsWith("avatar_video.")).map((t) => `avatar_video.success,${t}`)
    )
    expect(headerStyle).toEqual(["documented", "legacy"])
  })

  it("zsh uses the bash script through bashcompinit; fish completes event types for --events and --event-type", async () => {
    const zsh = await runInProcess(["--completions", "zsh"])
    expect(zsh.stdout).toMatch(/^#compdef effect-heygen/)
    expect(zsh.stdout).toContain("bashcompinit")
    expect(zsh.stdout).toContain("_effect_heygen_complete")
    const fish = await runInProcess(["--completions=fish"])
    expect(fish.code).toBe(0)
    for (const t of WebhookEventType.values) expect(fish.stdout).toContain(`'${t}'`)
    expect(fish.stdout).toMatch(
      /__effect_heygen_at 'webhook endpoints create'".* -l events -x -a '\(__effect_heygen_events\)'/
    )
    expect(fish.stdout).toMatch(
      /__effect_heygen_at 'webhook events list'".* -l event-type -x -a '\(__effect_heygen_events\)'/
    )
  })

  // @effect/cli parses --completions as a built-in choice; a value outside it is its usage error, which names no flag.
  it("an unknown shell is a usage error", async () => {
    const out = await runInProcess(["--completions", "powershell"])
    expect(out.code).toBe(ExitCode.Usage)
    expect(envelope(out.stderr).error.code).toBe("cli_usage")
    expect(out.stdout).toBe("")
  })
})
