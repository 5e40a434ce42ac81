/**
 * One receiver process of the multi-process delivery log tests (DeliveryLogProcesses.test.ts): its own pool or
 * SQLite connection, started by the test with `node --import tsx`, told what to do by one JSON argument.
 *
 * It builds its log, prints `ready`, waits for a line `go` on stdin (so that every process acts at the same
 * moment), acts, prints one JSON line with what it saw, and exits; or, for the kill tests, prints where it is and
 * waits to be killed.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as readline from "node:readline"
import * as DeliveryLogSql from "../src/DeliveryLogSql.js"

export type Command =
  | {
    /** Runs each event `perEvent` times at once, after the go; a run holds its event for 2 seconds. */
    readonly _tag: "claim"
    readonly database: Database
    readonly events: ReadonlyArray<string>
    readonly perEvent: number
  }
  | {
    /** Transactional once(eventId): its run inserts into `handled`, then says `inside` and waits to be killed. */
    readonly _tag: "killInside"
    readonly database: Database
    readonly eventId: string
  }
  | {
    /** Transactional once(eventId) with the insert; once it has returned (committed), says so and waits to be killed. */
    readonly _tag: "killAfterCommit"
    readonly database: Database
    readonly eventId: string
  }

export type Database =
  | { readonly _tag: "pg"; readonly url: string }
  | { readonly _tag: "sqlite"; readonly file: string }

const command = JSON.parse(process.argv[2] ?? "{}") as Command

const database = (db: Database): Layer.Layer<SqlClient.SqlClient, unknown> =>
  db._tag === "pg"
    // Named after this process, so that the test can see when the server has noticed its death.
    ? PgClient.layer({ url: Redacted.make(db.url), maxConnections: 16, applicationName: `child-${process.pid}` })
    : SqliteClient.layer({ filename: db.file })

const say = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))

// stdin is a pipe from the test process: when it closes (that process ended, in whatever way), this one ends too.
process.stdin.on("end", () => process.exit(0))

const go = Effect.async<void>((resume) => {
  let gone = false
  readline.createInterface({ input: process.stdin }).on("line", (line) => {
    if (!gone && line.trim() === "go") {
      gone = true
      resume(Effect.void)
    }
  })
})

const forever = Effect.never

const program = Effect.gen(function*() {
  switch (command._tag) {
    case "claim": {
      const log = yield* DeliveryLogSql.make({ createTable: false })
      yield* say("ready")
      yield* go
      const seen = yield* Effect.forEach(
        command.events,
        (eventId) =>
          Effect.all(
            Array.from({ length: command.perEvent }, () => log.once(eventId, Effect.sleep("2 seconds"))),
            { concurrency: "unbounded" }
          ).pipe(Effect.map((outcomes) => [eventId, outcomes.map((outcome) => outcome._tag)] as const)),
        { concurrency: "unbounded" }
      )
      yield* say(JSON.stringify(Object.fromEntries(seen)))
      return
    }
    case "killInside":
    case "killAfterCommit": {
      const log = yield* DeliveryLogSql.make({ transactional: true, createTable: false })
      const sql = yield* SqlClient.SqlClient
      yield* say("ready")
      yield* go
      const insert = sql`INSERT INTO handled (event_id) VALUES (${command.eventId})`
      if (command._tag === "killInside") {
        yield* log.once(command.eventId, Effect.zipRight(insert, Effect.zipRight(say("inside"), forever)))
        return
      }
      const outcome = yield* log.once(command.eventId, insert)
      yield* say(`committed ${outcome._tag}`)
      return yield* forever
    }
  }
})

Effect.runFork(
  program.pipe(
    Effect.provide(database(command.database)),
    Effect.catchAllCause((cause) => say(`error ${JSON.stringify(String(cause))}`)),
    Effect.ensuring(Effect.sync(() => process.exit(0)))
  )
)
