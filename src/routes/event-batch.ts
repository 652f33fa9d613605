// POST /v1/workspaces/{ws}/events/batch: up to 100 events in one request, each taken or refused on its
// own, stored in one transaction (the current partition's). Its body may be larger than an event's, so the
// event routes' body limit does not apply to it; this one does.
import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { type Ingested, ingestEvents } from "../events/ingest";
import { EventIngest, type EventIngestInput } from "../events/schema";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import type { AppEnv } from "../http/types";
import { zodFieldErrors } from "../http/validation";
import { BATCH_LIMITS, MAX_EVENT_BYTES } from "../limits";
import { type FieldError, fieldError, ProblemError } from "../problem";

const BatchRequest = z
  .object({
    events: z
      .array(z.unknown())
      .min(1)
      .max(BATCH_LIMITS.events)
      .openapi({
        description: `1 to ${BATCH_LIMITS.events} events, each as \`POST …/events\` takes one; each is taken or refused on its own.`,
        items: { $ref: "#/components/schemas/EventIngest" },
      }),
  })
  .strict()
  .openapi("EventBatch");

const BatchResult = z
  .object({
    event_id: z
      .string()
      .nullable()
      .openapi({ description: "The event's id (null for a refused event without one)." }),
    status: z.enum(["accepted", "duplicate", "rejected"]),
    delivery_count: z.number().int(),
    errors: z
      .array(z.object({ field: z.string(), pointer: z.string(), detail: z.string() }))
      .optional()
      .openapi({
        description: "Why a `rejected` event was refused, field by field (relative to the event).",
      }),
  })
  .openapi("EventBatchResult");

const BatchAnswer = z
  .object({ results: z.array(BatchResult).openapi({ description: "One per event, in the order sent." }) })
  .openapi("EventBatchAccepted");

export const batchRoute = createRoute({
  method: "post",
  path: "/batch",
  tags: ["Events"],
  summary: "Ingest a batch of contact events",
  description:
    `Up to ${BATCH_LIMITS.events} events in one request of at most ${BATCH_LIMITS.bytes / 1024 / 1024} MiB. A ` +
    "malformed batch is a `400` and stores nothing; otherwise each event is taken or refused on its own, with " +
    "the rules and idempotency of `POST …/events`, and the answer lists one result per event, in order. The " +
    `events of a batch fan out to at most ${BATCH_LIMITS.deliveries} deliveries together; an event past that ` +
    "is refused (send it again in another batch).",
  security: workspaceSecurity,
  middleware: [
    bodyLimit({
      maxSize: BATCH_LIMITS.bytes,
      onError: () => {
        throw new ProblemError(413, `A batch must be at most ${BATCH_LIMITS.bytes} bytes.`);
      },
    }),
  ] as const,
  request: { params: WorkspaceParam, body: jsonBody(BatchRequest) },
  responses: { 202: json(BatchAnswer, "Each event taken or refused."), ...errorResponses },
});

type Checked = { ok: true; input: EventIngestInput } | { ok: false; id: string | null; errors: FieldError[] };

/** One event of a batch, checked as `POST …/events` checks its body (its size included). */
function check(item: unknown): Checked {
  const id = typeof (item as { id?: unknown })?.id === "string" ? (item as { id: string }).id : null;
  if (new TextEncoder().encode(JSON.stringify(item)).length > MAX_EVENT_BYTES) {
    return { ok: false, id, errors: [fieldError([], `an event must be at most ${MAX_EVENT_BYTES} bytes`)] };
  }
  const parsed = EventIngest.safeParse(item);
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, id, errors: zodFieldErrors(parsed.error) };
}

const rejected = (id: string | null, errors: FieldError[]) => ({
  event_id: id,
  status: "rejected" as const,
  delivery_count: 0,
  errors,
});

export const ingestBatch: RouteHandler<typeof batchRoute, AppEnv> = async (c) => {
  const checked = c.req.valid("json").events.map(check);
  const taken = checked.flatMap((r) => (r.ok ? [r.input] : []));
  const later = (work: Promise<void>) => c.executionCtx.waitUntil(work);
  const results: (Ingested | "over")[] = taken.length
    ? await ingestEvents(c.env, c.get("workspaceUuid"), taken, later, BATCH_LIMITS.deliveries)
    : [];
  let next = 0;
  const answers = checked.map((r) => {
    if (!r.ok) return rejected(r.id, r.errors);
    const result = results[next++] as Ingested | "over";
    if (result === "over") {
      const detail = `the batch fans out to more than ${BATCH_LIMITS.deliveries} deliveries; send this event in another batch`;
      return rejected(r.input.id ?? null, [fieldError([], detail)]);
    }
    return { event_id: result.eventId, status: result.status, delivery_count: result.deliveryCount };
  });
  return c.json({ results: answers }, 202);
};
