// The consumer's per-delivery work inside workerd, without the queue and without D1. Bundled by
// bench/per-delivery.mjs with esbuild from the src/ modules the worker ships, and run as its own
// Miniflare worker. The driver times requests from outside (workerd's clocks only advance across I/O)
// and subtracts an n=0 request.
//
// The rows are shaped like src/dispatch/load.ts's LoadedDelivery: 100 events × 10 destinations (each
// destination its own host and signing secret), in the order a batch brings them, and a "batch" is 100
// rows. The consumer (src/dispatch/consume.ts) parses each event's payload once per batch, then for each
// delivery gets its signing keys (signingKeysFor: imported once, then cached) and does what its batch
// pass does (src/dispatch/batch-pass.ts; signedRequest below: render, rendered-URL policy, sign,
// delivery headers) before it sends.
//
// GET /?mode=work&n=20000   all of that: the per-delivery work before the send
//   mode=signed             signedRequest alone (payload parsed, keys at hand)
//   mode=part-parse         JSON.parse(stored payload), once per event per batch (as the consumer does)
//   mode=part-render        renderRequest
//   mode=part-url           the rendered-URL policy as prepareRequest applies it: checkRenderedUrl(new URL(url))
//   mode=part-keys          signingKeysFor (cache hit)
//   mode=part-sign          signPayload
//   mode=part-headers       deliveryHeaders
// GET /?mode=render&n=…     renderRequest + signPayload, one payload object, one key (the ≤ 20 µs figure)
// GET /?mode=parse&n=…      JSON.parse(stored payload) + the above
// GET /?mode=baseline&n=…   JSON.stringify(payload) + signPayload only
// GET /send?n=2000&c=100    the "work" + src/dispatch/send.ts sendRequest to RECEIVER_URL at concurrency c:
//                           the consumer's send phase with no queue and no D1
//     &bare=1               the same with a bare fetch + arrayBuffer() instead of sendRequest (no timeout
//                           signal, no bounded excerpt): what sendRequest's own work costs
import { signPrepared } from "../src/dispatch/attempt.ts";
import { signingKeysFor } from "../src/dispatch/keys.ts";
import { sendRequest } from "../src/dispatch/send.ts";
import { buildPayload } from "../src/events/payload.ts";
import { prepareRequest } from "../src/rules/prepare.ts";
import { renderRequest } from "../src/rules/render.ts";
import { deliveryHeaders, importSigningKey, signPayload } from "../src/rules/signature.ts";
import { checkRenderedUrl } from "../src/rules/url-policy.ts";
import { encryptSecret } from "../src/secrets/at-rest.ts";
import { generateSigningSecret } from "../src/secrets/signing-secret.ts";
import { contact, renderableDestination } from "./fixtures.mjs";

/** The batch pass's work for one delivery (src/dispatch/batch-pass.ts), with the keys at hand. */
async function signedRequest(row, payload, keys, policy, timestamp) {
  const prepared = prepareRequest(row, payload, policy);
  if (!prepared.ok) return prepared;
  return {
    ok: true,
    request: prepared.request,
    signed: await signPrepared(row, prepared.request, keys, timestamp),
  };
}

const EVENTS = 100;
const FANOUT = 10;
const ROWS = EVENTS * FANOUT;
const BATCH = 100;
const WORKSPACE = "0190f3a1-b2c3-7d4e-8f60-718293a4b5c6";
const hexId = (prefix, n) => `${prefix}_0190f3a1b2c3${n.toString(16).padStart(20, "0")}`;
const payloadOf = (n) =>
  buildPayload(hexId("evt", n), "contact.updated", WORKSPACE, contact(n), "2026-11-26T21:00:00.000Z");

const policy = { allowPrivate: false };
// The consumer's env as far as this work reads it; SECRET_ENCRYPTION_KEY is made in setup(), since
// workerd allows no random values at module scope.
const env = { SECRET_ENCRYPTION_KEY: "", ALLOW_PRIVATE_DESTINATIONS: "false" };

/** ROWS loaded deliveries; destination j sends to `base(j)`. */
async function loadedRows(base) {
  const destinations = [];
  for (let j = 0; j < FANOUT; j++) {
    const id = hexId("dst", j + 1);
    const secretCiphertext = await encryptSecret(env.SECRET_ENCRYPTION_KEY, id, generateSigningSecret());
    destinations.push({ destinationId: id, secretCiphertext, ...renderableDestination(base(j)) });
  }
  const rows = [];
  for (let e = 1; e <= EVENTS; e++) {
    const payload = JSON.stringify(payloadOf(e));
    for (const destination of destinations)
      rows.push({
        id: hexId("dlv", rows.length + 1),
        workspaceUuid: WORKSPACE,
        eventId: hexId("evt", e),
        status: "pending",
        attemptsMade: 0,
        eventType: "contact.updated",
        enabled: true,
        ...destination,
        timeoutSeconds: 10,
        previousSecretCiphertext: null,
        previousSecretExpiresAt: null,
        payload,
      });
  }
  return rows;
}

/** As consume.ts's payloadParser: each event's payload parsed once per batch. */
function payloadParser() {
  const parsed = new Map();
  return (row) => {
    const key = `${row.workspaceUuid} ${row.eventId}`;
    let payload = parsed.get(key);
    if (payload === undefined) {
      payload = JSON.parse(row.payload);
      parsed.set(key, payload);
    }
    return payload;
  };
}

