// A recovery as the API answers it (and the dashboard shows it): one mapping from its row.
import { z } from "@hono/zod-openapi";
import { RECOVERABLE_STATUSES, RECOVERY_STATUSES, type RecoveryRow } from "../db/workspace-schema";
import { iso, isoOrNull } from "../time";

export const Recovery = z
  .object({
    id: z.string(),
    destination_id: z.string(),
    status: z.enum(RECOVERY_STATUSES).openapi({
      description:
        "`running` until every selected delivery is queued again; `cancelled` if the destination was disabled meanwhile.",
    }),
    since: z.string(),
    until: z.string(),
    statuses: z.array(z.enum(RECOVERABLE_STATUSES)),
    total: z.number().int().openapi({ description: "The deliveries selected when it started." }),
    sent: z.number().int().openapi({ description: "How many of them are pending again and queued so far." }),
    reason: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi("Recovery");

export type RecoveryJson = z.infer<typeof Recovery>;

export const recoveryJson = (r: RecoveryRow): RecoveryJson => ({
  id: r.id,
  destination_id: r.destinationId,
  status: r.status,
  since: iso(r.since),
  until: iso(r.until),
  statuses: r.statuses,
  total: r.total,
  sent: r.sent,
  reason: r.reason,
  created_at: iso(r.createdAt),
  finished_at: isoOrNull(r.finishedAt),
});
