// Which ALLOW_PRIVATE_DESTINATIONS `npm run dev` runs with, and why: a command-line flag or an exported
// variable overrides .dev.vars for this run (and says so); otherwise .dev.vars decides, as it does for
// plain `wrangler dev`. Pure, so its rules are tested on their own (test/node/dev-settings.test.mjs).

/** The value of `name` in a .dev.vars (dotenv) text, or undefined. */
export function devVar(text, name) {
  let value;
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || match[1] !== name) continue;
    const raw = match[2] ?? "";
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    value = quoted ? quoted[2] : raw.replace(/\s+#.*$/, "");
  }
  return value;
}

/**
 * @param {{ flag: boolean, exported: string | undefined, devVarsText: string | null }} input
 * @returns {{ allowPrivate: boolean, override: string | null, message: string }}
 *   `override` is the `--var` value to pass to wrangler, or null to let it read .dev.vars.
 */
export function allowPrivateSetting({ flag, exported, devVarsText }) {
  const fromFile = devVarsText === null ? undefined : devVar(devVarsText, "ALLOW_PRIVATE_DESTINATIONS");
  const fileSays = fromFile === undefined ? "absent" : `ALLOW_PRIVATE_DESTINATIONS=${fromFile}`;
  if (flag || exported !== undefined) {
    const allowPrivate = flag || exported === "true";
    const by = flag ? "--allow-private" : `ALLOW_PRIVATE_DESTINATIONS=${exported} in the environment`;
    return {
      allowPrivate,
      override: String(allowPrivate),
      message: `${by} overrides .dev.vars (${fileSays}) for this run: private and local URLs are ${allowPrivate ? "accepted" : "refused"}.`,
    };
  }
  const allowPrivate = fromFile === "true";
  return {
    allowPrivate,
    override: null,
    message:
      fromFile === undefined
        ? "ALLOW_PRIVATE_DESTINATIONS is not set in .dev.vars: private and local URLs are refused, as in production; `npm run dev -- --allow-private` accepts them."
        : `.dev.vars sets ${fileSays}: private and local URLs are ${allowPrivate ? "accepted (http too), for local receivers" : "refused, as in production; `npm run dev -- --allow-private` accepts them"}.`,
  };
}
