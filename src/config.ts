// What the worker's configuration (its vars) says, read in one place. Production never sets
// ALLOW_PRIVATE_DESTINATIONS; local development may (docs/url-policy.md, docs/inbox.md).

/** Destinations may point at private and local addresses (a receiver on this machine). */
export const allowsPrivateDestinations = (env: Pick<Env, "ALLOW_PRIVATE_DESTINATIONS">) =>
  env.ALLOW_PRIVATE_DESTINATIONS === "true";

/** The development tools (the local inbox, its page and its link) exist exactly where a destination
 * may point at this machine, so that production has none of them. */
export const devToolsEnabled = allowsPrivateDestinations;

/** Hours a destination may fail without a break before it is disabled (docs/lifecycle.md). */
export const AUTO_DISABLE_DEFAULT_HOURS = 120;

/**
 * AUTO_DISABLE_AFTER_HOURS in milliseconds: 120 hours (5 days) unless set; decimals are allowed so a
 * test can watch a destination fail, warn and be disabled in seconds. A value that is not a positive
 * number is the default.
 */
export function autoDisableAfterMs(env: object): number {
  const raw = (env as { AUTO_DISABLE_AFTER_HOURS?: unknown }).AUTO_DISABLE_AFTER_HOURS;
  const hours = typeof raw === "string" || typeof raw === "number" ? Number(raw) : Number.NaN;
  return Math.round((Number.isFinite(hours) && hours > 0 ? hours : AUTO_DISABLE_DEFAULT_HOURS) * 3_600_000);
}
