// The consumer's per-delivery work inside workerd, without the queue and without D1. Bundled by
// bench/per-delivery.mjs with esbuild from the src/ modules the worker ships, and run as its own
// Miniflare worker. The driver times requests from outside (workerd's clocks only advance across I/O)
// and subtracts an n=0 request.
//
// GET /?mode=work&n=20000   the per-delivery work before the send, as src/dispatch/attempt.ts does it:
//                           JSON.parse(stored payload) → prepareRequest (render, then the rendered-URL
//                           policy) → signingKeysFor (the consumer's key cache: imported once) →
//                           signPayload → deliveryHeaders. Its parts, each alone on precomputed inputs:
//   mode=part-render        JSON.parse(stored payload) + renderRequest
//   mode=part-url           checkDestinationUrl(rendered URL)
//   mode=part-sign          signingKeysFor + signPayload
//   mode=part-headers       deliveryHeaders
// GET /?mode=render&n=…     renderRequest + signPayload, one payload object, the key imported once
// GET /?mode=parse&n=…      JSON.parse(stored payload) + the above
// GET /?mode=baseline&n=…   JSON.stringify(payload) + signPayload only
// GET /send?n=2000&c=100    the "work" + src/dispatch/send.ts sendRequest to RECEIVER_URL at concurrency c:
//                           the consumer's send phase with no queue and no D1
//
// Rows cycle through ROWS distinct deliveries (distinct contacts, so distinct URLs, bodies and ids), so a
// cache keyed by a rendered value would not see the same input twice in a row.

import { signingKeysFor } from "../src/dispatch/keys.ts";
import { prepareRequest } from "../src/dispatch/prepare.ts";
import { renderRequest } from "../src/dispatch/render.ts";
import { sendRequest } from "../src/dispatch/send.ts";
import { deliveryHeaders, importSigningKey, signPayload } from "../src/dispatch/sign.ts";
import { checkDestinationUrl } from "../src/dispatch/url-policy.ts";
import { buildPayload } from "../src/events/payload.ts";
import { encryptSecret } from "../src/secrets/at-rest.ts";
import { generateSigningSecret } from "../src/secrets/signing-secret.ts";
import { contact, renderableDestination } from "./fixtures.mjs";

const ROWS = 1000;
const WORKSPACE = "0190f3a1-b2c3-7d4e-8f60-718293a4b5c6";
const DESTINATION_ID = "dst_0190f3a1b2c3d4e5f60718293a4b5c6f";
const hexId = (prefix, n) => `${prefix}_0190f3a1b2c3${n.toString(16).padStart(20, "0")}`;
const payloadOf = (n) =>
  buildPayload(hexId("evt", n), "contact.updated", WORKSPACE, contact(n), "2026-11-26T21:00:00.000Z");

const policy = { allowPrivate: false };
// The consumer's env as far as this work reads it; SECRET_ENCRYPTION_KEY is made in setup(), since
// workerd allows no random values at module scope.
const env = { SECRET_ENCRYPTION_KEY: "", ALLOW_PRIVATE_DESTINATIONS: "false" };

/** Rows shaped like src/dispatch/load.ts's LoadedDelivery, sending to `base`. */
async function loadedRows(base) {
  const secretCiphertext = await encryptSecret(
    env.SECRET_ENCRYPTION_KEY,
    DESTINATION_ID,
    generateSigningSecret(),
  );
  const destination = renderableDestination(base);
  return Array.from({ length: ROWS }, (_, i) => ({
    id: hexId("dlv", i + 1),
    status: "pending",
    attemptsMade: 0,
    eventType: "contact.updated",
    destinationId: DESTINATION_ID,
    enabled: true,
    ...destination,
    timeoutSeconds: 10,
    secretCiphertext,
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    payload: JSON.stringify(payloadOf(i + 1)),
  }));
}

/**
 * What src/dispatch/attempt.ts's attemptDelivery does for one row before `sendRequest`. (If src/ exports
 * this step as one function, the bench should call that function here instead.)
 */
