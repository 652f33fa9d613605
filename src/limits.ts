// Every limit the service documents, in one place. docs/limits.md is its table, and
// test/rules/limits.test.ts holds the two together: a limit changed here and not there fails it. Tuning
// constants no user can meet (cache sizes, parameter chunking) stay beside the code they tune.

// ── Requests to the API ─────────────────────────────────────────────────────────────────────────────

/** An event request's body, in bytes. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Objects and arrays nest at most this deep in an event, the event object itself being level 1. */
export const MAX_EVENT_DEPTH = 32;
/** An event's `id` and its contact's `_id`, in characters. */
export const MAX_EVENT_ID_LENGTH = 255;
/** Any other /v1 request body: a destination's largest legal body is ~100 KiB of templates, and JSON
 * escaping can double it. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** The ingest answer lists this many deliveries at most, whatever the fan-out; it counts them all. */
export const LISTED_DELIVERIES = 100;
/** A list's page size (`limit`). */
export const PAGE_SIZE = { max: 100, default: 20 } as const;
/** A batch ingest (`POST …/events/batch`): its events, its body, and the deliveries its events fan out to
 * together (one storage transaction holds them all; an event past that is refused, to send again). */
export const BATCH_LIMITS = { events: 100, bytes: 1024 * 1024, deliveries: 10_000 } as const;
/** Destinations a replay may name. */
export const REPLAY_DESTINATIONS_MAX = 100;

// ── Destinations and their templates ────────────────────────────────────────────────────────────────

/** A destination's fields (docs/destinations.md). */
export const DESTINATION_LIMITS = {
  nameLength: 100,
  urlLength: 2048,
  pairs: 20,
  headerValueLength: 4096,
  queryKeyLength: 256,
  queryValueLength: 2048,
  bodyBytes: 64 * 1024,
  // Bounds an event's fan-out: its deliveries, its queue messages (100 sendBatch calls), its answer.
  destinationsPerWorkspace: 10_000,
  // A destination's rate limit: requests started per second (docs/flow-control.md).
  rateLimitPerSecond: 1000,
  timeoutSecondsMax: 30,
  timeoutSecondsDefault: 10,
  // A rotation's grace period: how long the previous secret still signs.
  graceSecondsMax: 7 * 24 * 3600,
} as const;

/** Sections may nest this deep; deeper templates are refused when saved (docs/templates.md "Bounds"). */
export const MAX_SECTION_DEPTH = 8;

/** Bounds every render (docs/templates.md "Bounds"): work across the whole request, output per part. */
export const RENDER_LIMITS = {
  steps: 100_000,
  urlChars: 2048,
  queryValueChars: 2048,
  headerValueBytes: 8192,
  headersBytes: 32_768,
  bodyBytes: 256 * 1024,
} as const;

// ── Sending and retrying ────────────────────────────────────────────────────────────────────────────

/** What is kept of a receiver's answer per attempt. */
export const RESPONSE_EXCERPT_BYTES = 16 * 1024;
/** A delivery's attempts, as stored, take at most this many characters (a delivery recovered again and
 * again): past it, the oldest attempts lose their response excerpt. */
export const ATTEMPTS_KEPT_CHARS = 1024 * 1024;
/** Rendered characters (bodies and header values) a batch holds from its batch pass until their sends
 * (src/dispatch/batch-pass.ts); requests past it are rendered when their slot opens. */
export const BATCH_PASS_CHARS = 4 * 1024 * 1024;
/** Delay before attempt n+1, indexed by n-1: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** A receiver's Retry-After is honoured within the schedule's own bounds. */
export const RETRY_AFTER_SECONDS = { min: RETRY_DELAYS_SECONDS[0], max: 36_000 } as const;

// ── Flow control (docs/flow-control.md) ─────────────────────────────────────────────────────────────

