// What the worker's configuration (its vars) says, read in one place. Production never sets
// ALLOW_PRIVATE_DESTINATIONS; local development may (docs/url-policy.md, docs/inbox.md).

/** Destinations may point at private and local addresses (a receiver on this machine). */
export const allowsPrivateDestinations = (env: Pick<Env, "ALLOW_PRIVATE_DESTINATIONS">) =>
  env.ALLOW_PRIVATE_DESTINATIONS === "true";

/** The development tools (the local inbox, its page and its link) exist exactly where a destination
 * may point at this machine, so that production has none of them. */
export const devToolsEnabled = allowsPrivateDestinations;
