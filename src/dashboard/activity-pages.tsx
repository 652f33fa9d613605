// The workspace's activity (its operational events) and one event's page: what each destination got,
// or why not. Both read only the URL's workspace; another workspace's event is a 404 like an unknown one.
// Mounted at /w/:ws.

import { Hono } from "hono";
import { database } from "../db/client";
import { explainEvent, readEvent } from "../events/explain";
import { HistoryView } from "../history/client";
import { PageQuery, page } from "../http/pagination";
import { listActivity } from "../lifecycle/activity";
import { notFoundPage } from "./answers";
import { ActivityPage } from "./screens/activity";
import { EventPage } from "./screens/event";
import type { DashboardEnv } from "./types";

const ACTIVITY_PAGE = 50;
const DESTINATIONS_PAGE = 50;
const EVENT_ID = /^evt_[0-9a-f]{32}$/;
const MAX_EVENT_ID = 255;

export const activityPages = new Hono<DashboardEnv>();

activityPages.get("/activity", async (c) => {
  const before = c.req.query("before");
  const items = await listActivity(new HistoryView(c.env, c.var.workspace.uuid), {
    limit: ACTIVITY_PAGE + 1,
    before: before && EVENT_ID.test(before) ? before : undefined,
  });
  const shown = items.slice(0, ACTIVITY_PAGE);
  const nextBefore = items.length > ACTIVITY_PAGE ? (shown.at(-1)?.id ?? null) : null;
  return c.render(<ActivityPage items={shown} nextBefore={nextBefore} />, {
    title: "Activity",
    section: "activity",
  });
});

activityPages.get("/events/:eventId", async (c) => {
  const eventId = c.req.param("eventId");
  if (!eventId || eventId.length > MAX_EVENT_ID) return notFoundPage(c);
  const history = new HistoryView(c.env, c.var.workspace.uuid);
  const event = await readEvent(history, eventId);
  if (!event) return notFoundPage(c);
  const query = PageQuery.safeParse({ limit: DESTINATIONS_PAGE, cursor: c.req.query("cursor") });
  const cursor = query.success ? query.data.cursor : undefined;
  const { data, next_cursor } = page(
    await explainEvent(database(c.env.DB), history, event, DESTINATIONS_PAGE, cursor),
    DESTINATIONS_PAGE,
  );
  const occurred = (event.payload.event as { occurred_at?: unknown } | undefined)?.occurred_at;
  const view = {
    id: event.id,
    type: event.type,
    occurredAt: typeof occurred === "string" ? occurred : null,
    createdAt: new Date(event.createdAt).toISOString(),
    payload: JSON.stringify(event.payload, null, 2),
  };
  const from = c.req.query("from");
  return c.render(<EventPage event={view} destinations={data} nextCursor={next_cursor} from={from} />, {
    title: `Event ${view.id}`,
    section: "activity",
    sectionPage: false,
  });
});
