// The worker's settings (its vars), each parsed once into a typed Config: nothing else reads a setting
// off `env`. Production never sets ALLOW_PRIVATE_DESTINATIONS or DEV_RETRY_SPEEDUP (wrangler.toml sets
// neither; test/node/production-config.test.mjs holds it to that); local development and tests may
// (docs/url-policy.md, docs/inbox.md, docs/lifecycle.md).
import {
  AUTO_DISABLE_DEFAULT_HOURS,
  DEFAULT_PARTITION_HOURS,
  DEFAULT_RETENTION_DAYS,
  MAX_PARTITION_SECONDS,
} from "./limits";

export type Config = {
  /** Destinations may point at private and local addresses (a receiver on this machine). */
  allowPrivateDestinations: boolean;
  /** The URL policy's options, for save time and send time alike. */
  urlPolicy: { allowPrivate: boolean };
  /** The development tools (the local inbox, its page and its link) exist exactly where a destination
   * may point at this machine, so that production has none of them. */
  devTools: boolean;
  /** How long a destination may fail without a break before it is disabled, in ms. */
  autoDisableAfterMs: number;
  /** What every retry delay is divided by: 1 except in local soak tests. */
  retrySpeedup: number;
  /** How many days deliveries, attempts and events are kept (decimals allowed), and the same in ms. */
  retentionDays: number;
  retentionMs: number;
  /** The length of one history partition, in whole seconds (docs/storage.md). */
  partitionSeconds: number;
};

/** The settings that are not bindings. Two are dev-only and absent from the production config, so the
 * generated Env does not list them; they are read through this one widened view. */
type Settings = Pick<Env, "ALLOW_PRIVATE_DESTINATIONS" | "RETENTION_DAYS"> & {
  DEV_RETRY_SPEEDUP?: unknown;
  AUTO_DISABLE_AFTER_HOURS?: unknown;
  HISTORY_PARTITION_HOURS?: unknown;
};

/** A setting as a positive number; null when it is unset or not one. */
function positive(raw: unknown): number | null {
  const value = typeof raw === "string" || typeof raw === "number" ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

const allowsPrivate = (env: Settings) => env.ALLOW_PRIVATE_DESTINATIONS === "true";

/**
 * AUTO_DISABLE_AFTER_HOURS in milliseconds: 120 hours (5 days) unless set; decimals are allowed so a
 * test can watch a destination fail, warn and be disabled in seconds. A value that is not a positive
 * number is the default.
 */
export function autoDisableAfterMs(env: Settings): number {
  return Math.round((positive(env.AUTO_DISABLE_AFTER_HOURS) ?? AUTO_DISABLE_DEFAULT_HOURS) * 3_600_000);
}

/**
 * Local soak tests only: DEV_RETRY_SPEEDUP divides every retry delay, so a day of retries takes
 * seconds. Honoured only with ALLOW_PRIVATE_DESTINATIONS=true.
 */
export function retrySpeedup(env: Settings): number {
  const value = Number(env.DEV_RETRY_SPEEDUP);
  return allowsPrivate(env) && Number.isFinite(value) && value > 1 ? value : 1;
}

/** RETENTION_DAYS: days, decimals allowed (so a test can keep minutes); the default when unset or unreadable. */
export function retentionDays(env: Settings): number {
  return positive(env.RETENTION_DAYS) ?? DEFAULT_RETENTION_DAYS;
}

/**
 * HISTORY_PARTITION_HOURS in whole seconds, at least 1 and at most MAX_PARTITION_SECONDS (what an id can
 * say); decimals allowed, so a test can use partitions of seconds. The default when unset or unreadable.
 */
export function partitionSeconds(env: Settings): number {
  const seconds = Math.round((positive(env.HISTORY_PARTITION_HOURS) ?? DEFAULT_PARTITION_HOURS) * 3600);
  return Math.min(Math.max(seconds, 1), MAX_PARTITION_SECONDS);
}

function parse(env: Settings): Config {
  const allowPrivate = allowsPrivate(env);
  return {
    allowPrivateDestinations: allowPrivate,
    urlPolicy: { allowPrivate },
    devTools: allowPrivate,
    autoDisableAfterMs: autoDisableAfterMs(env),
    retrySpeedup: retrySpeedup(env),
    retentionDays: retentionDays(env),
    retentionMs: Math.round(retentionDays(env) * 86_400_000),
    partitionSeconds: partitionSeconds(env),
  };
}

// The runtime hands every request of an isolate the same env object, so this parses once per isolate.
const parsed = new WeakMap<object, Config>();

/** The worker's settings, parsed from `env` the first time they are asked for. */
export function configOf(env: Settings): Config {
  let config = parsed.get(env);
  if (config === undefined) {
    config = parse(env);
    parsed.set(env, config);
  }
  return config;
}
