// The figures table: one row per figure with its target and PASS/MISS, from the results of the sections
// that ran (BENCH_ONLY may skip some; their rows are left out).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { priceFormula } from "./cost.mjs";
import { median, root, summary } from "./lib.mjs";
import { PARTS } from "./per-delivery.mjs";
import {
  CONCURRENCY,
  DELIVERIES,
  EVENTS,
  FANOUT,
  INGEST_SAMPLES,
  RENDER_N,
  SINGLE,
  UNSUBSCRIBED,
} from "./workload.mjs";

const pick = (list, key) => list.map((x) => x[key]);
const rate = (list) => summary(pick(list, "rate"));
const range = (s, digits = 0) =>
  `${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)})`;
const med = (list, key, digits = 0) => median(pick(list, key)).toFixed(digits);
const KiB = 1024;

/** The revocation bound src/ states for other isolates' key caches (KEY_CACHE_TTL_MS), if it has one. */
function keyCacheBound() {
  for (const file of [join("src", "limits.ts"), join("src", "workspaces", "key-cache.ts")]) {
    try {
      const ttl = /KEY_CACHE_TTL_MS\s*=\s*([\d_]+)/.exec(readFileSync(join(root, file), "utf8"))?.[1];
      if (ttl) return `up to KEY_CACHE_TTL_MS = ${Number(ttl.replaceAll("_", "")) / 1000} s (${file})`;
    } catch {}
  }
  return "no stated TTL found in src/";
}

/** Ingest phase, drain phase, and workerd CPU of a throughput figure (medians of runs). */
const split = (list) =>
  `ingest ${med(list, "ingestMs")} ms (${med(list, "arrivedDuringIngest")} arrived meanwhile) + ` +
  `drain ${med(list, "drainMs")} ms at ${med(list, "drainRate")}/s; workerd CPU ${med(list, "workerdCpuMs")} ms, ` +
  `its busiest thread ${med(list, "busiestThreadPct")}% of wall`;

/** "succeeded=2000 attempts=2000 in every run", or each run's counts. */
function checks(list) {
  const lines = list.map(
    (x) =>
      `${Object.entries(x.check.byStatus)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")} attempts=${x.check.attempts}`,
  );
  const ok = list.every(
    (x) =>
      x.check.byStatus.succeeded === DELIVERIES &&
      Object.keys(x.check.byStatus).length === 1 &&
      x.check.attempts === DELIVERIES,
  );
  return { text: lines.every((c) => c === lines[0]) ? `${lines[0]} in every run` : lines.join("; "), ok };
}

