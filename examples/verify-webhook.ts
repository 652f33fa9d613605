// Verify a Leadpush webhook delivery. Copy this file into your receiver: it has no dependencies and
// runs wherever WebCrypto does (Node 18+, Cloudflare Workers, Deno, Bun, browsers).
//
//   const body = await request.text();            // the raw body, before any JSON parsing
//   if (!(await verifyLeadpushWebhook(process.env.LEADPUSH_SECRET, request.headers, body))) {
//     return new Response("invalid signature", { status: 401 });
//   }
//
// During a secret rotation, pass both secrets: verifyLeadpushWebhook([newSecret, oldSecret], …).
// Deliveries are retried with the same X-Leadpush-Id: use it to ignore a delivery you already handled.

/** Deliveries older (or newer) than this are refused, so a captured request cannot be replayed later. */
export const TOLERANCE_SECONDS = 5 * 60;

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string {
  if (headers instanceof Headers) return headers.get(name) ?? "";
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(base64);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Compares in time that depends only on the length, never on where the bytes differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * True when `X-Leadpush-Timestamp` is within 5 minutes of now and one of the `v1,` signatures in
 * `X-Leadpush-Signature` is the HMAC-SHA256, under one of `secrets`, of `{id}.{timestamp}.{body}`.
 */
export async function verifyLeadpushWebhook(
  secrets: string | string[],
  headers: HeaderSource,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const id = header(headers, "X-Leadpush-Id");
  const timestamp = header(headers, "X-Leadpush-Timestamp");
  const signatures = header(headers, "X-Leadpush-Signature");
  if (!id || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;

  const candidates = signatures
    .split(" ")
    .map((entry) => (entry.startsWith("v1,") ? base64ToBytes(entry.slice(3)) : null))
    .filter((bytes) => bytes !== null);
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  let matched = false;
  for (const secret of Array.isArray(secrets) ? secrets : [secrets]) {
    const raw = base64ToBytes(secret.startsWith("whsec_") ? secret.slice(6) : secret);
    if (!raw) continue;
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
    // No early exit: the time taken does not reveal which candidate matched.
    for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
  }
  return matched;
}
