// The consumer's per-delivery work inside workerd, without the queue and without D1. Bundled by
// bench/run.mjs with esbuild from the src/ modules the worker ships, and run as its own Miniflare
// worker. The driver times requests from outside (workerd's clocks only advance across I/O) and
// subtracts an n=0 request.
//
// GET /?mode=render&n=20000   renderRequest(destination, payload) + signPayload, the key imported once
// GET /?mode=parse&n=20000    JSON.parse(stored payload) + the above, as the consumer does per row
// GET /?mode=prep&n=20000     the above + deliveryHeaders + checkDestinationUrl: everything but the send
// GET /?mode=baseline&n=20000 JSON.stringify(payload) + signPayload only
// GET /send?n=2000&c=100      the "prep" work + src/dispatch/send.ts sendRequest to RECEIVER_URL, at
//                             concurrency c: the consumer's send phase with no queue and no D1
import { renderRequest } from "../src/dispatch/render.ts";
import { sendRequest } from "../src/dispatch/send.ts";
import { deliveryHeaders, importSigningKey, signPayload } from "../src/dispatch/sign.ts";
import { checkDestinationUrl } from "../src/dispatch/url-policy.ts";
import { generateSigningSecret } from "../src/secrets/signing-secret.ts";
import { contact, renderableDestination } from "./fixtures.mjs";

const payload = {
  event: {
    id: "evt_0190f3a1b2c3d4e5f60718293a4b5c6d",
    type: "contact.updated",
    occurred_at: "2026-11-26T21:00:00.000Z",
  },
  workspace: { uuid: "0190f3a1-b2c3-7d4e-8f60-718293a4b5c6" },
  contact: contact(1),
};
const stored = JSON.stringify(payload);
const deliveryId = "dlv_0190f3a1b2c3d4e5f60718293a4b5c6e";
let key;

/** What the consumer does for one row before sending: parse, render, sign, headers, URL policy. */
async function prepare(destination, keys, id, allowPrivate) {
  const rendered = renderRequest(destination, JSON.parse(stored));
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = await signPayload(keys, id, timestamp, rendered.body ?? "");
  const headers = deliveryHeaders(rendered.headers, {
    id,
    timestamp,
    eventType: "contact.updated",
    signature,
  });
  const verdict = checkDestinationUrl(rendered.url, { allowPrivate });
  if (!verdict.ok) throw new Error(verdict.reason);
  return { rendered, headers };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    const n = Number(params.get("n") ?? 0);
    key ??= importSigningKey(generateSigningSecret());
    const keys = [await key];

    if (url.pathname === "/send") {
      const destination = renderableDestination(env.RECEIVER_URL);
      const concurrency = Number(params.get("c"));
      const prefix = params.get("prefix") ?? "send";
      let next = 0;
      let ok = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          const { rendered, headers } = await prepare(destination, keys, `${prefix}-${i}`, true);
          const result = await sendRequest(rendered, headers, 10);
          if (result.errorClass === null) ok++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
      return Response.json({ n, ok });
    }

    const mode = params.get("mode") ?? "render";
    const destination = renderableDestination("https://hooks.example.com");
    const timestamp = Math.floor(Date.now() / 1000);
    let checksum = 0;
    for (let i = 0; i < n; i++) {
      if (mode === "prep") {
        const { headers } = await prepare(destination, keys, deliveryId, false);
        checksum += headers.get("x-leadpush-signature")?.length ?? 0;
        continue;
      }
      let body;
      if (mode === "baseline") {
        body = JSON.stringify(payload);
      } else {
        const rendered = renderRequest(destination, mode === "parse" ? JSON.parse(stored) : payload);
        body = rendered.body ?? "";
        checksum += rendered.url.length + rendered.headers.length;
      }
      const signature = await signPayload(keys, deliveryId, timestamp, body);
      checksum += signature.length + body.length;
    }
    return Response.json({ n, mode, checksum });
  },
};
