// The worker: HTTP (the Hono app), the delivery queue and its dead-letter queue, and the cron trigger
// (the recovery sweep, the filtered fan-outs an ingest left unfinished, auto-disable, then the retention
// purge).

import { app } from "./app";
import { configOf } from "./config";
import { database } from "./db/client";
import { purgeExpiredHistory } from "./deliveries/retention";
import { consumeDeliveries } from "./dispatch/consume";
import { recordDeadLetters } from "./dispatch/dead-letter";
import { recoverStalledDeliveries } from "./dispatch/recover";
import { finishPendingFanOuts } from "./events/filtered-fanout";
import { autoDisableDue } from "./lifecycle/auto-disable";
import { DEAD_LETTER_QUEUE, type DeliveryMessage } from "./queue";

export { DestinationLane } from "./flow/lane";
export { DevInbox } from "./inbox/inbox";
export { WorkspaceCoordinator } from "./workspaces/coordinator";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) await recordDeadLetters(batch, env);
    else await consumeDeliveries(batch, env);
  },
  async scheduled(_controller, env) {
    await recoverStalledDeliveries(env);
    await finishPendingFanOuts(database(env.DB), env.DELIVERY_QUEUE);
    await autoDisableDue(database(env.DB), env.DELIVERY_QUEUE, configOf(env).autoDisableAfterMs);
    await purgeExpiredHistory(env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
