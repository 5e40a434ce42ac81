import { WebhookDelivery, WebhookReceiver } from "@effect-heygen/core"
import * as DeliveryLogSql from "@effect-heygen/core/DeliveryLogSql"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer } from "effect"

// Every receiver process of the fleet points at the same database. The log creates its table when its layer starts,
// under an advisory lock, so a whole fleet may start at once. (If your migrations own the schema, run
// DeliveryLogSql.migration() among them and give the layer createTable: false.)
export const Database = PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })

// transactional: true runs the handler inside the transaction that records the event as handled.
export const DeliveryLogLive = DeliveryLogSql.layer({ transactional: true }).pipe(Layer.provideMerge(Database))

// The handler writes to videos_ready, a table of yours: create it with the SQL beside this example first.
// The SqlClient the handler asks for is that transaction's connection: its insert and the record commit together or
// not at all. However often HeyGen delivers the event, and wherever a receiver is killed, the row is written once.
export const recordVideo = (delivery: WebhookDelivery.WebhookDelivery) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    WebhookDelivery.match(delivery.event, {
      AvatarVideoSuccess: ({ data }) => {
        const row = { event_id: delivery.eventId, video_id: data.video_id, url: data.url }
        return sql`INSERT INTO videos_ready ${sql.insert(row)}`
      },
      orElse: () => Effect.void
    }))

// One receiver process; run as many as you like behind your load balancer.
export const FleetReceiver = Layer.unwrapEffect(Effect.gen(function*() {
  const secret = yield* Config.redacted("HEYGEN_WEBHOOK_SECRET")
  const port = yield* Config.port("PORT").pipe(Config.withDefault(3000))
  // No host: every interface, as behind a load balancer. On your own machine add host: "127.0.0.1".
  return WebhookReceiver.layerServer(recordVideo, { secrets: secret, port, path: "/hooks/heygen" })
})).pipe(Layer.provide(DeliveryLogLive))

// NodeRuntime.runMain(Layer.launch(FleetReceiver))

// Retention: the layer deletes what is older than its retention (48 hours) when it starts and every hour. To run it as
// one job for the whole fleet instead, give the layer pruneEvery: false and schedule this:
export const retention = DeliveryLogSql.prune({ olderThan: "48 hours" }).pipe(
  Effect.tap((removed) => Effect.log(`pruned ${removed} delivery records`)),
  Effect.provide(Database)
)
