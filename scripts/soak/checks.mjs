// The soak's checks, on a snapshot of what the worker stored (read straight from its bindings: the
// history objects for events, deliveries and attempts, D1 for destinations) and the receiver's log.
// Each returns { ok, lines, failures } — `lines` are figures for the report, `failures` examples.
import { FAULTS, recordedAsExpected, timingExplains } from "./faults.mjs";

// Attempts that never send a request: the template did not render, or the rendered URL was refused.
const NOT_SENT = new Set(["template_error", "destination_blocked"]);
// The service's own event types (src/events/catalog.ts OPERATIONAL_EVENT_TYPES).
const OPERATIONAL = new Set([
  "destination.failing",
  "destination.recovered",
  "destination.disabled",
  "delivery.exhausted",
]);
// Clock readings taken on either side of an action and on the worker agree within this much.
const CLOCK_MARGIN_MS = 250;
// A 410 disables its destination in D1 as its workspace's object carries out the announcement, just
// after the attempt is recorded; events ingested this close to that moment may or may not have been
// fanned out to it.
const GONE_MARGIN_MS = 1_000;

const group = (rows, key) => {
  const map = new Map();
  for (const row of rows) {
    const k = key(row);
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(row);
  }
  return map;
};

const example = (list, item, max = 5) => {
  if (list.length < max) list.push(item);
};

/**
 * The history of workspaces, read from its Durable Objects through Miniflare's proxy (since migration
 * 0012 D1 keeps none): each workspace's partitions as its object lists them (a partition registers
 * before its first write), then each partition's census (src/history/object.ts). Stubs are kept: a new
 * one costs synchronous round trips through the proxy (getByName, then its method's first lookup), and
 * that synchronous fetcher has failed an internal assertion under load; calls on a stub are async.
 */
export async function historyReader(miniflare) {
  const namespaces = {
    WORKSPACE: await miniflare.getDurableObjectNamespace("WORKSPACE"),
    HISTORY: await miniflare.getDurableObjectNamespace("HISTORY"),
  };
  const stubs = new Map();
  const stub = (binding, name) => {
    const key = `${binding} ${name}`;
    if (!stubs.has(key)) stubs.set(key, namespaces[binding].getByName(name));
    return stubs.get(key);
  };
  const partitionsOf = async (uuid) =>
    (await stub("WORKSPACE", uuid).partitions()).map((p) => ({ workspaceUuid: uuid, ...p }));
  return {
    /** The workspaces' events (copies too, `copy_of` set), deliveries and attempts, as D1's tables had them. */
    async census(workspaceUuids) {
      const partitions = (await Promise.all(workspaceUuids.map(partitionsOf))).flat();
      const parts = await Promise.all(
        partitions.map((p) => stub("HISTORY", `${p.workspaceUuid}/${p.start}/${p.seconds}`).census(p)),
      );
      const rows = { events: [], deliveries: [], attempts: [] };
      parts.forEach(([events, deliveries, attempts], i) => {
        const ws = partitions[i].workspaceUuid;
        for (const e of events) rows.events.push(eventRow(ws, e));
        for (const d of deliveries) rows.deliveries.push(deliveryRow(d));
        for (const a of attempts) rows.attempts.push(attemptRow(a));
      });
      return rows;
    },
    /** How many recoveries these destinations have (their workspace's object keeps them). */
    async recoveryCount(destinations) {
      const lists = await Promise.all(
        destinations.map((d) => stub("WORKSPACE", d.workspace_uuid).recoveries(d.id, 1_000_000)),
      );
      return lists.reduce((sum, list) => sum + list.length, 0);
    },
  };
}

