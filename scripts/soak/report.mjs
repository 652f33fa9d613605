// The soak's printed figures and check results.
import { summarizeFailures } from "../../test/hostile/hostile-requests.mjs";
import { attemptFigures, faultFigures, retrySpeed } from "./checks.mjs";

const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : String(n));
const ms = (n) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const seconds = (n) => `${(n / 1000).toFixed(1)} s`;
const counts = (record) =>
  Object.entries(record)
    .map(([k, n]) => `${k} ${fmt(n)}`)
    .join(", ");

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];

function table(title, rows) {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

const gapFigure = (gaps) =>
  gaps.length
    ? `median ${seconds(percentile(gaps, 50))}, min ${seconds(gaps[0])}, max ${seconds(gaps.at(-1))} (${fmt(gaps.length)} deliveries)`
    : "none";

/** Every figure of the run. */
export function printFigures({
  opts,
  plan,
  load,
  timing,
  drained,
  snap,
  states,
  log,
  receiver,
  health,
  fuzz,
  workerLines,
}) {
  const badIngests = load.ingests.filter((i) => i.status !== 202);
  table("Workload", [
    [
      "events sent",
      `${fmt(load.sent)} of ${fmt(load.planned)}${load.sent < load.planned ? " (time limit)" : ""} + ${fmt(load.ingests.filter((i) => i.replayOf).length)} replays of a client id, in ${seconds(timing.ingestMs)}`,
    ],
    [
      "ingest answers not 202",
      `${badIngests.length}${badIngests.length ? ` e.g. ${badIngests[0].status} ${badIngests[0].error}` : ""}`,
    ],
    [
      "destinations",
      `${plan.length} in ${opts.workspaces} workspaces (${plan.filter((p) => p.gone).length} may answer 410, ${plan.filter((p) => p.templateTrap).length} with template traps, ${plan.filter((p) => !p.enabled).length} created disabled)`,
    ],
    [
      "changes during the load",
      load.actions.map((a) => `${a.kind} #${a.d} at ${a.doneAt ?? "—"}`).join(", "),
    ],
    ["change errors", load.actionErrors.length ? load.actionErrors.join("; ") : "0"],
    [
      "disabled by a 410",
      snap.destinations.filter((d) => !d.enabled && /410/.test(d.disabled_reason ?? "")).length,
    ],
  ]);

  const speed = retrySpeed(snap);
  const settled = snap.deliveries.filter((d) => d.status !== "pending").length;
  const perSecond = (n) => (n / (timing.loadMs / 1000)).toFixed(1);
  table("Deliveries (history objects)", [
    ["deliveries", fmt(snap.deliveries.length)],
    ...Object.entries(states.byStatus).map(([s, n]) => [`  ${s}`, fmt(n)]),
    ["attempts", fmt(snap.attempts.length)],
    ...Object.entries(attemptFigures(snap)).map(([c, n]) => [`  ${c}`, fmt(n)]),
    ["attempt 1 → 2", gapFigure(speed.first)],
    ["attempt 2 → 3", gapFigure(speed.second)],
    [
      "DEV_RETRY_SPEEDUP honoured",
      speed.accelerated === null
        ? "cannot tell from this run"
        : speed.accelerated
          ? "yes"
          : "no (real delays)",
    ],
    ["load wall time", `${seconds(timing.loadMs)} (${drained.drained ? "drained" : "NOT drained"})`],
    [
      "deliveries/s",
      `${perSecond(snap.deliveries.length)} created, ${perSecond(settled)} settled, ${perSecond(snap.attempts.length)} attempts`,
    ],
  ]);

  table("Receiver", [
    ["requests", fmt(log.length)],
    ...faultFigures(log).map(([fault, n, does]) => [`  ${fault}`, `${fmt(n)}  (${does})`]),
    ["signatures verified", fmt(receiver.signature.verified)],
    [
      "signature failures",
      `${receiver.signature.failed}${receiver.signature.unknownDestination ? ` (+${receiver.signature.unknownDestination} for unknown destinations)` : ""}`,
    ],
    [
      "after rotation: both secrets verify",
      `${receiver.signature.dualChecked - receiver.signature.dualFailed} of ${receiver.signature.dualChecked}`,
    ],
  ]);

  const h = health.sorted;
  table("Health (GET /healthz every 250 ms, the whole run)", [
    ["polls", fmt(health.count)],
    [
      "failures",
      `${health.failures.length}${health.failures.length ? ` e.g. ${health.failures.slice(0, 3).join("; ")}` : ""}`,
    ],
    [
      "latency",
      h.length ? `p50 ${ms(percentile(h, 50))}, p99 ${ms(percentile(h, 99))}, max ${ms(h.at(-1))}` : "—",
    ],
  ]);

  if (fuzz)
    table(`Fuzz (seed ${opts.seed})`, [
      [
        "requests",
        `${fmt(fuzz.sent)} of ${fmt(fuzz.planned)} in ${seconds(fuzz.ms)}${fuzz.sent < fuzz.planned ? " (time limit)" : ""}`,
      ],
      ["by status", counts(fuzz.statuses)],
      ["by kind", counts(fuzz.kinds)],
      ["requests that broke the contract", fmt(new Set(fuzz.failures.flatMap((f) => f.indexes)).size)],
      [
        "routes in /openapi.json not fuzzed",
        fuzz.missingRoutes.length ? fuzz.missingRoutes.join(", ") : "none",
      ],
    ]);

  if (workerLines.length)
    table(
      "Worker console (distinct lines)",
      workerLines.slice(0, 8).map(([text, n]) => [`${fmt(n)}×`, text]),
    );
  table("Run", [["wall time", seconds(timing.totalMs)]]);
}

/** The checks, with their figures, and examples of what failed. */
export function printChecks(checks) {
  console.log("\nChecks");
  for (const [name, check] of checks) {
    console.log(`  ${check.ok ? "ok  " : "FAIL"} ${name}`);
    for (const line of check.lines ?? []) console.log(`         ${line}`);
    if (check.ok) continue;
    for (const failure of check.failures ?? []) console.log(`         - ${failure}`);
    if (check.fuzz)
      for (const group of summarizeFailures(check.fuzz.failures, 200))
        console.log(group.replace(/^/gm, "         - ").replace(/^( {9})- {2}/gm, "$1    "));
  }
}
