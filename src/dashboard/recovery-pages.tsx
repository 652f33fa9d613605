// Recover deliveries… on a destination: the form and its count (GET), the start (POST), a recovery's
// progress. The window's rule is the API's (src/lifecycle/recovery.ts checkRecoveryWindow); times are
// typed and shown in UTC, like every time in the dashboard.
// Mounted at /w/:ws/integrations/webhooks/destinations/:id.

import { Hono } from "hono";
import { HistoryView } from "../history/client";
import {
  checkRecoveryWindow,
  countRecoverable,
  findRecovery,
  type RecoverableStatus,
  startRecovery,
} from "../lifecycle/recovery";
import { recoveryJson } from "../lifecycle/recovery-schema";
import { notFoundPage } from "./answers";
import { destinationOf } from "./lookups";
import { type RecoverFormValues, RecoverPage, type RecoverPageProps } from "./screens/recovery";
import { RecoveryPage } from "./screens/recovery-progress";
import type { DashboardContext, DashboardEnv } from "./types";
import { urls } from "./urls";

const recoveryFrame = { section: "integrations", sectionPage: false } as const;
const RECOVERY_ID = /^rcv_[0-9a-f]{32}$/;
const DAY = 86_400_000;

/** A datetime-local value (minutes, no zone) for a time, in UTC. */
export const minuteInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

const statusesOf = (values: string[]) =>
  values.filter((s): s is RecoverableStatus => s === "failed" || s === "skipped");

const MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

const parseMinute = (value: string) => (MINUTE.test(value) ? Date.parse(`${value}:00Z`) : Number.NaN);

/** A time as the form shows it: typed minutes as they are, an ISO time (a link's) in minutes, UTC. */
function asMinutes(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (MINUTE.test(value) || value === "") return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : minuteInput(ms);
}

/** The form's values from a query or a form body; the last 24 hours by default. */
function formValues(
  get: (name: string) => string | undefined,
  all: (name: string) => string[],
): RecoverFormValues {
  return {
    since: asMinutes(get("since"), minuteInput(Date.now() - DAY)),
    until: asMinutes(get("until"), ""),
    statuses: statusesOf(all("statuses").flatMap((s) => s.split(","))),
  };
}

type Checked =
  | { ok: true; request: Parameters<typeof countRecoverable>[2] }
  | { ok: false; error: NonNullable<RecoverPageProps["error"]> };

function check(values: RecoverFormValues): Checked {
  const since = parseMinute(values.since);
  if (Number.isNaN(since)) return { ok: false, error: { field: "since", detail: "Enter a date and time." } };
  const until = values.until === "" ? undefined : parseMinute(values.until);
  if (Number.isNaN(until))
    return { ok: false, error: { field: "until", detail: "Enter a date and time, or leave it empty." } };
  if (!values.statuses.length)
    return { ok: false, error: { field: "statuses", detail: "Choose at least one status." } };
  const checked = checkRecoveryWindow({ since, until, statuses: values.statuses });
  if (!checked.ok) {
    const detail = checked.detail.charAt(0).toUpperCase() + checked.detail.slice(1);
    return { ok: false, error: { field: checked.field, detail: `${detail}.` } };
  }
  return { ok: true, request: checked.request };
}

export const recoveryPages = new Hono<DashboardEnv>();

recoveryPages.get("/recover", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  // A link (from the destination's page) names no statuses, or some; a submitted form counts.
  const counting = c.req.query("count") !== undefined;
  const values = formValues(
    (n) => c.req.query(n),
    (n) => c.req.queries(n) ?? [],
  );
  if (!counting && !values.statuses.length) values.statuses = ["failed", "skipped"];
  const checked = counting ? check(values) : null;
  const count =
    checked?.ok === true
      ? await countRecoverable(new HistoryView(c.env, c.var.workspace.uuid), destination.id, checked.request)
      : null;
  const error = checked?.ok === false ? checked.error : undefined;
  c.status(error ? 400 : 200);
  return c.render(<RecoverPage destination={destination} values={values} count={count} error={error} />, {
    ...recoveryFrame,
    title: `Recover deliveries · ${destination.name}`,
  });
});

recoveryPages.post("/recover", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  const form = await c.req.formData();
  const text = (n: string) => {
    const v = form.get(n);
    return typeof v === "string" ? v : undefined;
  };
  const values = formValues(text, (n) => form.getAll(n).filter((v): v is string => typeof v === "string"));
  const checked = check(values);
  const base = { destination, values, count: null };
  const frame = { ...recoveryFrame, title: `Recover deliveries · ${destination.name}` };
  if (!checked.ok) {
    c.status(400);
    return c.render(<RecoverPage {...base} error={checked.error} />, frame);
  }
  if (!destination.enabled) {
    const refusal =
      "Nothing was started: this destination is disabled. Enable it first, then recover its deliveries.";
    c.status(409);
    return c.render(<RecoverPage {...base} refusal={refusal} />, frame);
  }
  const ws = c.var.workspace.uuid;
  const started = await startRecovery(c.env, ws, destination.id, checked.request);
  if (!started.ok) {
    const refusal = "Nothing was started: a recovery of this destination is already running.";
    c.status(409);
    return c.render(<RecoverPage {...base} refusal={refusal} runningId={started.running?.id} />, frame);
  }
  return c.redirect(urls.recovery(ws, destination.id, started.recovery.id), 303);
});

recoveryPages.get("/recoveries/:recoveryId", async (c: DashboardContext) => {
  const destination = await destinationOf(c);
  const recoveryId = c.req.param("recoveryId") ?? "";
  if (!destination || !RECOVERY_ID.test(recoveryId)) return notFoundPage(c);
  const recovery = await findRecovery(c.env, c.var.workspace.uuid, destination.id, recoveryId);
  if (!recovery) return notFoundPage(c);
  return c.render(<RecoveryPage destination={destination} recovery={recoveryJson(recovery)} />, {
    ...recoveryFrame,
    title: `Recovery · ${destination.name}`,
  });
});
