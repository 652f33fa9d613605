// Operational events (docs/lifecycle.md) on their way out: the workspace's object decides each one in the
// same transaction as the state change it announces and keeps it in its outbox (src/db/workspace-
// schema.ts); this stores it in the history partition its id names, fanned out like any event (never to
// the destination it is about), and queues its deliveries. A destination.disabled first disables its
// destination in D1, guarded by `enabled`, so a disable is announced once however many saw its cause.
import type { OutboxRow } from "../db/workspace-schema";
import type { OperationalEventType } from "../events/catalog";
import { storeEvents } from "../events/store";
import { forgetSubscriptions, matchSubscribers, subscribersOf } from "../events/subscriptions";
import { livePartitionOf, queueNewDeliveries } from "../history/client";
import { idIn, type Partition } from "../history/ids";
import { iso } from "../time";
import type { Decided } from "./transitions";

/** What an outbox row holds. */
export type OutboxBody = {
  type: OperationalEventType;
  destinationId: string;
  fields: Record<string, unknown>;
  occurredAt: number;
  /** The destination as the event shows it; filled in by the disable for a destination.disabled. */
  destination?: { name: string; url_template: string };
  disable?: string;
};

/** An outbox row for a decided announcement; its event id names the partition current now. */
export function outboxRow(
  decided: Decided,
  partition: Partition,
  destination: OutboxBody["destination"],
  now: number,
): OutboxRow {
  const body: OutboxBody = { ...decided, occurredAt: now, ...(destination ? { destination } : {}) };
  return {
    id: idIn("evt", partition, now),
    action: decided.disable ? "disable" : "announce",
    body: body as unknown as Record<string, unknown>,
    createdAt: now,
  };
}

// Binds: ?1 the reason, ?2 now, ?3 the destination, ?4 its workspace.
const DISABLE_SQL = `
  UPDATE destinations SET enabled = 0, disabled_reason = ?1, updated_at = ?2
  WHERE id = ?3 AND workspace_uuid = ?4 AND enabled = 1
  RETURNING name, url_template`;

/**
 * Carries out one outbox row. `done`: it is stored and queued, or there is nothing to announce (the
 * destination was disabled already); otherwise the body to keep for the next try (a disable done, its
 * announcement not yet stored).
 */
export async function carryOut(
  env: Env,
  workspaceUuid: string,
  row: OutboxRow,
): Promise<"done" | OutboxBody> {
  const body = row.body as unknown as OutboxBody;
  if (row.action === "disable") {
    const disabled = await env.DB.prepare(DISABLE_SQL)
      .bind(body.disable ?? null, Date.now(), body.destinationId, workspaceUuid)
      .first<{ name: string; url_template: string }>();
    forgetSubscriptions(workspaceUuid);
    if (!disabled) return "done";
    body.destination = disabled;
    try {
      await announce(env, workspaceUuid, row.id, body);
    } catch (error) {
      console.error("an announcement waits in the outbox", String(error));
      return body;
    }
    return "done";
  }
  await announce(env, workspaceUuid, row.id, body);
  return "done";
}

async function announce(env: Env, workspaceUuid: string, id: string, body: OutboxBody): Promise<void> {
  const p = livePartitionOf(env, workspaceUuid, id);
  if (!p || !body.destination) return;
  const payload = {
    event: { id, type: body.type, occurred_at: iso(body.occurredAt) },
    workspace: { uuid: workspaceUuid },
    destination: { id: body.destinationId, ...body.destination },
    ...body.fields,
  };
  const subscribers = await subscribersOf(env.DB, workspaceUuid);
  const targets = matchSubscribers(subscribers, body.type, payload, body.destinationId);
  const [stored] = await storeEvents(env, p, [
    { id, type: body.type, payload: JSON.stringify(payload), targets, clientId: false },
  ]);
  const created = stored?.created ?? [];
  if (created.length)
    await queueNewDeliveries(
      env,
      created.map((r) => ({ id: r.id, workspaceUuid, destinationId: r.destinationId })),
    );
}
