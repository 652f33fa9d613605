import { app } from "./app";
import { consumeDeliveries } from "./delivery/consume";
import { DEAD_LETTER_QUEUE, recordDeadLetters } from "./delivery/dead-letter";
import { recoverStalledDeliveries } from "./delivery/recover";
import type { DeliveryMessage } from "./events/ingest";

export { WorkspaceCoordinator } from "./workspace/coordinator";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === DEAD_LETTER_QUEUE) await recordDeadLetters(batch, env);
    else await consumeDeliveries(batch, env);
  },
  async scheduled(_controller, env) {
    await recoverStalledDeliveries(env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
