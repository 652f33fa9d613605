// 10. Flow control: a healthy workspace's delivery latency behind a hanging one, with the same
// workspace's latency alone (the baseline, measured in the same run); and what waiting costs a delivery
// of a failing destination: queue operations and rows written (the objects' SQLite and D1), from the
// instrumented copy (bench/instrumented.js meters the consumer, the API, the lanes and every object alike).
import { startReceiver as startScriptedReceiver } from "../test/e2e/receiver.mjs";
import { createWorkspace, refsOf } from "./api.mjs";
import { objectStatements, objectSums } from "./cost.mjs";
import { sleep, startPipeline, summary } from "./lib.mjs";
import { deliveryRows, healthOf, setDirect } from "./objects.mjs";

const ROUNDS = 16;
const GAP_MS = 250;
const HANGING = 12;
const WAITING = 200;

async function destination(p, ws, url, extra = {}) {
  const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/destinations`, {
    token: ws.key,
    body: { name: "d", method: "POST", url_template: url, event_types: ["contact.updated"], ...extra },
    expect: 201,
  });
  return json.id;
}

let seq = 0;
const ingest = (p, ws) =>
  p.client("POST", `/v1/workspaces/${ws.uuid}/events`, {
    token: ws.key,
    body: { id: `iso-${++seq}`, type: "contact.updated", contact: { _id: `ct_${seq}`, attributes: {} } },
    expect: 202,
  });

/** ROUNDS rounds GAP_MS apart: `before` (the neighbour's event, if any), then one H event, timed. */
async function rounds(p, h, healthy, before) {
  const startedAt = new Map();
  const seen = healthy.requests.length;
  for (let r = 0; r < ROUNDS; r++) {
    if (before) await before();
    const t = Date.now();
    const { json } = await ingest(p, h);
    startedAt.set(json.event_id, t);
    await sleep(GAP_MS);
  }
  const arrivals = (await healthy.waitFor(seen + ROUNDS, 70_000)).slice(seen);
  return summary(arrivals.map((a) => a.receivedAt - startedAt.get(JSON.parse(a.body).event.id)));
}

/** H alone, then H behind S's 12 destinations that never answer (5 s timeout), on one worker. */
export async function isolation(worker) {
  const p = await startPipeline(worker);
  const healthy = await startScriptedReceiver();
  const dead = await startScriptedReceiver({ hang: true });
  try {
    const h = await createWorkspace(p, "H");
    await destination(p, h, `${healthy.url}/h`);
    const alone = await rounds(p, h, healthy);
    const s = await createWorkspace(p, "S");
    for (let i = 0; i < HANGING; i++) await destination(p, s, `${dead.url}/s/${i}`, { timeout_seconds: 5 });
    const behind = await rounds(p, h, healthy, () => ingest(p, s));
    return { rounds: ROUNDS, gapMs: GAP_MS, hanging: HANGING, alone, behind };
  } finally {
    await healthy.close();
    await dead.close();
    await p.mf.dispose();
  }
}

const stats = async (p) => (await fetch(`${p.url}/__bench/stats`)).json();

/** Queue operations and rows written (objects and D1) by everything that ran, per delivery. */
function costOf(s, deliveries) {
  const sum = (list, f) => list.reduce((n, x) => n + f(x), 0);
  const d1 = [...s.requests, ...s.batches].flatMap((r) => r.d1).concat(s.objects.io.d1);
  const sends = [...s.requests, ...s.batches].flatMap((r) => r.sends).concat(s.lanes.sends);
  const writes = sum(sends, (x) => x.messages);
  const batches = s.batches.filter((b) => b.queue === "leadpush-deliveries");
  const reads = sum(batches, (b) => b.size);
  const deletes = sum(batches, (b) => b.acked + (b.implicitlyAcked ?? 0));
  const where = objectStatements(s)
    .filter((x) => x.rowsWritten > 0)
    .sort((a, b) => b.rowsWritten - a.rowsWritten)
    .map((x) => ({ where: x.where, sql: x.sql, perDelivery: x.rowsWritten / deliveries }));
  return {
    queueOperations: (writes + reads + deletes) / deliveries,
    rowsWritten: (sum(d1, (e) => e.rowsWritten) + objectSums(s).rowsWritten) / deliveries,
    where,
  };
}

/** Waits until every one of these deliveries (refs of workspace `ws`) has succeeded. */
async function allSucceeded(p, ws, refs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await deliveryRows(p, ws.uuid, refs);
    const n = rows.filter((r) => r.status === "succeeded").length;
    if (n >= refs.length) return;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${refs.length} deliveries succeeded`);
    await sleep(100);
  }
}

