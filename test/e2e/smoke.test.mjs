// End to end: `scripts/dev.mjs` (the real `npm run dev`: migrations, seed, `wrangler dev`) driven over
// real HTTP. It runs on a free port with a throwaway persistence directory, so it never touches the
// developer's .wrangler state or a running `npm run dev`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const groupAlive = (pid) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

const killGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
};

/** Starts scripts/dev.mjs in its own process group and resolves with its LEADPUSH_DEV_READY payload. */
function startDev(port, persistDir, state) {
  const child = spawn(process.execPath, [join(root, "scripts", "dev.mjs"), "--port", String(port)], {
    cwd: root,
    env: { ...process.env, LEADPUSH_PERSIST_DIR: persistDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  state.child = child;
  state.exited = new Promise((done) => child.once("close", done));
  child.stdout.on("data", (chunk) => {
    state.output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    state.output += chunk;
  });
  return new Promise((done, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dev.mjs not ready in ${READY_TIMEOUT_MS / 1000} s. Output:\n${state.output}`)),
      READY_TIMEOUT_MS,
    );
    const onData = () => {
      const line = state.output.split("\n").find((l) => l.startsWith("LEADPUSH_DEV_READY "));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      done(JSON.parse(line.slice("LEADPUSH_DEV_READY ".length)));
    };
    child.stdout.on("data", onData);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`dev.mjs exited (${signal ?? code}) before it was ready. Output:\n${state.output}`));
    });
  });
}

describe("npm run dev, end to end", () => {
  const state = { child: null, exited: null, output: "" };
  let persistDir;
  let dev;
  let api;

  const call = (method, path, { body, key = dev.api_key } = {}) =>
    fetch(`${dev.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(
    async () => {
      persistDir = await mkdtemp(join(tmpdir(), "leadpush-e2e-"));
      dev = await startDev(await freePort(), persistDir, state);
      api = `/v1/workspaces/${dev.workspace}/destinations`;
    },
    { timeout: READY_TIMEOUT_MS + 5_000 },
  );

  after(
    async () => {
      const { child } = state;
      if (child && child.exitCode === null && child.signalCode === null) {
        // dev.mjs stops wrangler's process group on SIGTERM and then exits.
        killGroup(child.pid, "SIGTERM");
        let timer;
        const stopped = await Promise.race([
          state.exited.then(() => true),
          new Promise((done) => {
            timer = setTimeout(() => done(false), STOP_TIMEOUT_MS);
          }),
        ]);
        clearTimeout(timer);
        if (!stopped) killGroup(child.pid, "SIGKILL");
      }
      // Whatever happened above, no wrangler or workerd may outlive the test.
      if (dev?.wrangler_pid && groupAlive(dev.wrangler_pid)) killGroup(dev.wrangler_pid, "SIGKILL");
      if (persistDir) await rm(persistDir, { recursive: true, force: true });
    },
    { timeout: STOP_TIMEOUT_MS + 5_000 },
  );

  const created = {};

  it("answers GET /healthz", async () => {
    const response = await fetch(`${dev.url}/healthz`);
    assert.equal(response.status, 200);
  });

  it("creates a destination with the dev key and shows its secret once", async () => {
    const response = await call("POST", api, {
      body: {
        name: "E2E receiver",
        method: "POST",
        url_template: "https://example.com/webhooks/{{ event.type }}",
        event_types: ["contact.created"],
      },
    });
    assert.equal(response.status, 201);
    const body = await response.json();
    assert.match(body.id, /^dst_[0-9a-f]{32}$/);
    assert.ok(body.secret.startsWith("whsec_"), `secret: ${body.secret}`);
    assert.equal(body.enabled, true);
    created.id = body.id;
    created.secret = body.secret;
  });

  it("reads it back without the secret", async () => {
    const response = await call("GET", `${api}/${created.id}`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.id, created.id);
    assert.equal(body.name, "E2E receiver");
    assert.equal("secret" in body, false);
  });

  it("lists it", async () => {
    const response = await call("GET", api);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.ok(body.data.some((d) => d.id === created.id));
    assert.ok(body.data.every((d) => !("secret" in d)));
  });

  it("rejects an invalid destination with a 400 problem and writes nothing", async () => {
    const countBefore = (await (await call("GET", api)).json()).data.length;
    // npm run dev refuses private and local URLs unless started with --allow-private.
    for (const invalid of [
      { url_template: "https://127.0.0.1/hook" },
      { url_template: "http://localhost:9999/hook" },
      { url_template: "https://0x7f.1/" },
      { url_template: "https://[::ffff:10.0.0.1]/" },
      { url_template: "ftp://example.com/" },
      { url_template: "https://user:pw@example.com/" },
      { url_template: "https://example.com/", headers_template: [{ key: "X-Leadpush-Id", value: "x" }] },
    ]) {
      const response = await call("POST", api, {
        body: { name: "Bad", method: "POST", event_types: ["contact.created"], ...invalid },
      });
      assert.equal(response.status, 400, JSON.stringify(invalid));
      assert.match(response.headers.get("content-type"), /^application\/problem\+json/);
      const problem = await response.json();
      assert.equal(problem.status, 400);
      assert.ok(problem.detail);
    }
    const afterCount = (await (await call("GET", api)).json()).data.length;
    assert.equal(afterCount, countBefore);
  });

  it("refuses a request without a key", async () => {
    const response = await call("GET", api, { key: null });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("content-type"), /^application\/problem\+json/);
  });

  it("disables it with PATCH", async () => {
    const response = await call("PATCH", `${api}/${created.id}`, { body: { enabled: false } });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).enabled, false);
    const reread = await (await call("GET", `${api}/${created.id}`)).json();
    assert.equal(reread.enabled, false);
  });

  it("rotates its secret", async () => {
    const response = await call("POST", `${api}/${created.id}/rotate-secret`, { body: {} });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.ok(body.secret.startsWith("whsec_"));
    assert.notEqual(body.secret, created.secret);
  });

  it("deletes it", async () => {
    const response = await call("DELETE", `${api}/${created.id}`);
    assert.equal(response.status, 204);
    assert.equal((await call("GET", `${api}/${created.id}`)).status, 404);
  });

  it("serves the OpenAPI document", async () => {
    const response = await fetch(`${dev.url}/openapi.json`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).openapi, "3.1.0");
  });
});
