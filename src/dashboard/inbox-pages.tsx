// The Inbox page (development only, docs/inbox.md): the local inbox's last requests, with a fragment
// the page's script asks for every two seconds and a Clear button. In production every path here is the
// dashboard's 404 and no screen links to it.
// Mounted at /w/:ws/inbox.

import { Hono } from "hono";
import { configOf } from "../config";
import { database } from "../db/client";
import { destinationNames } from "../destinations/store";
import { DEFAULT_INBOX, inboxName, inboxUrl } from "../inbox/address";
import type { InboxRequest } from "../inbox/inbox";
import { inboxStub, listInbox } from "../inbox/routes";
import { notFoundPage } from "./answers";
import { InboxList, InboxPage } from "./screens/inbox";
import type { DashboardContext, DashboardEnv } from "./types";
import { urls } from "./urls";

const SHOWN = 50;

const nameOf = (c: DashboardContext) =>
  inboxName(c.req.query("name") ?? c.req.query("inbox")) ?? DEFAULT_INBOX;

/** This workspace's names of the destinations the requests' verdicts name. */
function namesFor(c: DashboardContext, requests: InboxRequest[]) {
  const ids = new Set(requests.flatMap((r) => (r.verified_by ? [r.verified_by.destination_id] : [])));
  return destinationNames(database(c.env.DB), c.var.workspace.uuid, [...ids]);
}

export const inboxPages = new Hono<DashboardEnv>();

// "*" under the mount point matches the inbox page itself too.
inboxPages.use("*", async (c, next) => (configOf(c.env).devTools ? next() : notFoundPage(c)));

inboxPages.get("/", async (c) => {
  const name = nameOf(c);
  const requests = await listInbox(c.env, name, SHOWN);
  return c.render(
    <InboxPage
      name={name}
      url={inboxUrl(new URL(c.req.url).origin, name)}
      requests={requests}
      names={await namesFor(c, requests)}
      cleared={c.req.query("notice") === "cleared"}
    />,
    { title: "Inbox", section: "inbox" },
  );
});

// The requests newer than ?after=, newest first, as list items; X-Inbox-Latest is the newest id.
inboxPages.get("/requests", async (c) => {
  const after = Number(c.req.query("after") ?? 0);
  const requests = await listInbox(
    c.env,
    nameOf(c),
    SHOWN,
    Number.isSafeInteger(after) && after > 0 ? after : 0,
  );
  const latest = String(requests[0]?.id ?? after);
  return c.html(
    <InboxList
      requests={requests}
      names={await namesFor(c, requests)}
      ws={c.var.workspace.uuid}
      openFirst={false}
    />,
    200,
    { "X-Inbox-Latest": latest, "Cache-Control": "no-store" },
  );
});

inboxPages.post("/clear", async (c) => {
  const form = await c.req.formData();
  const name = inboxName(String(form.get("name") ?? "")) ?? DEFAULT_INBOX;
  await inboxStub(c.env, name).clear();
  return c.redirect(`${urls.inbox(c.var.workspace.uuid, name)}&notice=cleared`, 303);
});
