// The bench's workload: sizes, run counts, and which sections run. Shared by every bench/*.mjs module.
//
// Environment:
//   BENCH_RUNS   runs of each throughput and per-delivery figure (default 5, minimum 3)
//   BENCH_ONLY   comma-separated sections to run (default: all), e.g. BENCH_ONLY=render,cost
//   BENCH_JSON   0 skips the JSON dump after the table

export const SECTIONS = [
  "latency",
  "throughput",
  "render",
  "fanout",
  "history",
  "cost",
  "model",
  "diagnostics",
  "alone",
  "isolation",
  "bundle",
  "profile",
];

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
export const EVENTS = 200; // per throughput run
export const FANOUT = 10; // subscribed destinations: EVENTS × FANOUT = 2,000 deliveries per run
export const DELIVERIES = EVENTS * FANOUT;
export const CONCURRENCY = 100;
export const SINGLE = Number(process.env.BENCH_SINGLE ?? 60); // unloaded single-event latency samples (each paired with the floor's)
export const WARMUP_SINGLE = 30; // unmeasured ones before them, so every worker measured is JIT-warm
export const RENDER_N = 20_000;
export const INGEST_SAMPLES = 60;
export const PAGE_SAMPLES = 50;
export const HISTORY_ROWS = 100_000;
export const UNSUBSCRIBED = 9_990;
export const PURGE_EVENTS = 200; // retention purge: old events of FANOUT deliveries each, one attempt each

/** The sections BENCH_ONLY selects (all when unset); an unknown name is an error, not a silent no-op. */
export function selectedSections(value = process.env.BENCH_ONLY) {
  if (!value?.trim()) return new Set(SECTIONS);
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !SECTIONS.includes(n));
  if (unknown.length)
    throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(", ")}; known: ${SECTIONS.join(", ")}`);
  return new Set(names);
}
