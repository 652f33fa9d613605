// `npm run bench`: throughput, latency, per-delivery, scaling, cost and bundle figures for the delivery
// pipeline, next to the baselines that bound them, all in one run on this machine. Prints a table (and
// the same as JSON). See BENCHMARKS.md for what each figure means and how the harness is built.
//
// Environment: BENCH_RUNS (default 5) runs of each throughput figure; BENCH_ONLY=a,b runs only those
// sections (bench/workload.mjs lists them); BENCH_JSON=0 skips the JSON dump; BENCH_AGAINST=<dir> adds
// another checkout's consumer and ingest to the "alone" section, in its workerd; BENCH_WORKER_ROOT=<dir>
// builds and measures another checkout of this project instead (see BENCHMARKS.md, "before").
import os from "node:os";
import { alone, aloneLines } from "./alone.mjs";
import { createDestinations, createWorkspace, probeDelivery, revocationCheck } from "./api.mjs";
import { bundleSize, startupCpu } from "./bundle.mjs";
import { firstTryCost, PRICES, price, retirementCost } from "./cost.mjs";
import { diagnosticLines, diagnostics } from "./diagnostics.mjs";
import { isolation, isolationLines, waitingCost } from "./isolation.mjs";
import {
  disposeAll,
  loadWorker,
  machine,
  sleep,
  startBaselineFetch,
  startBaselineQueue,
  startFloor,
  startPipeline,
  startReceiver,
  startRenderSign,
} from "./lib.mjs";
import { modelInputs, modelLines, runModel } from "./model.mjs";
import { recordSequences, serviceTimes } from "./model-inputs.mjs";
import { perDelivery } from "./per-delivery.mjs";
import { cpuProfile, profileLines } from "./profile.mjs";
import { buildRows, costLines, printTable } from "./report.mjs";
import { fanoutScaling, pagination } from "./scaling.mjs";
import {
  baselineFetchRun,
  baselineQueueRun,
  d1RoundTrip,
  doRoundTrip,
  floorOne,
  floorRun,
  floorStoreTime,
  ingestAlone,
  pipelineRun,
  produceOne,
  sendLoopRun,
  unloaded,
  unloadedBaseline,
} from "./throughput.mjs";
import { CONCURRENCY, DELIVERIES, EVENTS, FANOUT, RUNS, selectedSections } from "./workload.mjs";

const began = performance.now();
const sectionTimes = {};
const round = (x, digits = 1) => Number(x.toFixed(digits));
/** Runs a section and records its wall time (seconds) for the summary. */
async function section(name, fn) {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    sectionTimes[name] = round((performance.now() - start) / 1000);
  }
}
const log = (...args) => console.error(...args); // progress on stderr, figures on stdout

let receiver;
let cleaning = false;
async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  await disposeAll();
  await receiver?.close();
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`\n${signal}: stopping workerd and the receiver...`);
    cleanup().finally(() => process.exit(130));
  });
}

/** The production flag set, unless local workerd then cannot reach the receiver on 127.0.0.1. */
async function pipelineWithFlags(worker, instrumented = false) {
  const flags = worker.config.compatibilityFlags;
  const p = await startPipeline(worker, { compatibilityFlags: flags, instrumented });
  if (await probeDelivery(p, receiver))
    return {
      p,
      flags,
      note: `compatibility flags as in wrangler.toml (${flags.join(", ") || "none"}): 127.0.0.1 reachable`,
    };
  await p.mf.dispose();
  const without = flags.filter((f) => f !== "global_fetch_strictly_public");
  const q = await startPipeline(worker, { compatibilityFlags: without, instrumented });
  if (!(await probeDelivery(q, receiver)))
    throw new Error("the worker cannot reach the receiver on 127.0.0.1");
  return {
    p: q,
    flags: without,
    note: "global_fetch_strictly_public OMITTED: with it, local workerd did not reach 127.0.0.1",
  };
}

