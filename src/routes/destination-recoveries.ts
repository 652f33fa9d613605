// A destination's recoveries in bulk: start one, follow it, list them (docs/lifecycle.md).
// Mounted inside destinations.ts, under its workspace-key middleware.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { RECOVERABLE_STATUSES } from "../db/workspace-schema";
import { findDestination } from "../destinations/store";
import { errorResponses, idParam, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import {
  checkRecoveryWindow,
  findRecovery,
  listRecoveries,
  type RecoveryRequest,
  startRecovery,
} from "../lifecycle/recovery";
import { Recovery, recoveryJson } from "../lifecycle/recovery-schema";
import { RECOVERY_WINDOW_MS } from "../limits";
import { notFound, ProblemError } from "../problem";
import { destinationDisabled } from "./deliveries";

const DestinationParams = WorkspaceParam.extend({ id: idParam("id") });
const RecoveryParams = DestinationParams.extend({ recovery_id: idParam("recovery_id") });
const tags = ["Recoveries"];
const WINDOW_DAYS = RECOVERY_WINDOW_MS / 86_400_000;

const dateTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" });

const RecoverRequest = z
  .object({
    since: dateTime.openapi({
      description: "Deliveries created at or after this time.",
      example: "2026-12-06T22:00:00Z",
    }),
    until: dateTime.optional().openapi({ description: "…and before this time (default: now)." }),
    statuses: z
      .array(z.enum(RECOVERABLE_STATUSES))
      .min(1)
      .max(2)
      .optional()
      .openapi({
        description: "Which deliveries to send again (default both).",
        example: ["failed", "skipped"],
      }),
  })
  .strict()
  .openapi("RecoverRequest");

/** The window, checked against the clock: a 422 naming the field when it cannot be recovered. */
function recoveryWindow(body: z.infer<typeof RecoverRequest>, now: number): RecoveryRequest {
  const checked = checkRecoveryWindow(
    {
      since: Date.parse(body.since),
      until: body.until === undefined ? undefined : Date.parse(body.until),
      statuses: body.statuses,
    },
    now,
  );
  if (checked.ok) return checked.request;
  const { field, detail } = checked;
  throw new ProblemError(422, `${field}: ${detail}`, {
    errors: [{ field, pointer: `/${field}`, detail }],
    slug: "recovery-window",
  });
}

export const destinationRecoveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

destinationRecoveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/recover",
    tags,
    summary: "Recover failed and skipped deliveries",
    description:
      `Sends again the destination's deliveries created in [since, until) that are \`failed\` or \`skipped\` (or ` +
      `the statuses given): the same delivery ids (receivers dedupe on \`X-Leadpush-Id\`), status \`pending\`, ` +
      `new attempts numbered on. The window covers at most ${WINDOW_DAYS} days. It runs in chunks and obeys the ` +
      "destination's rate limit; follow it with the recovery's own route until it is `finished`. One runs per " +
      "destination at a time.",
    security: workspaceSecurity,
    request: { params: DestinationParams, body: jsonBody(RecoverRequest) },
    responses: {
      202: json(Recovery, "Started."),
      409: { description: "The destination is disabled, or a recovery of it is running." },
      422: { description: `The window is empty, or wider than ${WINDOW_DAYS} days.` },
      ...errorResponses,
    },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(db, workspaceUuid, c.req.valid("param").id);
    if (!found) throw notFound("destination");
    const window = recoveryWindow(c.req.valid("json"), Date.now());
    if (!found.row.enabled) throw destinationDisabled(found.row.disabledReason);
    const started = await startRecovery(c.env, workspaceUuid, found.row.id, window);
    if (!started.ok)
      throw new ProblemError(
        409,
        `A recovery of this destination is running${started.running ? ` (${started.running.id})` : ""}; wait for it to finish.`,
        { slug: "recovery-running" },
      );
    return c.json(recoveryJson(started.recovery), 202);
  },
);

destinationRecoveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/recoveries/{recovery_id}",
    tags,
    summary: "A recovery's progress",
    security: workspaceSecurity,
    request: { params: RecoveryParams },
    responses: { 200: json(Recovery, "The recovery."), ...errorResponses },
  }),
  async (c) => {
    const { id, recovery_id } = c.req.valid("param");
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(database(c.env.DB), workspaceUuid, id);
    const recovery = found && (await findRecovery(c.env, workspaceUuid, found.row.id, recovery_id));
    if (!recovery) throw notFound("recovery");
    return c.json(recoveryJson(recovery), 200);
  },
);

destinationRecoveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/recoveries",
    tags,
    summary: "A destination's recent recoveries",
    description: "The 20 newest, newest first.",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: { 200: json(z.object({ data: z.array(Recovery) }), "Its recoveries."), ...errorResponses },
  }),
  async (c) => {
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(database(c.env.DB), workspaceUuid, c.req.valid("param").id);
    if (!found) throw notFound("destination");
    const rows = await listRecoveries(c.env, workspaceUuid, found.row.id, 20);
    return c.json({ data: rows.map(recoveryJson) }, 200);
  },
);
