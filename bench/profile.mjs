// Where the worker's own CPU goes: a V8 CPU profile of the worker's isolate (through workerd's inspector,
// as `wrangler check startup` does), while it serves unloaded POST /events and one throughput run. Only
// the worker's isolate is sampled, not D1 or the queue broker, so this is close to the CPU Cloudflare
// bills. Samples are attributed to source files through dist/index.js.map, and to the ingest or the
// consumer by their call stack.
import { readFileSync } from "node:fs";
import { createDestinations, createWorkspace, ingest } from "./api.mjs";
import { sleep } from "./lib.mjs";
import { pipelineRun } from "./throughput.mjs";
import { DELIVERIES, FANOUT } from "./workload.mjs";

const INGESTS = 100; // unloaded POST /events for a type nobody subscribes to: the ingest path alone
const SAMPLING_US = 200;

// ---------------------------------------------------------------------------------------------------
// Source maps: just enough of the format (version 3, VLQ mappings) to find a generated position's source.

const B64 = Object.fromEntries(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]),
);

function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  for (const line of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (!segment) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const c of segment) {
        const digit = B64[c];
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length > 1) source += values[1];
      segments.push([column, values.length > 1 ? source : -1]);
    }
    lines.push(segments);
  }
  return lines;
}

/** (0-based line, column) of the bundle → the source file's short name: an npm package or a src/ path. */
function sourceMapper(mapPath) {
  const map = JSON.parse(readFileSync(mapPath, "utf8"));
  const lines = decodeMappings(map.mappings);
  return (line, column) => {
    const segments = lines[line] ?? [];
    let found = -1;
    for (const [col, source] of segments) {
      if (col > column) break;
      if (source >= 0) found = source;
    }
    if (found < 0) return "(bundle)";
    const path = map.sources[found];
    // drizzle-orm's own source maps name its files "../src/…", which lands them in node_modules/src/.
    if (path.includes("node_modules/src/")) return "drizzle-orm";
    const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    return modules ? modules[1] : path.replace(/^(\.\.\/)+/, "");
  };
}

// ---------------------------------------------------------------------------------------------------
// The inspector

async function connect(p) {
  const { default: WebSocket } = await import("ws");
  const url = await p.mf.getInspectorURL();
  const socket = new WebSocket(new URL(`/core:user:${p.workerName}`, url).href);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  // workerd echoes each command back with its id, and answers Profiler.stop with a message that carries
  // the method and the result (what wrangler's `check startup` waits for). So a command is done when a
  // message with its id, or for Profiler.stop one with its method and a result, comes back.
  let id = 0;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    const key = message.method === "Profiler.stop" ? "stop" : message.id;
    const waiting = pending.get(key);
    if (!waiting || (key === "stop" && message.result === undefined)) return;
    pending.delete(key);
    if (message.error) waiting.reject(new Error(`${message.error.message}`));
    else waiting.resolve(message.result ?? {});
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(method === "Profiler.stop" ? "stop" : n, { resolve, reject });
      socket.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => socket.close() };
}

async function profiled(inspector, fn) {
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_US });
  await inspector.send("Profiler.start");
  await fn();
  const { profile } = await inspector.send("Profiler.stop");
  return profile;
}

// ---------------------------------------------------------------------------------------------------
// Attribution

const META = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/**
 * CPU ms of the isolate: JavaScript (self time by source file and by function), V8's own "(program)"
 * and garbage collection. Not split into ingest and consumer: after an `await`, V8's sampled stack no
 * longer shows who awaited, so a stack cannot tell them apart.
 */
function attribute(profile, mapSource) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = { jsMs: 0, programMs: 0, gcMs: 0, bySource: {}, byFunction: {} };
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = node.callFrame.functionName;
    if (name === "(program)") out.programMs += ms;
    else if (name === "(garbage collector)") out.gcMs += ms;
    if (META.has(name)) continue;
    const { url, lineNumber, columnNumber } = node.callFrame;
    const source =
      url.endsWith("index.js") && lineNumber >= 0 ? mapSource(lineNumber, columnNumber) : url || "(native)";
    const fn = `${name || "(anonymous)"} [${source}]`;
    out.jsMs += ms;
    out.bySource[source] = (out.bySource[source] ?? 0) + ms;
    out.byFunction[fn] = (out.byFunction[fn] ?? 0) + ms;
  }
  const top = (o, k) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, ms]) => ({ name, ms }));
  out.bySource = top(out.bySource, 12);
  out.byFunction = top(out.byFunction, 12);
  out.totalMs = out.jsMs + out.programMs + out.gcMs;
  return out;
}

/**
 * Profiles the pipeline `p` (started with an inspector): INGESTS unloaded POST /events that make no
 * delivery, then one throughput run of EVENTS × FANOUT. Returns CPU per POST and per delivery.
 */
export async function cpuProfile(p, receiver, bundlePath) {
  const mapSource = sourceMapper(`${bundlePath}.map`);
  const ws = await createWorkspace(p, "profile");
  await createDestinations(p, ws, FANOUT, receiver.url);
  for (let i = 0; i < 20; i++) await ingest(p, ws, "contact.deleted"); // warm up
  await pipelineRun(p, ws, receiver); // warm up
  const inspector = await connect(p);
  try {
    const ingestProfile = await profiled(inspector, async () => {
      for (let i = 0; i < INGESTS; i++) {
        await ingest(p, ws, "contact.deleted");
        await sleep(2);
      }
    });
    await sleep(100);
    const runProfile = await profiled(inspector, () => pipelineRun(p, ws, receiver));
    const ingestOnly = attribute(ingestProfile, mapSource);
    const run = attribute(runProfile, mapSource);
    return {
      samplingUs: SAMPLING_US,
      ingests: INGESTS,
      deliveries: DELIVERIES,
      ingestCpuMsPerRequest: ingestOnly.totalMs / INGESTS,
      ingestOnly,
      run,
      runCpuMsPerDelivery: run.totalMs / DELIVERIES,
    };
  } finally {
    inspector.close();
  }
}

/** Lines printed under the table. */
export function profileLines(pr) {
  const list = (xs, n) =>
    xs
      .slice(0, n)
      .map((x) => `${x.name} ${x.ms.toFixed(1)}`)
      .join(", ");
  const i = pr.ingestOnly;
  const r = pr.run;
  return [
    `  ${pr.ingests} unloaded POST /events making no delivery: ${pr.ingestCpuMsPerRequest.toFixed(2)} ms of the isolate's CPU per request ` +
      `(JS ${(i.jsMs / pr.ingests).toFixed(2)}, V8 (program) ${(i.programMs / pr.ingests).toFixed(2)}, GC ${(i.gcMs / pr.ingests).toFixed(2)}); sampled every ${pr.samplingUs} µs`,
    `    by source, ms over the ${pr.ingests}: ${list(i.bySource, 10)}`,
    `    by function: ${list(i.byFunction, 8)}`,
    `  one throughput run (${pr.deliveries} deliveries, ingest and consumer): ${(pr.runCpuMsPerDelivery * 1000).toFixed(0)} µs of the isolate's CPU per delivery ` +
      `(JS ${((r.jsMs / pr.deliveries) * 1000).toFixed(0)}, V8 (program) ${((r.programMs / pr.deliveries) * 1000).toFixed(0)}, GC ${((r.gcMs / pr.deliveries) * 1000).toFixed(0)})`,
    `    by source, ms over the run: ${list(r.bySource, 10)}`,
    `    by function: ${list(r.byFunction, 8)}`,
  ];
}