// The census's rows under D1's old column names, which the checks (and faults.mjs) read.
const eventRow = (workspaceUuid, e) => ({
  id: e.id,
  workspace_uuid: workspaceUuid,
  type: e.type,
  created_at: e.createdAt,
  copy_of: e.copyOf,
});
const deliveryRow = (d) => ({
  id: d.id,
  destination_id: d.destinationId,
  event_id: d.eventId,
  event_type: d.eventType,
  status: d.status,
  attempts_made: d.attemptsMade,
  next_attempt_at: d.nextAttemptAt,
  status_reason: d.statusReason,
  created_at: d.createdAt,
  updated_at: d.updatedAt,
});
const attemptRow = (a) => ({
  delivery_id: a.deliveryId,
  number: a.number,
  started_at: a.startedAt,
  response_status: a.responseStatus,
  error_class: a.errorClass,
  duration_ms: a.durationMs,
});

/** Reads the soak workspaces' rows: events, deliveries, attempts (history objects), destinations (D1). */
export async function snapshot({ db, history }, workspaceUuids) {
  const [stored, destinations] = await Promise.all([
    history.census(workspaceUuids),
    db
      .prepare(
        "SELECT id, enabled, disabled_reason, updated_at FROM destinations WHERE workspace_uuid IN (SELECT value FROM json_each(?1))",
      )
      .bind(JSON.stringify(workspaceUuids))
      .all(),
  ]);
  // One row per event, as D1 kept it: a copy (an event stored again in a later partition, beside new
  // deliveries of it there) is the same event.
  const events = stored.events.filter((e) => e.copy_of === null);
  return {
    at: Date.now(),
    events,
    deliveries: stored.deliveries,
    attempts: stored.attempts,
    destinations: destinations.results,
  };
}

/**
 * Whether destination `spec` was enabled when event `ingest` was stored: "yes", "no", or "either"
 * when a change to it was under way at that moment. `changes` are the PATCHes the soak made, with the
 * client's clock before and after; a 410 is dated by the worker (`goneAt`).
 */
function enabledAt(spec, ingest, createdAt, changes, goneAt) {
  let state = spec.enabled ? "yes" : "no";
  for (const change of changes) {
    if (change.done + CLOCK_MARGIN_MS < ingest.sentAt) state = change.enabled ? "yes" : "no";
    else if (change.sent - CLOCK_MARGIN_MS <= ingest.doneAt) return "either";
  }
  if (goneAt !== undefined) {
    if (createdAt > goneAt + GONE_MARGIN_MS) return "no";
    if (createdAt >= goneAt - GONE_MARGIN_MS) return "either";
  }
  return state;
}

