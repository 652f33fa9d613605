// The worker: HTTP (the Hono app) and the delivery queue with its dead-letter queue. What used to scan
// every workspace on a cron (the recovery sweep, retention, auto-disable) is each object's own, from its
// alarm (docs/storage.md): no scheduled work is left here.

import { app } from "./app";
import { consumeDeliveries } from "./dispatch/consume";
import { recordDeadLetters } from "./dispatch/dead-letter";
import { DEAD_LETTER_QUEUE, type DeliveryMessage } from "./queue";

export { DestinationLane } from "./flow/lane";
export { WorkspaceHistory } from "./history/object";
export { DevInbox } from "./inbox/inbox";
export { WorkspaceCoordinator } from "./lifecycle/workspace-object";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) await recordDeadLetters(batch, env);
    else await consumeDeliveries(batch, env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