async function main() {
  const only = selectedSections();
  const has = (...names) => names.some((n) => only.has(n));
  const m = machine();
  console.log("Leadpush webhooks benchmark");
  console.log(
    `machine: nproc=${m.nproc}, cpu="${m.cpu}", memory=${m.memory_gib} GiB, node ${m.node}, ` +
      `workerd ${m.workerd}, miniflare ${m.miniflare}, wrangler ${m.wrangler}, ${m.os}`,
  );
  const loadAtStart = os.loadavg();
  console.log(
    `load average at start (1/5/15 min): ${loadAtStart.map((x) => x.toFixed(2)).join(" / ")} on ${m.nproc} cores ` +
      "(the machine is shared: a high load makes every figure noisier)",
  );
  log(`sections: ${[...only].join(", ")}`);

  log("building dist/ (wrangler deploy --dry-run --outdir dist)...");
  const worker = await section("build", () => loadWorker());
  if (process.env.BENCH_WORKER_ROOT) console.log(`worker under test: ${worker.root} (BENCH_WORKER_ROOT)`);
  const consumer = worker.config.queueConsumers["leadpush-deliveries"];
  receiver = await startReceiver();
  const results = {};
  let harness = null;

  // The headline pipeline and the baselines, each on its own Miniflare (its own workerd), all up for the
  // whole run. Started one after the other, so each workerd's pid is known (for its CPU time).
  if (has("latency", "throughput", "render", "fanout", "history")) {
    const { p, flags, note } = await pipelineWithFlags(worker);
    harness = { flags, note };
    console.log(
      `harness: programmatic Miniflare over dist/index.js; queue consumer maxBatchSize=${consumer.maxBatchSize}, ` +
        `maxBatchTimeout=${consumer.maxBatchTimeout}, maxRetries=${consumer.maxRetries} (pipeline, contract floor, ` +
        `baselines 2 and 2b); ALLOW_PRIVATE_DESTINATIONS=true; ${note}`,
    );
    console.log(
      `workload: ${EVENTS} events x ${FANOUT} subscribed destinations = ${DELIVERIES} deliveries per run, ` +
        `ingest concurrency ${CONCURRENCY}, ${RUNS} runs; receiver node:http keep-alive on ${receiver.url}`,
    );
    const baselines = has("latency", "throughput");
    const b1 = baselines ? await startBaselineFetch(worker.config, receiver.url) : null;
    const b2 = baselines
      ? { label: "b2", ...(await startBaselineQueue(worker.config, receiver.url, consumer)) }
      : null;
    const b2b = baselines
      ? {
          label: "b2b",
          ...(await startBaselineQueue(worker.config, receiver.url, consumer, { d1Shape: true })),
        }
      : null;
    const floor = baselines ? await startFloor(worker, receiver.url, consumer, FANOUT, flags) : null;
    const rs = has("throughput", "render") ? await startRenderSign(worker.config, receiver.url) : null;

    if (has("latency")) {
      log("2. unloaded single-event latency...");
      const single = await createWorkspace(p, "single");
      await createDestinations(p, single, 1, receiver.url);
      const unsubscribed = await createWorkspace(p, "no subscriber");
      await createDestinations(p, unsubscribed, 1, receiver.url, ["contact.deleted"]);
      results.latency = await section("unloaded latency", async () => {
        // The pipeline and the contract floor take turns, sample by sample.
        const one = await unloaded(p, single, receiver, { alongside: floorOne(floor) });
        return {
          one,
          b2: await unloadedBaseline(produceOne(b2), receiver),
          b2b: await unloadedBaseline(produceOne(b2b), receiver),
          floor: one.alongside,
          floorStore: await floorStoreTime(floor, 1),
          floorStoreAlone: await floorStoreTime(floor, 0),
          alone: await ingestAlone(p, unsubscribed),
          revocation: await revocationCheck(p, receiver),
        };
      });
    }

    if (has("throughput")) {
      const fan = await createWorkspace(p, "throughput");
      await createDestinations(p, fan, FANOUT, receiver.url);
      // Every figure in turn, so drift on the machine weighs on each alike; one warm-up round first.
      const turn = async (r, out) => {
        const add = async (key, fn) => {
          const x = await fn();
          out?.[key].push(x);
          await sleep(200);
        };
        await add("pipeline", () => pipelineRun(p, fan, receiver));
        await add("floor", () => floorRun(floor, receiver));
        await add("baselineQueue", () => baselineQueueRun(b2, r, receiver));
        await add("baselineQueueD1", () => baselineQueueRun(b2b, r, receiver));
        await add("baselineFetch", () => baselineFetchRun(b1, r, receiver));
        await add("sendLoop", () => sendLoopRun(rs, r, receiver));
        await add("sendLoopBare", () => sendLoopRun(rs, r, receiver, true));
      };
      log("warm-up round...");
      await section("warm-up", () => turn("warm", null));
      const runs = {
        pipeline: [],
        floor: [],
        baselineQueue: [],
        baselineQueueD1: [],
        baselineFetch: [],
        sendLoop: [],
        sendLoopBare: [],
      };
      await section("throughput runs", async () => {
        for (let r = 0; r < RUNS; r++) {
          log(`run ${r + 1}/${RUNS}: pipeline, contract floor, baseline 2, 2b, 1, send loops...`);
          await turn(r, runs);
        }
      });
      runs.d1Call = await section("D1 round trip", () => d1RoundTrip(b2b));
      runs.doCall = await section("Durable Object round trip", () => doRoundTrip(floor));
      results.throughput = runs;
    }

    if (has("render")) {
      log("5. per-delivery work before the send; render + sign...");
      results.perDelivery = await section("per-delivery work", () => perDelivery(rs));
    }
    if (has("fanout")) {
      log("6. ingest fan-out scaling (seeding 9,990 destinations)...");
      results.fanout = await section("fan-out scaling", () => fanoutScaling(p, receiver));
    }
    if (has("history")) {
      log("7. history pagination (seeding 100,000 deliveries)...");
      results.history = await section("history pagination", () => pagination(p, receiver));
    }
    await Promise.all([p, b1, b2, b2b, floor, rs].filter(Boolean).map((x) => x.mf.dispose()));
  }

  if (has("diagnostics", "cost", "model")) {
    log("instrumented pipeline (storage calls, rows and queue operations, from inside workerd)...");
    const { p, flags, note } = await pipelineWithFlags(worker, true);
    harness ??= { flags, note };
    try {
      if (has("diagnostics"))
        results.diagnostics = await section("diagnostics", () => diagnostics(p, receiver));
      if (has("cost")) {
        log(
          "8. cost per delivery (first-try deliveries, then a partition's whole life to its retirement)...",
        );
        results.cost = await section("cost", async () => {
          const firstTry = await firstTryCost(p, receiver);
          const retirement = await retirementCost(worker, harness.flags, receiver);
          // What a partition's fixed rows and its retirement add per delivery (at the retirement run's
          // deliveries per partition), with a deleteAll billed as one row (assumption, BENCHMARKS.md).
          const lifetime = retirement.lifetime.perDelivery + 1 / retirement.deliveries;
          const retireRowsWritten = Math.max(0, lifetime - firstTry.total.rowsWritten);
          const priceInputs = {
            queueOps: firstTry.queue.total,
            rowsWritten: firstTry.total.rowsWritten,
            retireRowsWritten,
            rowsRead: firstTry.total.rowsRead,
            objectRequests: firstTry.total.objectRequests,
            requests: firstTry.requests.total,
            cpuMs: firstTry.workerdCpuMsPerDelivery,
            bytes: firstTry.bytesPerDelivery + firstTry.workspaceBytesPerDelivery,
            months: 1,
          };
          const pessimistic = price({
            ...priceInputs,
            retireRowsWritten: retireRowsWritten + (retirement.deleteAllRowsPerDelivery ?? 0),
          });
          return {
            firstTry,
            retirement,
            prices: PRICES,
            priceInputs,
            price: price(priceInputs),
            pessimistic,
          };
        });
      }
      if (has("model")) {
        log("12. production model: recording the storage calls of batched and single ingest...");
        results.modelRecorded = await section("model: recorded sequences", () =>
          recordSequences(p, receiver),
        );
        log("12. production model: service times of each call...");
        results.modelServices = await section("model: service times", () =>
          serviceTimes(p, receiver, worker.config),
        );
      }
    } finally {
      await p.mf.dispose();
    }
  }

  if (has("model")) {
    log("12. production model: the simulation...");
    const services = results.modelServices;
    const run = await section("model: simulation", () =>
      runModel(modelInputs(results.modelRecorded, services, FANOUT)),
    );
    results.model = { recorded: results.modelRecorded, services, run };
    delete results.modelRecorded;
    delete results.modelServices;
  }

  if (has("alone")) {
    log("the consumer and the ingest each alone, against the contract floor's...");
    const againstRoot = process.env.BENCH_AGAINST;
    const against = againstRoot ? await loadWorker(againstRoot) : null;
    const p = await startPipeline(worker, {
      compatibilityFlags: harness?.flags,
      alone: { receiverUrl: receiver.url, against: against?.bundle },
    });
    try {
      results.alone = await section("alone", () => alone(p, receiver, against?.root ?? null));
    } finally {
      await p.mf.dispose();
    }
  }

  if (has("profile")) {
    log("profile: the worker's own CPU (V8 profiler through workerd's inspector)...");
    const p = await startPipeline(worker, { compatibilityFlags: harness?.flags, inspector: true });
    try {
      results.profile = await section("profile", () => cpuProfile(p, receiver, worker.bundle.path));
    } catch (error) {
      // A diagnostic only (it needs the `ws` package miniflare brings along): say so, and go on.
      console.log(`profile skipped: ${error instanceof Error ? error.message : error}`);
    } finally {
      await p.mf.dispose();
    }
  }

  if (has("isolation")) {
    log("10. isolation: a healthy workspace behind 12 destinations that never answer...");
    results.isolation = await section("isolation", () => isolation(worker));
    log("11. the cost of waiting: deliveries of a failing destination...");
    results.waiting = await section("waiting", () => waitingCost(worker));
  }

  if (has("bundle")) {
    log("9. bundle size and start-up CPU (wrangler check startup)...");
    results.bundle = await section("bundle", async () => ({
      size: await bundleSize(worker),
      startup: await startupCpu(worker),
    }));
  }

  results.duplicates = receiver.counts().duplicates;
  const rows = buildRows(results);
  printTable(rows);

  if (results.cost) {
    console.log(
      "\nCost per delivery (instrumented copy: the objects' SQLite cursors and D1's meta, counted queue operations):",
    );
    for (const line of costLines(results.cost)) console.log(line);
  }
  if (results.model) {
    console.log(
      "\nProduction model (bench/model.mjs: each D1 database and each Durable Object serves one request at a time; deliveries/s):",
    );
    for (const line of modelLines(results.model)) console.log(line);
  }
  if (results.isolation || results.waiting) {
    console.log("\nFlow control (docs/flow-control.md), measured at a real receiver:");
    for (const line of isolationLines(results.isolation, results.waiting)) console.log(line);
  }
  if (results.profile) {
    console.log(
      "\nCPU profile of the worker's isolate (its Durable Objects run in it locally; not D1, not the queue broker):",
    );
    for (const line of profileLines(results.profile)) console.log(line);
  }
  if (results.diagnostics) {
    console.log(
      "\nDiagnostics (instrumented copy of the pipeline: bench/instrumented.js meters D1, the objects and the queues; not the headline):",
    );
    for (const line of diagnosticLines(results.diagnostics)) console.log(line);
  }
  if (results.alone) {
    console.log(
      "\nThe consumer and the ingest each alone (bench/alone.js: no queue consumer, one thing at a time), " +
        "against the contract floor's on the same data:",
    );
    for (const line of aloneLines(results.alone)) console.log(line);
  }
  const totalS = (performance.now() - began) / 1000;
  const seeding = [
    results.fanout &&
      `${results.fanout.destinations} destinations in the big workspace (${results.fanout.seedMs.toFixed(0)} ms)`,
    results.history && `${results.history.rows} deliveries (${results.history.seedMs.toFixed(0)} ms)`,
  ].filter(Boolean);
  console.log(
    `\nLoad average at the end (1/5/15 min): ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ")}.`,
  );
  console.log(
    `${seeding.length ? `Seeding: ${seeding.join(", ")}. ` : ""}Total bench time ${totalS.toFixed(1)} s: ` +
      `${Object.entries(sectionTimes)
        .map(([k, v]) => `${k} ${v} s`)
        .join(", ")}.`,
  );

  if (process.env.BENCH_JSON !== "0") {
    const json = {
      machine: m,
      harness: {
        ...harness,
        consumer,
        events: EVENTS,
        fanout: FANOUT,
        concurrency: CONCURRENCY,
        runs: RUNS,
        sections: [...only],
      },
      figures: rows.map(({ raw, ...r }) => (raw ? { ...r, stats: raw } : r)),
      raw: results,
      loadAverage: { start: loadAtStart, end: os.loadavg() },
      totalSeconds: round(totalS),
      sectionSeconds: sectionTimes,
    };
    console.log("\nJSON:");
    console.log(
      JSON.stringify(json, (_, v) =>
        typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v,
      ),
    );
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
