// npm run soak: the real worker bundle (wrangler deploy --dry-run) on programmatic Miniflare, under
// thousands of events fanned out to dozens of destinations whose receiver misbehaves in every way
// (scripts/soak/faults.mjs), then checked straight on what it stored (its history objects, and D1)
// against the receiver's own log; then thousands of hostile requests on every route (test/hostile/).
// Prints a table of figures and exits non-zero when a check fails.
//
//   npm run soak                      full run: 3,000 events, 40 destinations, 10,000 fuzz requests
//   npm run soak -- --short           CI: 300 events, 12 destinations, 300 fuzz requests, under a minute
//   options: --events N  --seconds S (the whole run's limit)  --seed N  --fuzz N
//            --faults error500=0.1,hang=0,…  --speedup N (DEV_RETRY_SPEEDUP, 1 = real delays)
//            --log FILE (the receiver's log, one JSON line per request)  --verbose (the worker's console)
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startWorker } from "../test/e2e/harness.mjs";
import {
  checkAttemptsMatchReceiver,
  checkFanOut,
  checkNothingAfterSuccess,
  checkStates,
  historyReader,
  snapshot,
} from "./soak/checks.mjs";
import { DEFAULT_SHARES, parseShares } from "./soak/faults.mjs";
import { runFuzz, uncoveredRoutes } from "./soak/fuzz.mjs";
import { send } from "./soak/http.mjs";
import { startFaultyReceiver } from "./soak/receiver.mjs";
import { printChecks, printFigures } from "./soak/report.mjs";
import { planActions, planDestinations, planEvent } from "./soak/workload.mjs";