/**
 * WAITING deliveries that arrive while their destination is failing, wait, and go out when it recovers,
 * against the same number of first-try deliveries to a healthy destination (the baseline). Retry and
 * probe delays are divided by 60 (DEV_RETRY_SPEEDUP) so the outage is seconds long; what is counted does
 * not depend on its length.
 */
export async function waitingCost(worker) {
  const p = await startPipeline(worker, { instrumented: true, vars: { DEV_RETRY_SPEEDUP: "60" } });
  let up = false;
  const flaky = await startScriptedReceiver(() => ({ status: up ? 200 : 503 }));
  const healthy = await startScriptedReceiver();
  try {
    const w = await createWorkspace(p, "waiting");
    const ok = await destination(p, w, `${healthy.url}/ok`);
    await setDirect(p, w.uuid, [ok]);
    await stats(p);
    const okRefs = [];
    for (let i = 0; i < WAITING; i++) okRefs.push(...refsOf((await ingest(p, w)).json));
    await allSucceeded(p, w, okRefs, 30_000);
    await sleep(300);
    const firstTry = costOf(await stats(p), WAITING);

    // Make the other destination failing, then count only what its waiting deliveries cost.
    const f = await createWorkspace(p, "failing");
    const failing = await destination(p, f, `${flaky.url}/f`);
    const failingRefs = [];
    for (let i = 0; i < 12; i++) failingRefs.push(...refsOf((await ingest(p, f)).json));
    while ((await healthOf(p, f.uuid, failing)).consecutiveFailures < 10) await sleep(50);
    await sleep(500);
    await stats(p); // the run-up is not counted
    for (let i = 0; i < WAITING; i++) failingRefs.push(...refsOf((await ingest(p, f)).json));
    await sleep(3_000); // they wait
    const probesWhileWaiting = flaky.requests.length;
    up = true;
    await allSucceeded(p, f, failingRefs, 60_000);
    await sleep(300);
    const waited = costOf(await stats(p), WAITING);
    return {
      deliveries: WAITING,
      firstTry,
      waited,
      extra: {
        queueOperations: waited.queueOperations - firstTry.queueOperations,
        rowsWritten: waited.rowsWritten - firstTry.rowsWritten,
      },
      requestsDuringOutage: probesWhileWaiting,
    };
  } finally {
    await flaky.close();
    await healthy.close();
    await p.mf.dispose();
  }
}

export function isolationLines(iso, cost) {
  const lines = [];
  if (iso) {
    const f = (s) => `p50 ${s.median.toFixed(0)} ms, max ${s.max.toFixed(0)} ms`;
    lines.push(
      `10. isolation: a healthy workspace's delivery latency (${iso.rounds} rounds, ${iso.gapMs} ms apart)`,
      `  alone (baseline, same run):                                 ${f(iso.alone)}`,
      `  behind ${iso.hanging} destinations that never answer (5 s timeout):    ${f(iso.behind)}  (target: max <= 2000 ms)`,
    );
  }
  if (cost) {
    const n = (x) => x.toFixed(2);
    lines.push(
      `11. cost of waiting (${cost.deliveries} deliveries that wait out an outage of their destination, then succeed)`,
      `  first-try delivery (baseline):  ${n(cost.firstTry.queueOperations)} queue ops, ${n(cost.firstTry.rowsWritten)} rows written`,
      `  waited, then delivered:         ${n(cost.waited.queueOperations)} queue ops, ${n(cost.waited.rowsWritten)} rows written`,
      `  cost of waiting:                ${n(cost.extra.queueOperations)} queue ops, ${n(cost.extra.rowsWritten)} rows written per waiting delivery (target <= 3 each; rows: the objects' SQLite and D1)`,
      "  rows written per waited delivery, by statement (largest first):",
      ...cost.waited.where.slice(0, 8).map((x) => `    ${x.perDelivery.toFixed(3)}  ${x.where}: ${x.sql}`),
    );
  }
  return lines;
}