/** What the consumer does for one delivery before `sendRequest` (attempt.ts's attemptDelivery). */
async function workBeforeSend(row, payload, envLike, urlPolicy, startedAt) {
  const keys = await signingKeysFor(envLike, row);
  const signed = await signedRequest(row, payload, keys, urlPolicy, Math.floor(startedAt / 1000));
  if (!signed.ok) throw new Error(signed.message);
  return signed;
}

let rows; // to https://hooks-<j>.example.com, for the per-delivery figures
let sendRows; // to the receiver, for the send loop
let inputs; // precomputed inputs of each part
let fixedKey; // one imported HMAC key, for the render + sign figures
let ready;

async function setup(receiverUrl) {
  env.SECRET_ENCRYPTION_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  rows = await loadedRows((j) => `https://hooks-${j}.example.com`);
  sendRows = await loadedRows(() => receiverUrl);
  fixedKey = await importSigningKey(generateSigningSecret());
  const timestamp = Math.floor(Date.now() / 1000);
  inputs = [];
  const payloads = payloadParser(); // one object per event, shared by its deliveries, as in a batch
  for (const row of rows) {
    const payload = payloads(row);
    const request = renderRequest(row, payload);
    const keys = await signingKeysFor(env, row);
    const signature = await signPayload(keys, row.id, timestamp, request.body ?? "");
    const meta = { id: row.id, timestamp, eventType: row.eventType, signature };
    inputs.push({ row, payload, request, keys, meta });
  }
}

const single = payloadOf(1);
const stored = JSON.stringify(single);

export default {
  async fetch(request, workerEnv) {
    const url = new URL(request.url);
    const params = url.searchParams;
    const n = Number(params.get("n") ?? 0);
    ready ??= setup(workerEnv.RECEIVER_URL);
    await ready;

    if (url.pathname === "/send") {
      const concurrency = Number(params.get("c"));
      const bare = params.get("bare") === "1";
      const prefix = params.get("prefix") ?? "send";
      const sendEnv = { ...env, ALLOW_PRIVATE_DESTINATIONS: "true" };
      const sendPolicy = { allowPrivate: true };
      let payloads = payloadParser();
      let next = 0;
      let ok = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          if (i % BATCH === 0) payloads = payloadParser();
          const row = { ...sendRows[i % ROWS], id: `${prefix}-${i}` };
          const signed = await workBeforeSend(row, payloads(row), sendEnv, sendPolicy, Date.now());
          if (bare) {
            const { method, url: target, body } = signed.request;
            const response = await fetch(target, {
              method,
              headers: signed.signed.fields,
              body,
              redirect: "manual",
            });
            await response.arrayBuffer();
            if (response.ok) ok++;
            continue;
          }
          const result = await sendRequest(signed.request, signed.signed.fields, row.timeoutSeconds);
          if (result.exchange.errorClass === null) ok++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
      return Response.json({ n, ok });
    }

    const mode = params.get("mode") ?? "work";
    const timestamp = Math.floor(Date.now() / 1000);
    let payloads = payloadParser();
    let checksum = 0;
    for (let i = 0; i < n; i++) {
      const k = i % ROWS;
      if (i % BATCH === 0) payloads = payloadParser();
      const x = inputs[k];
      switch (mode) {
        case "work": {
          const signed = await workBeforeSend(rows[k], payloads(rows[k]), env, policy, Date.now());
          checksum += Object.keys(signed.signed.fields).length;
          break;
        }
        case "signed": {
          const signed = await signedRequest(x.row, x.payload, x.keys, policy, timestamp);
          checksum += signed.ok ? Object.keys(signed.signed.fields).length : 0;
          break;
        }
        case "part-parse":
          checksum += payloads(rows[k]).event ? 1 : 0;
          break;
        case "part-render": {
          const r = renderRequest(x.row, x.payload);
          checksum += r.url.length + (r.body?.length ?? 0);
          break;
        }
        case "part-url": {
          const blocked = checkRenderedUrl(new URL(x.request.url), policy);
          if (blocked !== null) throw new Error(blocked);
          checksum += 1;
          break;
        }
        case "part-keys":
          checksum += (await signingKeysFor(env, x.row)).length;
          break;
        case "part-sign":
          checksum += (await signPayload(x.keys, x.row.id, timestamp, x.request.body ?? "")).length;
          break;
        case "part-headers":
          checksum += deliveryHeaders(x.request.headers, x.meta).length;
          break;
        case "render":
        case "parse": {
          const rendered = renderRequest(rows[0], mode === "parse" ? JSON.parse(stored) : single);
          const signature = await signPayload([fixedKey], rows[0].id, timestamp, rendered.body ?? "");
          checksum += signature.length + rendered.url.length + rendered.headers.length;
          break;
        }
        case "baseline":
          checksum += (await signPayload([fixedKey], rows[0].id, timestamp, JSON.stringify(single))).length;
          break;
        default:
          return Response.json({ error: `unknown mode ${mode}` }, { status: 400 });
      }
    }
    return Response.json({ n, mode, checksum });
  },
};