/** 1. Every (event × destination subscribed and enabled at ingest) has exactly one delivery. */
export function checkFanOut({ plan, ingests, changes, snap }) {
  const failures = [];
  const byId = new Map(plan.map((spec) => [spec.id, spec]));
  const eventCreated = new Map(snap.events.map((e) => [e.id, e.created_at]));
  const goneAt = new Map(
    snap.destinations
      .filter((d) => !d.enabled && /410/.test(d.disabled_reason ?? ""))
      .map((d) => [d.id, d.updated_at]),
  );
  const perEvent = group(snap.deliveries, (d) => d.event_id);
  let expected = 0;
  let ambiguous = 0;
  let duplicates = 0;
  let missing = 0;
  let unexpected = 0;
  let answerMismatch = 0;
  const originals = ingests.filter((i) => i.status === 202 && !i.replayOf);
  for (const ingest of originals) {
    const actual = group(perEvent.get(ingest.eventId) ?? [], (d) => d.destination_id);
    for (const [destinationId, rows] of actual) {
      const spec = byId.get(destinationId);
      if (rows.length > 1) {
        duplicates += rows.length - 1;
        example(failures, `event ${ingest.eventId}: ${rows.length} deliveries to ${destinationId}`);
      }
      if (!spec || spec.workspace !== ingest.workspace || !spec.event_types.includes(ingest.body.type)) {
        unexpected++;
        example(
          failures,
          `event ${ingest.eventId} (${ingest.body.type}): a delivery to unsubscribed ${destinationId}`,
        );
      }
    }
    for (const spec of plan) {
      if (spec.workspace !== ingest.workspace || !spec.event_types.includes(ingest.body.type)) continue;
      const state = enabledAt(
        spec,
        ingest,
        eventCreated.get(ingest.eventId) ?? ingest.sentAt,
        changes.get(spec.d) ?? [],
        goneAt.get(spec.id),
      );
      const count = actual.get(spec.id)?.length ?? 0;
      if (state === "either") {
        ambiguous++;
        continue;
      }
      if (state === "yes") expected++;
      if (state === "yes" && count === 0) {
        missing++;
        example(
          failures,
          `event ${ingest.eventId} (seq ${ingest.seq}): no delivery to enabled destination ${spec.d}`,
        );
      } else if (state === "no" && count > 0) {
        unexpected++;
        example(
          failures,
          `event ${ingest.eventId} (seq ${ingest.seq}): a delivery to disabled destination ${spec.d}`,
        );
      }
    }
    // The ingest answer lists the deliveries it queued (up to 100): the same ones the history holds.
    const answered = new Set(ingest.deliveryIds);
    const stored = new Set((perEvent.get(ingest.eventId) ?? []).map((d) => d.id));
    if (answered.size !== stored.size || [...answered].some((id) => !stored.has(id))) {
      answerMismatch++;
      example(
        failures,
        `event ${ingest.eventId}: answered ${answered.size} deliveries, the history holds ${stored.size}`,
      );
    }
  }
  // No stored event or delivery that the soak did not cause. The service's own operational events
  // (docs/lifecycle.md: a receiver failing, recovering, disabled, a delivery exhausted) are expected
  // when receivers fail; no soak destination subscribes to them, so they fan out to nothing.
  const known = new Set(originals.map((i) => i.eventId));
  const operational = snap.events.filter((e) => !known.has(e.id) && OPERATIONAL.has(e.type));
  const strayEvents = snap.events.filter((e) => !known.has(e.id) && !OPERATIONAL.has(e.type)).length;
  const strayDeliveries = snap.deliveries.filter((d) => !known.has(d.event_id)).length;
  if (strayEvents || strayDeliveries)
    example(
      failures,
      `${strayEvents} stored events and ${strayDeliveries} deliveries match no ingested event`,
    );
  // The client's id, when it sent one, is the event's id in the answer (and so in the history, checked above).
  const renamed = originals.filter((i) => i.body.id !== undefined && i.eventId !== i.body.id);
  for (const r of renamed.slice(0, 3))
    example(failures, `event seq ${r.seq}: sent id ${r.body.id}, answered event_id ${r.eventId}`);
  const replays = ingests.filter((i) => i.replayOf);
  const badReplays = replays.filter(
    (r) => r.status !== 202 || r.eventId !== r.replayOf.eventId || r.replayedHeader !== "true",
  );
  for (const r of badReplays.slice(0, 3))
    example(
      failures,
      `replay of seq ${r.seq}: ${r.status}, event ${r.eventId} (first: ${r.replayOf.eventId})`,
    );
  const ok =
    !duplicates &&
    !missing &&
    !unexpected &&
    !answerMismatch &&
    !strayEvents &&
    !strayDeliveries &&
    !renamed.length &&
    !badReplays.length;
  return {
    ok,
    lines: [
      `${expected} expected (event, destination) pairs + ${ambiguous} decided while a change was under way`,
      `missing ${missing}, duplicates ${duplicates}, unexpected ${unexpected}, answer ≠ stored ${answerMismatch}`,
      `operational events ${operational.length}; stray events ${strayEvents}, stray deliveries ${strayDeliveries}; replays ${replays.length} (wrong ${badReplays.length}); client ids not kept ${renamed.length}`,
    ],
    failures,
  };
}