async function workBeforeSend(row, envLike, urlPolicy, startedAt) {
  const prepared = prepareRequest(row, JSON.parse(row.payload), urlPolicy);
  if (!prepared.ok) throw new Error(prepared.message);
  const { request } = prepared;
  const timestamp = Math.floor(startedAt / 1000);
  const signature = await signPayload(
    await signingKeysFor(envLike, row),
    row.id,
    timestamp,
    request.body ?? "",
  );
  const headers = deliveryHeaders(request.headers, {
    id: row.id,
    timestamp,
    eventType: row.eventType,
    signature,
  });
  return { request, headers };
}

let rows; // for https://hooks.example.com, the per-delivery figures
let parts; // precomputed inputs of each part
let sendRows; // for the receiver, the send loop
let fixedKey; // one imported HMAC key, for the render + sign figures
let ready;

async function setup(receiverUrl) {
  env.SECRET_ENCRYPTION_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  rows = await loadedRows("https://hooks.example.com");
  sendRows = (await loadedRows(receiverUrl)).map((r) => ({
    ...r,
    secretCiphertext: rows[0].secretCiphertext,
  }));
  fixedKey = await importSigningKey(generateSigningSecret());
  const now = Date.now();
  parts = [];
  for (const row of rows) {
    const request = renderRequest(row, JSON.parse(row.payload));
    const timestamp = Math.floor(now / 1000);
    const signature = await signPayload(
      await signingKeysFor(env, row),
      row.id,
      timestamp,
      request.body ?? "",
    );
    parts.push({ row, request, meta: { id: row.id, timestamp, eventType: row.eventType, signature } });
  }
}

const payload = payloadOf(1);
const stored = JSON.stringify(payload);
const deliveryId = hexId("dlv", 1);

export default {
  async fetch(request, workerEnv) {
    const url = new URL(request.url);
    const params = url.searchParams;
    const n = Number(params.get("n") ?? 0);
    ready ??= setup(workerEnv.RECEIVER_URL);
    await ready;

    if (url.pathname === "/send") {
      const concurrency = Number(params.get("c"));
      const prefix = params.get("prefix") ?? "send";
      const sendEnv = { ...env, ALLOW_PRIVATE_DESTINATIONS: "true" };
      let next = 0;
      let ok = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          const row = { ...sendRows[i % ROWS], id: `${prefix}-${i}` };
          const { request: rendered, headers } = await workBeforeSend(
            row,
            sendEnv,
            { allowPrivate: true },
            Date.now(),
          );
          const result = await sendRequest(rendered, headers, row.timeoutSeconds);
          if (result.errorClass === null) ok++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
      return Response.json({ n, ok });
    }

    const mode = params.get("mode") ?? "work";
    const timestamp = Math.floor(Date.now() / 1000);
    const keys = [fixedKey];
    let checksum = 0;
    for (let i = 0; i < n; i++) {
      const k = i % ROWS;
      switch (mode) {
        case "work": {
          const { headers } = await workBeforeSend(rows[k], env, policy, Date.now());
          checksum += headers.get("x-leadpush-signature")?.length ?? 0;
          break;
        }
        case "part-render": {
          const r = renderRequest(rows[k], JSON.parse(rows[k].payload));
          checksum += r.url.length + (r.body?.length ?? 0);
          break;
        }
        case "part-url": {
          const verdict = checkDestinationUrl(parts[k].request.url, policy);
          if (!verdict.ok) throw new Error(verdict.reason);
          checksum += 1;
          break;
        }
        case "part-sign": {
          const { row, request: r } = parts[k];
          const signature = await signPayload(
            await signingKeysFor(env, row),
            row.id,
            timestamp,
            r.body ?? "",
          );
          checksum += signature.length;
          break;
        }
        case "part-headers": {
          const headers = deliveryHeaders(parts[k].request.headers, parts[k].meta);
          checksum += headers.has("x-leadpush-id") ? 1 : 0;
          break;
        }
        case "render":
        case "parse": {
          const rendered = renderRequest(rows[0], mode === "parse" ? JSON.parse(stored) : payload);
          const signature = await signPayload(keys, deliveryId, timestamp, rendered.body ?? "");
          checksum += signature.length + rendered.url.length + rendered.headers.length;
          break;
        }
        case "baseline": {
          const body = JSON.stringify(payload);
          checksum += (await signPayload(keys, deliveryId, timestamp, body)).length;
          break;
        }
        default:
          return Response.json({ error: `unknown mode ${mode}` }, { status: 400 });
      }
    }
    return Response.json({ n, mode, checksum });
  },
};
