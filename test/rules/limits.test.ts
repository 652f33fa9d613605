// docs/limits.md is the table of src/limits.ts: each row below names a documented limit and the text its
// row must show, computed from the constant, so a limit changed in one place and not the other fails.
import { describe, expect, it } from "vitest";
import doc from "../../docs/limits.md?raw";
import * as L from "../../src/limits";

const n = (value: number) => value.toLocaleString("en-US");

const ROWS: [row: string, shows: string][] = [
  ["event request body", `${n(L.MAX_EVENT_BYTES)} bytes`],
  ["event JSON nesting", `${L.MAX_EVENT_DEPTH} levels`],
  ["event `id`, `contact._id`", `1–${L.MAX_EVENT_ID_LENGTH} characters`],
  ["any other `/v1` request body", `${n(L.MAX_REQUEST_BYTES)} bytes`],
  ["destinations per workspace", n(L.DESTINATION_LIMITS.destinationsPerWorkspace)],
  ["destination `name`", `1–${L.DESTINATION_LIMITS.nameLength} characters`],
  ["`url_template`", `1–${n(L.DESTINATION_LIMITS.urlLength)} characters`],
  ["`headers_template`, `query_template`", `${L.DESTINATION_LIMITS.pairs} pairs`],
  ["header value template", `${n(L.DESTINATION_LIMITS.headerValueLength)} characters`],
  ["query key", `1–${L.DESTINATION_LIMITS.queryKeyLength} characters`],
  ["query value template", `${n(L.DESTINATION_LIMITS.queryValueLength)} characters`],
  ["`body_template`", `${n(L.DESTINATION_LIMITS.bodyBytes)} bytes`],
  ["template section nesting", `${L.MAX_SECTION_DEPTH} levels`],
  [
    "`timeout_seconds`",
    `1–${L.DESTINATION_LIMITS.timeoutSecondsMax} (default ${L.DESTINATION_LIMITS.timeoutSecondsDefault})`,
  ],
  ["`rate_limit_per_second`", `1–${L.DESTINATION_LIMITS.rateLimitPerSecond}`],
  ["`filter` as JSON", `${n(L.FILTER_MAX_BYTES)} bytes`],
  ["`filter` nesting", `${L.FILTER_MAX_DEPTH} levels`],
  ["`filter` conditions", `${L.FILTER_MAX_CONDITIONS} (each`],
  ["`filter` path", `${L.FILTER_MAX_PATH_SEGMENTS} segments`],
  ["render work", `${n(L.RENDER_LIMITS.steps)} steps`],
  ["rendered URL path", `${n(L.RENDER_LIMITS.urlChars)} characters`],
  ["rendered URL, whole", `${n(L.RENDER_LIMITS.urlChars)} characters`],
  ["rendered query value", `${n(L.RENDER_LIMITS.queryValueChars)} characters`],
  ["rendered header value", `${n(L.RENDER_LIMITS.headerValueBytes)} bytes`],
  ["rendered configured headers", `${n(L.RENDER_LIMITS.headersBytes)} bytes`],
  ["rendered body", `${n(L.RENDER_LIMITS.bodyBytes)} bytes`],
  ["deliveries listed in the ingest answer", `first ${L.LISTED_DELIVERIES}`],
  ["list page size", `1–${L.PAGE_SIZE.max}, default ${L.PAGE_SIZE.default}`],
  ["response body kept per attempt", `${n(L.RESPONSE_EXCERPT_BYTES)} bytes`],
  ["requests rendered ahead of their sends", `${n(L.BATCH_PASS_CHARS)} characters per batch`],
  ["attempts per delivery", `${L.MAX_ATTEMPTS}`],
  ["`Retry-After` honoured", `${L.RETRY_AFTER_SECONDS.min} s–${n(L.RETRY_AFTER_SECONDS.max)} s`],
  ["sends in flight per destination lane", `${L.LANE_SLOTS};`],
  ["consumer sends in flight for one destination", `${L.SLOTS_PER_DESTINATION} of ${L.SEND_SLOTS}`],
  ["direct path", `≤ ${L.SLOW_ANSWER_MS / 1000} s`],
  ["failing after", `${L.FAILING_AFTER} consecutive`],
  ["failing after", `every ${L.PROBE_FIRST_MS / 1000} s, doubling to ${L.PROBE_MAX_MS / 60_000} min`],
  ["one lane alarm", `at most ${L.PUMP_BUDGET_MS / 1000} s`],
  ["rotation `grace_seconds`", `0–${n(L.DESTINATION_LIMITS.graceSecondsMax)}`],
  ["recovery sweep", `more than ${L.STALLED_AFTER_MS / 60_000} minutes overdue, ${L.SWEEP_LIMIT} per run`],
  ["recovery window", `at most ${L.RECOVERY_WINDOW_MS / 86_400_000} days`],
  ["one recovery step", `${L.RECOVERY_CHUNK} deliveries`],
  ["one recovery step", `${L.RECOVERY_STEPS_PER_ALARM} steps per lane alarm`],
  ["a recovery's deliveries unsent", `pauses ${L.RECOVERY_PAUSE_MS} ms`],
  ["replay `destination_ids`", `1–${L.REPLAY_DESTINATIONS_MAX} distinct`],
  [
    "`delivery.exhausted`",
    `at most 1 per destination per ${L.EXHAUSTED_EVERY_MS === 3_600_000 ? "hour" : "?"}`,
  ],
  ["`AUTO_DISABLE_AFTER_HOURS`", `default ${L.AUTO_DISABLE_DEFAULT_HOURS}`],
  ["retention", `default ${L.DEFAULT_RETENTION_DAYS} days`],
  ["history partition", `default ${L.DEFAULT_PARTITION_HOURS} hours; 1 s to ${n(L.MAX_PARTITION_SECONDS)} s`],
  ["attempts kept per delivery", `${n(L.ATTEMPTS_KEPT_CHARS)} characters`],
  ["a deleted destination's deliveries", `${n(L.FORGET_CHUNK)} at a time`],
  ["subscription changes seen", `within ${L.SUBSCRIPTIONS_CACHE_TTL_MS / 1000} s`],
  ["batch ingest (", `1–${L.BATCH_LIMITS.events} events, ${n(L.BATCH_LIMITS.bytes)} bytes`],
  ["batch ingest fan-out", `${n(L.BATCH_LIMITS.deliveries)} deliveries`],
  ["destination health", `the newest ${L.HEALTH_WINDOW} deliveries`],
  [
    "dashboard session",
    `${L.IDLE_TIMEOUT_MS / 3_600_000} hours idle, ${L.ABSOLUTE_TIMEOUT_MS / 86_400_000} days in all`,
  ],
  ["one-time secret waiting", `${L.REVEAL_TTL_MS / 60_000} minutes`],
  ["a revoked API key still accepted", `up to ${L.KEY_CACHE_TTL_MS / 1000} s`],
];

/** The table's rows, by their first cell. */
const rows = doc
  .split("\n")
  .filter((line) => line.startsWith("| "))
  .map((line) => line.split("|").map((cell) => cell.trim()));

describe("docs/limits.md mirrors src/limits.ts", () => {
  it.each(ROWS)("the row %s shows %s", (name, shows) => {
    const row = rows.find((cells) => cells[1]?.startsWith(name));
    expect(row, `no row for ${name}`).toBeDefined();
    expect(row?.slice(2).join(" | ")).toContain(shows);
  });
});