/** 2. Every delivery is in a final state with its reason, or pending with a retry scheduled. */
export function checkStates({ snap, graceMs }) {
  const failures = [];
  const attemptsOf = group(snap.attempts, (a) => a.delivery_id);
  const byStatus = {};
  let bad = 0;
  let overdue = 0;
  let gaps = 0;
  for (const d of snap.deliveries) {
    byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    const attempts = attemptsOf.get(d.id) ?? [];
    const reason = (d.status_reason ?? "").trim();
    let wrong = null;
    if (d.status === "succeeded") {
      if (attempts.at(-1)?.error_class !== null || !attempts.length)
        wrong = "succeeded without a successful last attempt";
    } else if (d.status === "failed" || d.status === "skipped") {
      if (!reason) wrong = `${d.status} without a reason`;
    } else if (d.status === "pending") {
      if (d.next_attempt_at === null) wrong = "pending with nothing scheduled";
      else if (d.next_attempt_at < snap.at - graceMs) {
        overdue++;
        wrong = `pending, due ${Math.round((snap.at - d.next_attempt_at) / 1000)} s ago`;
      }
    } else wrong = `status ${d.status}`;
    if (attempts.some((a, i) => a.number !== i + 1) || attempts.length !== d.attempts_made) {
      gaps++;
      wrong ??= `attempts ${attempts.map((a) => a.number).join(",")} but attempts_made ${d.attempts_made}`;
    }
    if (wrong) {
      bad++;
      example(failures, `delivery ${d.id}: ${wrong}`);
    }
  }
  return {
    ok: bad === 0,
    byStatus,
    overdue,
    lines: [
      `${snap.deliveries.length} deliveries: ${Object.entries(byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(", ")}`,
      `in a wrong state ${bad} (pending overdue > ${graceMs / 1000} s: ${overdue}; attempt numbering ≠ attempts_made: ${gaps})`,
    ],
    failures,
  };
}

/** 3. Attempts that sent a request = requests the receiver logged, delivery by delivery; and they agree. */
export function checkAttemptsMatchReceiver({ snap, log }) {
  const failures = [];
  const attemptsOf = group(snap.attempts, (a) => a.delivery_id);
  const requestsOf = group(log, (r) => r.id);
  const known = new Set(snap.deliveries.map((d) => d.id));
  let sentAttempts = 0;
  let mismatched = 0;
  let agree = 0;
  let timing = 0;
  let disagree = 0;
  const disagreements = {};
  for (const d of snap.deliveries) {
    const sent = (attemptsOf.get(d.id) ?? []).filter((a) => !NOT_SENT.has(a.error_class));
    const got = requestsOf.get(d.id) ?? [];
    sentAttempts += sent.length;
    if (sent.length !== got.length) {
      mismatched++;
      example(
        failures,
        `delivery ${d.id} (${d.status}): ${sent.length} attempts sent [${sent.map((a) => a.error_class ?? a.response_status).join(", ")}], receiver logged ${got.length} [${got.map((r) => r.fault).join(", ")}]`,
      );
      continue;
    }
    sent.forEach((attempt, i) => {
      const request = got[i];
      if (recordedAsExpected(request.fault, attempt, request.status)) agree++;
      else if (timingExplains(request.fault, attempt)) timing++;
      else {
        disagree++;
        const key =
          `${request.fault} recorded as ${attempt.error_class ?? "success"} ${attempt.response_status ?? ""}`.trim();
        disagreements[key] = (disagreements[key] ?? 0) + 1;
        example(
          failures,
          `delivery ${d.id} attempt ${attempt.number}: receiver ${request.fault} (${request.status}), recorded ${attempt.error_class ?? "success"} ${attempt.response_status ?? ""}`,
        );
      }
    });
  }
  const unknown = log.filter((r) => !known.has(r.id));
  if (unknown.length)
    example(
      failures,
      `${unknown.length} requests for ids that are no soak delivery, e.g. ${unknown[0].id} ${unknown[0].path}`,
    );
  return {
    ok: mismatched === 0 && unknown.length === 0 && disagree === 0,
    lines: [
      `attempts that sent a request ${sentAttempts}, receiver requests ${log.length}; deliveries that differ ${mismatched}, unknown ids ${unknown.length}`,
      `recorded outcome = the fault: ${agree}; explained by timing ${timing}; contradicting ${disagree}${disagree ? ` ${JSON.stringify(disagreements)}` : ""}`,
    ],
    failures,
  };
}