export function buildRows(r) {
  const rows = [];
  const row = (id, figure, value, target = "", ok = null, raw = undefined) =>
    rows.push({ id, figure, value, target, result: ok === null ? "info" : ok ? "PASS" : "MISS", raw });

  const t = r.throughput;
  if (t) {
    const pipeRate = rate(t.pipeline);
    const floorRate = rate(t.floor);
    const b2Rate = rate(t.baselineQueue);
    const b2bRate = rate(t.baselineQueueD1);
    const b1Rate = rate(t.baselineFetch);
    const pairedFloor = summary(t.pipeline.map((x, i) => x.rate / t.floor[i].rate));
    const pairedB2 = summary(t.pipeline.map((x, i) => x.rate / t.baselineQueue[i].rate));
    const pipeCheck = checks(t.pipeline);
    const floorCheck = checks(t.floor);
    row(
      "1",
      "pipeline deliveries/s (first ingest start → last arrival)",
      range(pipeRate),
      "",
      null,
      pipeRate,
    );
    row("1", "  phases (medians)", split(t.pipeline));
    row(
      "1",
      `  POST /events accepted per second at c=${CONCURRENCY}`,
      range(summary(pick(t.pipeline, "ingestRate"))),
    );
    row(
      "1",
      "pipeline ingest→arrival latency p50, ms (median of runs)",
      range(summary(pick(t.pipeline, "p50")), 1),
    );
    row(
      "1",
      "pipeline ingest→arrival latency p99, ms (median of runs)",
      range(summary(pick(t.pipeline, "p99")), 1),
    );
    row(
      "1",
      "history objects after each run: every delivery succeeded, one attempt each",
      `${pipeCheck.text}; receiver saw ${r.duplicates} duplicate(s)`,
      `succeeded=${DELIVERIES}`,
      pipeCheck.ok,
    );
    row(
      "1",
      "  last arrival → all outcomes recorded in their partitions, ms",
      range(summary(pick(t.pipeline, "recordedAfterMs")), 1),
    );
    row(
      "1",
      "contract floor: the contract's storage (one SQLite Durable Object) + queue work only, deliveries/s",
      range(floorRate),
      "",
      null,
      floorRate,
    );
    row("1", "  phases (medians)", split(t.floor));
    row(
      "1",
      "  contract floor's object after each run",
      floorCheck.text,
      `succeeded=${DELIVERIES}`,
      floorCheck.ok,
    );
    row(
      "1",
      "ratio pipeline / contract floor (medians; paired per run min–max)",
      `${(pipeRate.median / floorRate.median).toFixed(2)} (${pairedFloor.min.toFixed(2)}–${pairedFloor.max.toFixed(2)})`,
      "≥ 0.8",
      pipeRate.median / floorRate.median >= 0.8,
    );
    row("1", "  ratio contract floor / baseline 2 (medians)", (floorRate.median / b2Rate.median).toFixed(2));
    row(
      "3",
      `baseline 1: bare worker fetch loop, fetches/s (n=${DELIVERIES}, c=${CONCURRENCY})`,
      range(b1Rate),
      "",
      null,
      b1Rate,
    );
    row(
      "4",
      "baseline 2: bare queue consumer (fetch + ack, no D1), deliveries/s",
      range(b2Rate),
      "",
      null,
      b2Rate,
    );
    row("4", "  phases (medians)", split(t.baselineQueue));
    row(
      "4",
      "ratio pipeline / baseline 2 (medians; paired per run min–max)",
      `${(pipeRate.median / b2Rate.median).toFixed(2)} (${pairedB2.min.toFixed(2)}–${pairedB2.max.toFixed(2)})`,
      "none (was ≥ 0.8; replaced by the contract floor)",
    );
    row("4", "ratio pipeline / baseline 1 (medians)", (pipeRate.median / b1Rate.median).toFixed(2));
    row(
      "4",
      "  baseline 2 ingest→arrival latency p50 / p99, ms",
      `${med(t.baselineQueue, "p50", 1)} / ${med(t.baselineQueue, "p99", 1)}`,
    );
    row(
      "4",
      "baseline 2b: baseline 2 + 2 D1 calls per produce and per batch (trivial SQL), deliveries/s",
      range(b2bRate),
      "",
      null,
      b2bRate,
    );
    row("4", "  phases (medians)", split(t.baselineQueueD1));
    row("4", "ratio pipeline / baseline 2b (medians)", (pipeRate.median / b2bRate.median).toFixed(2));
    const send = rate(t.sendLoop);
    const bare = rate(t.sendLoopBare);
    row(
      "4",
      "consumer send phase alone (per-delivery work + src sendRequest, no queue, no D1), deliveries/s",
      range(send),
    );
    row(
      "4",
      "  the same with a bare fetch + arrayBuffer() instead of sendRequest, deliveries/s",
      `${range(bare)}: sendRequest's own work ≈ ${(1e6 / send.median - 1e6 / bare.median).toFixed(0)} µs per delivery of the thread`,
    );
    row(
      "4",
      "D1 round trip from a worker, sequential `SELECT ?1`, µs per call",
      range(t.d1Call, 0),
      "",
      null,
      t.d1Call,
    );
    if (t.doCall)
      row(
        "4",
        "Durable Object round trip from a worker, sequential RPC to a method that does nothing, µs per call",
        range(t.doCall, 0),
        "",
        null,
        t.doCall,
      );
  }

  const u = r.latency;
  if (u) {
    row(
      "2",
      `unloaded latency, 1 event → 1 destination, ms (n=${SINGLE}): median`,
      u.one.latency.median.toFixed(1),
      "≤ 5 ms",
      u.one.latency.median <= 5,
      u.one.latency,
    );
    row("2", "  p90, ms", u.one.latency.p90.toFixed(1));
    // The machine's state moves every unloaded figure together (the floor's own has ranged 3.4-7.2 ms):
    // the pipeline's distance to the contract floor, the two taking turns sample by sample, is steadier.
    // When the floor alone is over the target, no implementation of the contract could meet it in this
    // run: the row says so, and the verdict above stays what it is.
    const floorOver = u.floor.median > 5 ? ", itself over the 5 ms target on this host now" : "";
    row(
      "2",
      "  minus the contract floor's unloaded latency, the two taking turns (median of the paired differences), ms",
      `${(u.one.pairedDifference?.median ?? u.one.latency.median - u.floor.median).toFixed(1)} ` +
        `(floor ${u.floor.median.toFixed(1)}${floorOver})`,
    );
    row("2", "  of which the POST /events round trip (median), ms", u.one.ingest.median.toFixed(2));
    row("2", "  reference: GET /healthz round trip (median), ms", u.one.healthz.median.toFixed(2));
    const ds = r.diagnostics?.single;
    if (ds) {
      // From the instrumented copy, request by request: its wrapper only adds to the overhead.
      row(
        "2",
        "  the same from the instrumented copy (its storage time read inside workerd, whose clock has ms steps), ms",
        `${ds.overheadMs.toFixed(2)} (POST median ${ds.unloaded.ingest.median.toFixed(2)}, storage mean ${ds.ingestD1MeanMs.toFixed(2)} over ${ds.ingestD1Calls} call(s), healthz ${ds.unloaded.healthz.median.toFixed(2)})`,
      );
      const nd = ds.noDelivery;
      row(
        "2",
        "  the same for an event no destination subscribes to (no queue message, no consumer on the thread), ms",
        `${nd.overheadMs.toFixed(2)} (POST median ${nd.post.median.toFixed(2)}, storage mean ${nd.d1MeanMs.toFixed(2)})`,
      );
    }
    // The storage time, as a bare worker pays it for the same write (the floor's POST with no queue send,
    // minus its bare GET), measured from outside at full resolution.
    const st = u.floorStore;
    const stAlone = u.floorStoreAlone;
    const alone = u.alone.post.median - u.alone.healthz.median - stAlone.store;
    row(
      "2",
      "ingest overhead: POST /events − GET /healthz − the same history write's time in a bare worker, ms (an event no destination subscribes to: the ingest path alone)",
      `${alone.toFixed(2)} (POST ${u.alone.post.median.toFixed(2)}, healthz ${u.alone.healthz.median.toFixed(2)}, write ${stAlone.store.toFixed(2)} = floor POST of the event row only ${stAlone.post.median.toFixed(2)} − its GET ${stAlone.ping.median.toFixed(2)})`,
      "≤ 1.5 ms",
      alone <= 1.5,
    );
    const shared = u.one.ingest.median - u.one.healthz.median - st.store;
    row(
      "2",
      "  the same for the event of the latency figure (1 delivery: locally its consumer runs on the same thread as the answer)",
      `${shared.toFixed(2)} (POST ${u.one.ingest.median.toFixed(2)}, healthz ${u.one.healthz.median.toFixed(2)}, write ${st.store.toFixed(2)} = floor POST of the event and its delivery ${st.post.median.toFixed(2)} − its GET ${st.ping.median.toFixed(2)})`,
    );
    row(
      "2",
      "  reference: the contract floor's POST /events round trip (its object's write and its sendBatch), ms",
      u.floor.request.median.toFixed(2),
    );
    const rv = u.revocation;
    row(
      "2",
      "revoked API key, next POST /events at once (same isolate): status before → after revoking",
      `${rv.before} → ${rv.after}; other isolates: ${keyCacheBound()}`,
      "401",
      rv.after === 401,
    );
    row(
      "2",
      "  reference: baseline 2 / 2b / contract floor, request → arrival, unloaded (median), ms",
      `${u.b2.median.toFixed(1)} / ${u.b2b.median.toFixed(1)} / ${u.floor.median.toFixed(1)}`,
    );
  }

  const w = r.perDelivery;
  if (w) {
    row(
      "5",
      `per-delivery work before the send, µs (n=${RENDER_N}: keys, parse per event, render, URL policy, sign, headers)`,
      range(w.work, 2),
      "≤ 15 µs",
      w.work.median <= 15,
      w.work,
    );
    row("5", "  of which src/dispatch/attempt.ts signedRequest alone, µs", range(w.signed, 2));
    row(
      "5",
      "  part: JSON.parse(stored payload), once per event per batch (÷ 10 deliveries), µs",
      range(w["part-parse"], 2),
    );
    row("5", "  part: renderRequest, µs", range(w["part-render"], 2));
    row("5", "  part: rendered-URL policy, checkRenderedUrl(new URL(url)), µs", range(w["part-url"], 2));
    row("5", "  part: signingKeysFor (cached keys), µs", range(w["part-keys"], 2));
    row("5", "  part: signPayload, µs", range(w["part-sign"], 2));
    row("5", "  part: deliveryHeaders, µs", range(w["part-headers"], 2));
    const parts = PARTS.reduce((s, m) => s + w[m].median, 0);
    row("5", "  sum of the parts (medians), µs", parts.toFixed(2));
    row(
      "5",
      `render + sign per delivery, µs (n=${RENDER_N}, key imported once)`,
      range(w.render, 2),
      "≤ 20 µs",
      w.render.median <= 20,
      w.render,
    );
    row("5", "  JSON.parse(stored payload) + render + sign, µs", range(w.parse, 2));
    row("5", "  baseline: JSON.stringify(payload) + sign only, µs", range(w.baseline, 2));
  }

  const f = r.fanout;
  if (f) {
    row(
      "6",
      `POST /events, 10 subscribed + ${UNSUBSCRIBED.toLocaleString("en")} unsubscribed destinations, ms (median, n=${INGEST_SAMPLES})`,
      `${f.big.median.toFixed(2)} (p90 ${f.big.p90.toFixed(2)})`,
    );
    row(
      "6",
      "POST /events, only 10 destinations, ms (median)",
      `${f.small.median.toFixed(2)} (p90 ${f.small.p90.toFixed(2)})`,
    );
    row(
      "6",
      "ratio 10,000 destinations / 10 destinations",
      (f.big.median / f.small.median).toFixed(2),
      "≤ 1.2",
      f.big.median / f.small.median <= 1.2,
    );
    row(
      "6",
      `POST /events, ${f.filteredDestinations.toLocaleString("en")} subscribed destinations with filters (10 match), ms (median)`,
      `${f.filtered.median.toFixed(2)} (p90 ${f.filtered.p90.toFixed(2)})`,
    );
    row(
      "6",
      "ratio filtered fan-out / unfiltered fan-out (10 + 9,990 unsubscribed)",
      (f.filtered.median / f.big.median).toFixed(2),
      "≤ 1.3",
      f.filtered.median / f.big.median <= 1.3,
    );
  }

  const h = r.history;
  if (h) {
    row(
      "7",
      `history page 1 (limit=50, ${h.rows.toLocaleString("en")} deliveries), ms (median)`,
      h.page1.median.toFixed(2),
    );
    row("7", "history page 90,000 deep (cursor), ms (median)", h.deep.median.toFixed(2));
    row(
      "7",
      "ratio deep / page 1",
      (h.deep.median / h.page1.median).toFixed(2),
      "≤ 1.2",
      h.deep.median / h.page1.median <= 1.2,
    );
    row("7", "?status=failed page 1, ms (median)", h.failedPage1.median.toFixed(2));
    row("7", "?status=failed 90,000 deep, ms (median)", h.failedDeep.median.toFixed(2));
    row(
      "7",
      "ratio deep / page 1 with ?status=failed",
      (h.failedDeep.median / h.failedPage1.median).toFixed(2),
      "≤ 1.2",
      h.failedDeep.median / h.failedPage1.median <= 1.2,
    );
  }

  const c = r.cost;
  if (c) {
    const fc = c.firstTry;
    const rt = c.retirement;
    const n2 = (x) => x.toFixed(2);
    const n3 = (x) => x.toFixed(3);
    row(
      "8",
      `rows written per first-try delivery (${EVENTS} events × ${FANOUT}, all 200; objects' SQLite + D1): ingest + consumer = total`,
      `${n3(fc.ingest.rowsWritten + fc.ingest.d1.rowsWritten)} + ${n3(fc.consumer.rowsWritten + fc.consumer.d1.rowsWritten)} = ${n3(fc.total.rowsWritten)}`,
      "",
      null,
    );
    if (rt) {
      const withRetire = fc.total.rowsWritten + c.priceInputs.retireRowsWritten;
      row(
        "8",
        "rows written per first-try delivery, its retirement included (deleteAll billed as 1 row per partition: assumption)",
        `${n3(withRetire)} (the partition's whole life, measured: ${n3(rt.lifetime.perDelivery)} over ${rt.deliveries} deliveries, its fixed rows included)`,
        "≤ 3",
        withRetire <= 3 && fc.firstTry && !fc.unmetered,
      );
      row(
        "8",
        "  if a deleteAll were billed as a DELETE of every row it removes (not documented)",
        rt.deleteAllRowsPerDelivery === null
          ? "no retirement seen"
          : `${n3(fc.total.rowsWritten + rt.deleteAllRowsPerDelivery)} (+${n3(rt.deleteAllRowsPerDelivery)})`,
      );
      row(
        "8",
        `  retirement: a ${rt.partitionSeconds} s partition kept ${rt.retainSeconds} s, deleted whole by its alarm`,
        rt.retired
          ? `${rt.retired.rows} rows in ${rt.retired.tables} tables + ${rt.retired.kvEntries} KV entries, ${rt.retired.bytes} → ${rt.retired.bytesAfter} bytes; its event then answers ${rt.eventAfter}`
          : "not retired within 60 s",
        "404",
        rt.retired !== null && rt.eventAfter === 404,
      );
    }
    row(
      "8",
      "  rows read per delivery: ingest + consumer = total",
      `${n2(fc.ingest.rowsRead + fc.ingest.d1.rowsRead)} + ${n2(fc.consumer.rowsRead + fc.consumer.d1.rowsRead)} = ${n2(fc.total.rowsRead)}`,
    );
    row(
      "8",
      "  D1 (control plane) per delivery: rows written, rows read, round trips",
      `${n3(fc.ingest.d1.rowsWritten + fc.consumer.d1.rowsWritten)}, ${n3(fc.ingest.d1.rowsRead + fc.consumer.d1.rowsRead)}, ${n3(fc.ingest.d1.roundTrips + fc.consumer.d1.roundTrips)}`,
    );
    row(
      "8",
      "  Durable Object requests per delivery: the ingest's + the consumer's RPC calls; all billed (the objects' own calls and alarms too)",
      `${n3(fc.ingest.rpc)} + ${n3(fc.consumer.rpc)}; ${n3(fc.total.objectRequests)}`,
    );
    row(
      "8",
      "  queue operations per delivery: written + read + acked (deleted)",
      `${n2(fc.queue.writes)} + ${n2(fc.queue.reads)} + ${n2(fc.queue.deletes)} = ${n2(fc.queue.total)}`,
    );
    row(
      "8",
      "  Worker requests per delivery: ingest + consumer invocations",
      `${fc.requests.ingest.toFixed(4)} + ${fc.requests.consumer.toFixed(4)} = ${fc.requests.total.toFixed(4)} (mean batch ${fc.requests.meanBatch.toFixed(1)})`,
    );
    row(
      "8",
      "  bytes stored per delivery (the partition object's database growth; its workspace object's)",
      `${fc.bytesPerDelivery.toFixed(0)}; ${fc.workspaceBytesPerDelivery.toFixed(0)}`,
    );
    row(
      "8",
      "  workerd CPU per delivery, ms (whole process incl. local objects, D1 and queue broker: an upper bound)",
      fc.workerdCpuMsPerDelivery.toFixed(3),
    );
    row(
      "8",
      `price per million first-try deliveries, list prices (${c.prices.retrieved})`,
      `$${c.price.total.toFixed(2)}` +
        (c.pessimistic ? ` ($${c.pessimistic.total.toFixed(2)} if a deleteAll is billed per row)` : ""),
      "≤ $5",
      c.price.total <= 5,
    );
  }

  const mo = r.model?.run;
  if (mo) {
    const res = mo.results;
    const f0 = (x) => Math.round(x).toLocaleString("en");
    const one = res.newBatch[0];
    row(
      "12",
      "production model: one workspace, batches of 100 events (fan-out 10), deliveries/s",
      `${f0(one.deliveriesPerSecond)} (then ${one.saturated}); its own ceiling without the queue's limit ${f0(mo.workspaceCeiling.deliveriesPerSecond)}`,
      "≥ 2,000",
      one.deliveriesPerSecond >= 2000,
    );
    for (const [i, n] of mo.results.old.map((x) => x.workspaces).entries())
      row(
        "12",
        `  ${n} busy workspace${n > 1 ? "s" : ""}: old layout → new (one event per request; batches of 100), deliveries/s`,
        `${f0(res.old[i].deliveriesPerSecond)} (${res.old[i].saturated}) → ${f0(res.newSingle[i].deliveriesPerSecond)}; ${f0(res.newBatch[i].deliveriesPerSecond)} (${res.newBatch[i].saturated})`,
      );
    // Proportional up to the queues': the configured topology (one queue, 5,000 messages/s).
    const queueLimit = mo.model.queueMessagesPerSecond;
    const expected = (n) => Math.min(n * mo.workspaceCeiling.deliveriesPerSecond, queueLimit);
    const grows = res.newBatch.every((x) => x.deliveriesPerSecond >= 0.95 * expected(x.workspaces));
    row(
      "12",
      "  ceiling ≥ 95 % of min(workspaces × one workspace's own, the queue's 5,000 messages/s), at 1, 4, 16, 64",
      res.newBatch.map((x) => `${f0(x.deliveriesPerSecond)} / ${f0(expected(x.workspaces))}`).join(", "),
      "grows to the queue's",
      grows,
    );
    const q = res.newBatchQueues;
    row(
      "12",
      "  with one queue per workspace (not configured): deliveries/s at 1, 4, 16, 64, and what saturates",
      q.map((x) => `${f0(x.deliveriesPerSecond)} (${x.saturated})`).join(", "),
    );
  }

  const b = r.bundle;
  if (b) {
    const { size, startup } = b;
    row(
      "9",
      "bundle dist/index.js: raw / gzip (node:zlib level 9), KiB",
      `${(size.rawBytes / KiB).toFixed(1)} / ${(size.gzipBytes / KiB).toFixed(1)}`,
      "gzip < 260 KiB (issue 26)",
      size.gzipBytes < 260 * KiB,
    );
    if (size.wranglerLine) row("9", "  wrangler's own report", size.wranglerLine);
    if (size.unminified)
      row(
        "9",
        "  the same unminified (`--no-minify`; wrangler.toml sets `minify = true`): raw / gzip, KiB",
        `${(size.unminified.rawBytes / KiB).toFixed(1)} / ${(size.unminified.gzipBytes / KiB).toFixed(1)}`,
      );
    if (size.origins)
      row(
        "9",
        "  largest parts of the bundle (esbuild metafile, raw KiB)",
        size.origins
          .slice(0, 6)
          .map((o) => `${o.origin} ${(o.bytes / KiB).toFixed(0)}`)
          .join(", "),
      );
    row(
      "9",
      "start-up CPU, ms (`wrangler check startup` profile: non-idle samples; 5 runs)",
      startup.ok
        ? range(startup.cpuMs, 1)
        : `not measured: ${startup.printed.replace(/\s+/g, " ").slice(0, 200)}`,
    );
  }
  // By figure number, keeping each section's order (the sort is stable).
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

export function printTable(rows) {
  const headers = ["#", "figure", "value", "target", "result"];
  const cells = rows.map((r) => [r.id, r.figure, r.value, r.target, r.result]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((x, i) => String(x).padEnd(widths[i])).join(" | ")} |`;
  console.log("");
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

/** Cost details printed under the table: rows per statement and per method, the retirement, the price. */
export function costLines(c) {
  const lines = [];
  const fc = c.firstTry;
  if (fc.unmetered)
    lines.push("  WARNING: D1 rows could not be counted (workerd's D1 client changed); D1 rows show 0.");
  lines.push(
    `  first-try check: ${Object.entries(fc.check.byStatus)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        " ",
      )} attempts=${fc.check.attempts}, retried ${fc.queue.retried}, other requests/batches recorded ${fc.otherRecords}`,
  );
  lines.push("  rows per delivery by statement (written / read, statements per delivery), where:");
  for (const s of fc.statements)
    lines.push(
      `    ${s.writtenPerDelivery.toFixed(3)} / ${s.readPerDelivery.toFixed(3)} (${(s.count / fc.deliveries).toFixed(3)}×)  ${s.where}: ${s.sql}`,
    );
  lines.push(
    "  Durable Object requests by method (calls per delivery; rows written per call, of calls not overlapped):",
  );
  for (const m of fc.methods)
    lines.push(
      `    ${m.method}: ${(m.calls / fc.deliveries).toFixed(4)} per delivery, ${(m.rowsWritten / Math.max(1, m.calls - m.overlapped)).toFixed(2)} rows written per call` +
        (m.overlapped ? ` (${m.overlapped} overlapped)` : ""),
    );
  const t = fc.times;
  const rt = (x) => `${x.roundTripMs.toFixed(2)} ms (n=${x.n})`;
  lines.push(
    `  round trips seen by the worker (means of ms-quantized durations): under load, HISTORY.store ${rt(t.store)}, ` +
      `consumer batch (~${fc.requests.meanBatch.toFixed(0)}): D1 destinations ${rt(t.destinations)}, WORKSPACE.health ${rt(t.health)}, ` +
      `HISTORY.load ${rt(t.load)}, HISTORY.record ${rt(t.record)}; one event at a time, HISTORY.store ${rt(t.unloadedStore)}`,
  );
  const r = c.retirement;
  if (r) {
    lines.push(
      `  a partition's whole life (${r.deliveries} deliveries in ${r.partitionSeconds} s partitions through POST …/events/batch, kept ${r.retainSeconds} s): ` +
        `${r.lifetime.rowsWritten} rows written = ${r.lifetime.perDelivery.toFixed(3)} per delivery; ${r.lifetime.requests} object requests ` +
        `(${r.retireRequests} alarm); the partition held ${r.held.rows} rows, ${r.held.bytes} bytes before its retirement`,
    );
    for (const s of r.statements)
      lines.push(`    ${s.rowsWritten} written / ${s.rowsRead} read (${s.count}×)  ${s.where}: ${s.sql}`);
  }
  for (const l of priceFormula(c.priceInputs, c.price)) lines.push(`  ${l}`);
  return lines;
}