/** Connections a Worker invocation may have open at once (Workers limits): the consumer's slots. */
export const SEND_SLOTS = 6;
/** Slots one destination may hold while another destination has a delivery waiting. */
export const SLOTS_PER_DESTINATION = 2;
/** Requests a lane has in flight at once: an invocation's connections (Workers limits). */
export const LANE_SLOTS = 6;
/** An answer slower than this moves a destination off the consumer's direct path into its lane. */
export const SLOW_ANSWER_MS = 1_000;
/** Consecutive receiver failures that make a destination failing. */
export const FAILING_AFTER = 10;
/** A failing destination's first probe waits this long; each failed probe doubles it, up to the max. */
export const PROBE_FIRST_MS = 30_000;
export const PROBE_MAX_MS = 10 * 60_000;
/** How long one lane alarm sends before it hands over to the next (a bound on one invocation's work). */
export const PUMP_BUDGET_MS = 20_000;

// ── The failure lifecycle (docs/lifecycle.md) ───────────────────────────────────────────────────────

/** Hours a destination may fail without a break before it is disabled, unless AUTO_DISABLE_AFTER_HOURS
 * says otherwise. */
export const AUTO_DISABLE_DEFAULT_HOURS = 120;
/** delivery.exhausted goes out at most this often per destination; the others are counted in the next. */
export const EXHAUSTED_EVERY_MS = 60 * 60 * 1000;
/** The widest window a recovery may cover. */
export const RECOVERY_WINDOW_MS = 14 * 24 * 3_600_000;
/** Deliveries re-opened and queued per recovery step (five sendBatch calls). */
export const RECOVERY_CHUNK = 500;
/** Recovery steps per lane alarm before it hands over to the next alarm. */
export const RECOVERY_STEPS_PER_ALARM = 10;
/** How long a recovery waits, when its last chunk is mostly unsent, before it looks again. */
export const RECOVERY_PAUSE_MS = 100;

// ── The local inbox (development only, docs/inbox.md) ──────────────────────────────────────────────

/** The most of a body the inbox keeps (and verifies); larger bodies are kept cut, and not verified. */
export const INBOX_BODY_BYTES = 256 * 1024;
/** Requests kept per inbox name; the oldest go first. */
export const INBOX_KEEP = 500;

// ── Housekeeping ────────────────────────────────────────────────────────────────────────────────────

/** A pending delivery this far past its due time is presumed lost and queued again (the sweep). A late
 * one is still sent once: the consumer ignores the copy of an attempt already recorded. */
export const STALLED_AFTER_MS = 15 * 60 * 1000;
/** Deliveries a history object's sweep queues again per run. */
export const SWEEP_LIMIT = 500;
/** A deleted destination's deliveries are removed from each history partition this many at a time. */
export const FORGET_CHUNK = 5_000;
/** Days deliveries, attempts and events are kept, unless RETENTION_DAYS says otherwise: each history
 * partition deletes itself that long after its end. */
export const DEFAULT_RETENTION_DAYS = 30;
/** Hours one history partition spans, unless HISTORY_PARTITION_HOURS says otherwise (docs/storage.md). */
export const DEFAULT_PARTITION_HOURS = 24;
/** A partition's length is 1 s to this many seconds (the 5 hex digits a history id gives it: ~12 days). */
export const MAX_PARTITION_SECONDS = 0xfffff;
/** A checked API key is remembered this long, so a revoked key may still be accepted for as long. */
export const KEY_CACHE_TTL_MS = 30_000;
/** A workspace's subscriptions are remembered this long by each isolate (the fan-out reads them there): a
 * destination created, changed, disabled or deleted reaches the other isolates' fan-outs within it. */
export const SUBSCRIPTIONS_CACHE_TTL_MS = 5_000;

// ── Filters (docs/filters.md "Bounds") ──────────────────────────────────────────────────────────────

/** A filter's size as JSON (UTF-8 bytes), its nesting, its conditions (each operator of each path counts
 * one) and the segments of a dotted path: so matching one costs at most FILTER_MAX_CONDITIONS path reads. */
export const FILTER_MAX_BYTES = 4096;
export const FILTER_MAX_DEPTH = 8;
export const FILTER_MAX_CONDITIONS = 50;
export const FILTER_MAX_PATH_SEGMENTS = 16;

// ── The dashboard (docs/dashboard.md) ───────────────────────────────────────────────────────────────

/** How many of a destination's newest deliveries the health figures cover. */
export const HEALTH_WINDOW = 50;
/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const IDLE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;
/** A one-time secret waits this long for its page (long enough for the redirect to land; short enough
 * that a lost one does not linger). */
export const REVEAL_TTL_MS = 10 * 60 * 1000;