/** 4. Nothing is sent for a delivery after its success. */
export function checkNothingAfterSuccess({ snap, log }) {
  const failures = [];
  const attemptsOf = group(snap.attempts, (a) => a.delivery_id);
  const requestsOf = group(log, (r) => r.id);
  let afterRecordedSuccess = 0;
  let after2xx = 0;
  let after2xxExplained = 0;
  for (const d of snap.deliveries) {
    const attempts = attemptsOf.get(d.id) ?? [];
    const requests = requestsOf.get(d.id) ?? [];
    const success = attempts.findIndex((a) => a.error_class === null);
    if (success >= 0) {
      const sentUpTo = attempts.slice(0, success + 1).filter((a) => !NOT_SENT.has(a.error_class)).length;
      if (requests.length > sentUpTo || attempts.length > success + 1) {
        afterRecordedSuccess++;
        example(
          failures,
          `delivery ${d.id}: success at attempt ${success + 1}, then ${requests.length - sentUpTo} more request(s)`,
        );
      }
    }
    // The receiver's view: a request after one it answered 2xx in full.
    const answered = requests.findIndex((r) => r.answered2xx);
    if (answered >= 0 && answered < requests.length - 1) {
      const recorded = attempts.filter((a) => !NOT_SENT.has(a.error_class))[answered];
      if (recorded && recorded.error_class !== null) after2xxExplained++;
      else after2xx++;
    }
  }
  return {
    ok: afterRecordedSuccess === 0 && after2xx === 0,
    lines: [
      `sent again after a recorded success: ${afterRecordedSuccess}`,
      `receiver: sent again after a 2xx answer ${after2xx + after2xxExplained} (the worker had recorded that answer as a failure: ${after2xxExplained})`,
    ],
    failures,
  };
}

/** Receiver requests by fault, with what each fault means. */
export function faultFigures(log) {
  const counts = {};
  for (const r of log) counts[r.fault] = (counts[r.fault] ?? 0) + 1;
  return Object.keys(FAULTS)
    .filter((fault) => counts[fault])
    .map((fault) => [fault, counts[fault], FAULTS[fault].does]);
}

/** Attempts by error class ("success" for none). */
export function attemptFigures(snap) {
  const counts = {};
  for (const a of snap.attempts) {
    const key = a.error_class ?? "success";
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * How long retries took: the gaps between attempts 1 and 2 (Retry-After answers aside) and 2 and 3.
 * The schedule puts attempt 3 at least 240 s after attempt 2 (5 min − 20 %) and a backlog only
 * delays it more, so a shorter gap shows DEV_RETRY_SPEEDUP at work; a pending delivery due more than
 * 200 s ahead shows it is not.
 */
export function retrySpeed(snap) {
  const attemptsOf = group(snap.attempts, (a) => a.delivery_id);
  const first = [];
  const second = [];
  for (const [a1, a2, a3] of attemptsOf.values()) {
    if (a1 && a2 && a1.response_status !== 429) first.push(a2.started_at - a1.started_at);
    if (a2 && a3 && a2.response_status !== 429) second.push(a3.started_at - a2.started_at);
  }
  first.sort((a, b) => a - b);
  second.sort((a, b) => a - b);
  const farAhead = snap.deliveries.some(
    (d) => d.status === "pending" && d.next_attempt_at > snap.at + 200_000,
  );
  const accelerated = second.some((gap) => gap < 200_000) ? true : farAhead ? false : null;
  return { first, second, accelerated };
}