const PROFILES = {
  full: { events: 3000, workspaces: 4, perWorkspace: 10, gone: 2, seconds: 570, fuzz: 10_000, lanes: 8 },
  short: { events: 300, workspaces: 2, perWorkspace: 6, gone: 1, seconds: 55, fuzz: 300, lanes: 6, seed: 42 },
};
// Pending deliveries due within this horizon are waited for; later ones are left scheduled.
const HORIZON_MS = 20_000;
// The receiver must have been idle this long (past the longest destination timeout) to call it drained.
const IDLE_MS = 3_000;
// A pending delivery this far past due when the run ends was stranded.
const OVERDUE_GRACE_MS = 30_000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function options() {
  const { values } = parseArgs({
    options: {
      short: { type: "boolean", default: false },
      events: { type: "string" },
      seconds: { type: "string" },
      seed: { type: "string" },
      fuzz: { type: "string" },
      faults: { type: "string" },
      speedup: { type: "string", default: "3600" },
      log: { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "npm run soak [-- --short] [--events N] [--seconds S] [--seed N] [--fuzz N] [--faults name=share,…] [--speedup N] [--log FILE] [--verbose]",
    );
    console.log(`faults and their default shares: ${JSON.stringify(DEFAULT_SHARES)}`);
    process.exit(0);
  }
  const profile = PROFILES[values.short ? "short" : "full"];
  const number = (value, fallback, what) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${what} takes a whole number, not "${value}"`);
    return n;
  };
  return {
    ...profile,
    short: values.short,
    events: number(values.events, profile.events, "events"),
    seconds: number(values.seconds, profile.seconds, "seconds"),
    seed: number(values.seed, profile.seed ?? Math.floor(Math.random() * 1e9), "seed"),
    fuzz: number(values.fuzz, profile.fuzz, "fuzz"),
    shares: parseShares(values.faults),
    speedup: number(values.speedup, 3600, "speedup"),
    logFile: values.log,
    verbose: values.verbose,
  };
}

/** The worker's console, counted by message (its 500s log "unhandled error …"). */
function workerConsole(verbose) {
  const messages = new Map();
  const handle = (stream) => {
    createInterface({ input: stream }).on("line", (line) => {
      if (verbose) console.log(`  [worker] ${line}`);
      const text = line.replace(/(evt|dlv|dst|key)_[0-9a-f]{32}/g, "$1_…").slice(0, 200);
      if (text.trim()) messages.set(text, (messages.get(text) ?? 0) + 1);
    });
  };
  return {
    messages,
    handleRuntimeStdio: (stdout, stderr) => {
      handle(stdout);
      handle(stderr);
    },
  };
}

/** GET /healthz every 250 ms for the whole run. */
function startHealthPoller(worker) {
  const latencies = [];
  const failures = [];
  const inFlight = new Set();
  const timer = setInterval(() => {
    const t = performance.now();
    const poll = send(worker.url, "/healthz", { timeoutMs: 5_000 })
      .then(({ status }) => {
        latencies.push(performance.now() - t);
        if (status !== 200) failures.push(`${elapsed()}: ${status}`);
      })
      .catch((error) => failures.push(`${elapsed()}: ${error.message}`))
      .finally(() => inFlight.delete(poll));
    inFlight.add(poll);
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      const sorted = latencies.sort((a, b) => a - b);
      return { count: latencies.length + failures.length, failures, sorted };
    },
  };
}

/** Awaits an exchange of http.mjs's `send` and parses its JSON, when its status is `status`. */
async function expectJson(exchange, status, what) {
  const { status: got, text } = await exchange;
  if (got !== status) throw new Error(`${what} answered ${got}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The workspaces and destinations of the plan; each spec gets its id, workspace uuid and secret. */
async function configure(worker, plan, workspaces) {
  const created = [];
  for (let w = 0; w < workspaces; w++) created.push(await worker.createWorkspace(`soak workspace ${w}`));
  for (const spec of plan) {
    const ws = created[spec.workspace];
    const { d, workspace, gone, templateTrap, ...fields } = spec;
    const body = await expectJson(
      send(worker.url, `/v1/workspaces/${ws.uuid}/destinations`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ws.apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify(fields),
      }),
      201,
      `creating destination ${d}`,
    );
    Object.assign(spec, { id: body.id, uuid: ws.uuid, apiKey: ws.apiKey, secret: body.secret });
  }
  return created;
}

/**
 * Sends the events from `lanes` concurrent lanes, applying the planned changes as the count of
 * events sent passes their marks. Records, per event, when it was sent and answered and what came back.
 */
async function ingest({ worker, opts, plan, created, secrets, deadline }) {
  const ingests = [];
  const changes = new Map(); // destination index → [{ enabled, sent, done }]
  const actionErrors = [];
  const pendingActions = [];
  const actions = planActions(plan, { short: opts.short });
  let next = 0;
  let sent = 0;

  const runAction = async (action) => {
    const spec = plan[action.d];
    const headers = { Authorization: `Bearer ${spec.apiKey}`, "Content-Type": "application/json" };
    const base = `/v1/workspaces/${spec.uuid}/destinations/${spec.id}`;
    const at = Date.now();
    try {
      if (action.kind === "rotate") {
        const body = await expectJson(
          send(worker.url, `${base}/rotate-secret`, {
            method: "POST",
            headers,
            body: '{"grace_seconds":3600}',
          }),
          200,
          "rotate-secret",
        );
        secrets.set(spec.d, { current: body.secret, previous: spec.secret, rotatedAt: Date.now() });
      } else {
        const enabled = action.kind === "enable";
        await expectJson(
          send(worker.url, base, { method: "PATCH", headers, body: JSON.stringify({ enabled }) }),
          200,
          `PATCH enabled=${enabled}`,
        );
        if (!changes.has(spec.d)) changes.set(spec.d, []);
        changes.get(spec.d).push({ enabled, sent: at, done: Date.now() });
      }
      action.doneAt = elapsed();
    } catch (error) {
      actionErrors.push(`${action.kind} destination ${spec.d}: ${error.message}`);
    }
  };

  const post = async (planned, replayOf) => {
    const ws = created[planned.workspace];
    const record = { seq: planned.seq, workspace: planned.workspace, body: planned.body, sentAt: Date.now() };
    if (replayOf) record.replayOf = replayOf;
    try {
      const { status, headers, text } = await send(worker.url, `/v1/workspaces/${ws.uuid}/events`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ws.apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify(planned.body),
      });
      record.status = status;
      record.replayedHeader = headers["idempotent-replayed"] ?? null;
      if (status === 202) {
        const body = JSON.parse(text);
        record.eventId = body.event_id;
        record.deliveryIds = body.deliveries.map((d) => d.id);
      } else record.error = text.slice(0, 200);
    } catch (error) {
      record.status = 0;
      record.error = error.message;
    }
    record.doneAt = Date.now();
    ingests.push(record);
    return record;
  };

  const lane = async () => {
    while (next < opts.events && Date.now() < deadline) {
      const planned = planEvent(opts.seed, next++, opts.workspaces);
      const record = await post(planned);
      sent++;
      for (const action of actions)
        if (!action.started && sent >= action.at * opts.events) {
          action.started = true;
          pendingActions.push(runAction(action));
        }
      // The same client event id again, once the first answer is in: nothing new may be queued.
      if (planned.replay && planned.body.id && record.status === 202) await post(planned, record);
    }
  };
  await Promise.all(Array.from({ length: opts.lanes }, lane));
  await Promise.all(pendingActions);
  return { ingests, changes, actionErrors, actions, planned: opts.events, sent };
}

/** Waits until nothing is due soon, the receiver has been idle and nothing new arrived between two looks. */
async function drain({ history, receiver, uuids, until }) {
  let previous = null;
  let last = {};
  while (Date.now() < until) {
    // The soak's workspaces are the only ones yet, so their attempts are all the worker recorded.
    const { deliveries, attempts } = await history.census(uuids);
    const horizon = Date.now() + HORIZON_MS;
    const due = deliveries.filter(
      (d) => d.status === "pending" && d.next_attempt_at !== null && d.next_attempt_at <= horizon,
    ).length;
    last = { due, open: receiver.open(), idleMs: receiver.idleMs() };
    const quiet = due === 0 && last.open === 0 && last.idleMs >= IDLE_MS;
    const mark = `${attempts.length}/${receiver.log.length}`;
    if (quiet && mark === previous) return { drained: true, ...last };
    previous = quiet ? mark : null;
    await sleep(quiet ? 1_500 : 500);
  }
  return { drained: false, ...last };
}

async function main() {
  const opts = options();
  const deadline = started + opts.seconds * 1000;
  const fuzzReserveMs = opts.fuzz ? Math.min(150_000, 3_000 + opts.fuzz * 10) : 0;
  console.log(
    `soak (${opts.short ? "short" : "full"}): seed ${opts.seed} (rerun with --seed ${opts.seed}), ${opts.events} events, ` +
      `${opts.workspaces * opts.perWorkspace} destinations in ${opts.workspaces} workspaces, ${opts.fuzz} fuzz requests, ` +
      `limit ${opts.seconds} s, DEV_RETRY_SPEEDUP ${opts.speedup}`,
  );
  console.log(`faults: ${JSON.stringify(opts.shares)} (the rest answer 200)`);

  const secrets = new Map();
  const plan = [];
  const receiver = await startFaultyReceiver({
    seed: opts.seed,
    shares: opts.shares,
    secretsOf: (d) => secrets.get(d),
    goneAllowed: (d) => plan[d]?.gone === true,
  });
  const logs = workerConsole(opts.verbose);
  const worker = await startWorker({
    vars: { DEV_RETRY_SPEEDUP: String(opts.speedup) },
    handleRuntimeStdio: logs.handleRuntimeStdio,
  });
  // Ctrl-C: stop workerd too, rather than leave it behind.
  process.once("SIGINT", () => {
    console.log("\ninterrupted");
    worker.dispose().finally(() => process.exit(130));
  });
  const poller = startHealthPoller(worker);
  const results = { checks: [] };
  try {
    const db = await worker.miniflare.getD1Database("DB");
    const history = await historyReader(worker.miniflare);
    console.log(`${elapsed()}: worker at ${worker.url}, receiver at ${receiver.url}`);

    plan.push(
      ...planDestinations({
        seed: opts.seed,
        workspaces: opts.workspaces,
        perWorkspace: opts.perWorkspace,
        receiverUrl: receiver.url,
        goneCount: opts.gone,
      }),
    );
    const created = await configure(worker, plan, opts.workspaces);
    for (const spec of plan) secrets.set(spec.d, { current: spec.secret });
    console.log(`${elapsed()}: ${plan.length} destinations configured`);

    // Load: ingest (stops early at 45 % of the time left for it), then drain.
    const loadStarted = Date.now();
    const loadUntil = deadline - fuzzReserveMs - 5_000;
    const progress = setInterval(() => {
      console.log(`${elapsed()}: receiver requests ${receiver.log.length}, open ${receiver.open()}`);
    }, 15_000);
    const load = await ingest({
      worker,
      opts,
      plan,
      created,
      secrets,
      deadline: loadStarted + 0.45 * (loadUntil - loadStarted),
    });
    const ingestMs = Date.now() - loadStarted;
    console.log(`${elapsed()}: ${load.sent} events sent in ${(ingestMs / 1000).toFixed(1)} s; draining`);
    const drained = await drain({ history, receiver, uuids: created.map((c) => c.uuid), until: loadUntil });
    clearInterval(progress);
    const loadMs = Date.now() - loadStarted;
    console.log(`${elapsed()}: ${drained.drained ? "drained" : "NOT drained"} (${JSON.stringify(drained)})`);

    const snap = await snapshot(
      { db, history },
      created.map((c) => c.uuid),
    );
    const log = receiver.log.slice();
    if (opts.logFile) {
      await writeFile(opts.logFile, log.map((entry) => JSON.stringify(entry)).join("\n"));
      console.log(`${elapsed()}: receiver log written to ${opts.logFile}`);
    }
    const states = checkStates({ snap, graceMs: OVERDUE_GRACE_MS });
    const checks = [
      [
        "1. one delivery per (event × subscribed enabled destination)",
        checkFanOut({ plan, ingests: load.ingests, changes: load.changes, snap }),
      ],
      ["2. every delivery final with a reason, or pending and scheduled", states],
      ["3. attempts sent = requests the receiver logged", checkAttemptsMatchReceiver({ snap, log })],
      ["4. nothing sent after a success", checkNothingAfterSuccess({ snap, log })],
    ];

    // Fuzz: hostile requests on every route, once the delivery load has settled.
    let fuzz = null;
    if (opts.fuzz) {
      const missingRoutes = await uncoveredRoutes(worker);
      console.log(`${elapsed()}: fuzzing ${opts.fuzz} requests (seed ${opts.seed})`);
      fuzz = await runFuzz({
        worker,
        db,
        history,
        receiverUrl: receiver.url,
        seed: opts.seed,
        count: opts.fuzz,
        deadline: deadline - 3_000,
      });
      fuzz.missingRoutes = missingRoutes;
    }
    const health = await poller.stop();

    const signature = receiver.signature;
    const badIngests = load.ingests.filter((i) => i.status !== 202);
    checks.push(
      [
        "5. /healthz answered 200 throughout",
        { ok: health.failures.length === 0 && health.count > 0, failures: health.failures.slice(0, 5) },
      ],
      ["drained: nothing overdue, nothing in flight", { ok: drained.drained && states.overdue === 0 }],
      [
        "signatures valid (standardwebhooks)",
        {
          ok: signature.failed === 0 && signature.dualFailed === 0 && !signature.unknownDestination,
          failures: receiver.badSignatures.map((b) => `${b.id} ${b.path} ${b.signature}`),
        },
      ],
      [
        "ingest and changes answered as documented",
        { ok: badIngests.length === 0 && load.actionErrors.length === 0 },
      ],
    );
    if (fuzz)
      checks.push([
        "fuzz: no 5xx, rejections are 4xx problems, nothing written",
        { ok: fuzz.failures.length === 0 && fuzz.missingRoutes.length === 0, fuzz },
      ]);

    printFigures({
      opts,
      plan,
      load,
      timing: { ingestMs, loadMs, totalMs: Date.now() - started },
      drained,
      snap,
      states,
      log,
      receiver,
      health,
      fuzz,
      workerLines: [...logs.messages].sort((a, b) => b[1] - a[1]),
    });
    printChecks(checks);
    results.checks = checks;
  } finally {
    await poller.stop();
    await worker.dispose();
    await receiver.close();
  }
  const failed = results.checks.filter(([, c]) => !c.ok).length;
  console.log(`\nsoak ${failed ? "FAILED" : "passed"} in ${elapsed()} (seed ${opts.seed})`);
  // A plain closing line, as test runners print theirs (CI reads it).
  console.log(`soak: ${results.checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
