// `npm run dev` honours .dev.vars; a flag or an exported variable overrides it for one run and says so.
import assert from "node:assert/strict";
import { test } from "node:test";
import { allowPrivateSetting, devVar } from "../../scripts/dev-settings.mjs";

test("reads a value from .dev.vars text, quoted or not, comments aside", () => {
  const text = '# comment\nOPERATOR_TOKEN=x\nALLOW_PRIVATE_DESTINATIONS = "true"\n';
  assert.equal(devVar(text, "ALLOW_PRIVATE_DESTINATIONS"), "true");
  assert.equal(devVar("ALLOW_PRIVATE_DESTINATIONS=false # off\n", "ALLOW_PRIVATE_DESTINATIONS"), "false");
  assert.equal(devVar("OTHER=1", "ALLOW_PRIVATE_DESTINATIONS"), undefined);
});

test(".dev.vars decides when nothing overrides it, and wrangler reads it itself", () => {
  const on = allowPrivateSetting({
    flag: false,
    exported: undefined,
    devVarsText: "ALLOW_PRIVATE_DESTINATIONS=true\n",
  });
  assert.deepEqual([on.allowPrivate, on.override], [true, null]);
  assert.match(
    on.message,
    /\.dev\.vars sets ALLOW_PRIVATE_DESTINATIONS=true: private and local URLs are accepted/,
  );
  const off = allowPrivateSetting({
    flag: false,
    exported: undefined,
    devVarsText: "ALLOW_PRIVATE_DESTINATIONS=false\n",
  });
  assert.deepEqual([off.allowPrivate, off.override], [false, null]);
  const absent = allowPrivateSetting({ flag: false, exported: undefined, devVarsText: "" });
  assert.equal(absent.allowPrivate, false);
  assert.match(absent.message, /not set in \.dev\.vars/);
});

test("--allow-private or an exported variable overrides .dev.vars for the run, and says so", () => {
  const flag = allowPrivateSetting({
    flag: true,
    exported: undefined,
    devVarsText: "ALLOW_PRIVATE_DESTINATIONS=false\n",
  });
  assert.deepEqual([flag.allowPrivate, flag.override], [true, "true"]);
  assert.match(
    flag.message,
    /--allow-private overrides \.dev\.vars \(ALLOW_PRIVATE_DESTINATIONS=false\) for this run/,
  );
  const exported = allowPrivateSetting({
    flag: false,
    exported: "false",
    devVarsText: "ALLOW_PRIVATE_DESTINATIONS=true\n",
  });
  assert.deepEqual([exported.allowPrivate, exported.override], [false, "false"]);
  assert.match(
    exported.message,
    /in the environment overrides \.dev\.vars \(ALLOW_PRIVATE_DESTINATIONS=true\)/,
  );
});
