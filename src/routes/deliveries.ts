// /v1/workspaces/{ws}/deliveries: one delivery with its attempts, and manual redelivery.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { database } from "../db/client";
import { attemptJson, Delivery, DeliveryWithAttempts, deliveryJson } from "../deliveries/schema";
import { findDeliveryWithAttempts } from "../deliveries/store";
import { requestRedelivery } from "../destinations/manual-deliveries";
import { findDestination } from "../destinations/store";
import { requireWorkspaceKey } from "../http/auth";
import { errorResponses, idParam, json, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { DEFAULT_RETENTION_DAYS } from "../limits";
import { notFound, ProblemError } from "../problem";

const DeliveryParams = WorkspaceParam.extend({ delivery_id: idParam("delivery_id") });
const tags = ["Deliveries"];

/** 409 for a send to a disabled destination, with the reason it was disabled when there is one. */
export const destinationDisabled = (reason: string | null) =>
  new ProblemError(
    409,
    `The destination is disabled${reason ? ` (${reason})` : ""}. Enable it with PATCH { "enabled": true } first.`,
    { slug: "destination-disabled" },
  );

export const deliveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
deliveryRoutes.use(requireWorkspaceKey);

deliveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{delivery_id}",
    tags,
    summary: "A delivery with all its attempts",
    description: `Deliveries are kept for \`RETENTION_DAYS\` (${DEFAULT_RETENTION_DAYS} days by default), then purged with their attempts.`,
    security: workspaceSecurity,
    request: { params: DeliveryParams },
    responses: {
      200: json(DeliveryWithAttempts, "The delivery and its attempts, oldest first."),
      ...errorResponses,
    },
  }),
  async (c) => {
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDeliveryWithAttempts(c.env, workspaceUuid, c.req.valid("param").delivery_id);
    // A deleted destination's deliveries are gone with it (its partitions forget them as it is deleted).
    if (!found || !(await findDestination(database(c.env.DB), workspaceUuid, found.delivery.destinationId)))
      throw notFound("delivery");
    const { delivery, attempts } = found;
    const attemptsJson = attempts.map((a) => attemptJson(a, delivery.eventType));
    return c.json({ ...deliveryJson(delivery), attempts: attemptsJson }, 200);
  },
);

deliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{delivery_id}/redeliver",
    tags,
    summary: "Redeliver",
    description: "Sends the same event to the same destination again, as a new delivery.",
    security: workspaceSecurity,
    request: { params: DeliveryParams },
    responses: {
      202: json(Delivery, "The new delivery."),
      409: { description: "The destination is disabled." },
      ...errorResponses,
    },
  }),
  async (c) => {
    const sent = await requestRedelivery(c.env, c.get("workspaceUuid"), c.req.valid("param").delivery_id);
    if (sent.outcome === "not_found") throw notFound("delivery");
    if (sent.outcome === "disabled") throw destinationDisabled(sent.reason);
    return c.json(deliveryJson(sent.delivery), 202);
  },
);
