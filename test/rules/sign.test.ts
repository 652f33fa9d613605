import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { TOLERANCE_SECONDS, verifyLeadpushWebhook } from "../../examples/verify-webhook";
import { importSigningKey, signPayload } from "../../src/rules/signature";
import { generateSigningSecret, secretKeyBytes } from "../../src/secrets/signing-secret";

// The receivers' helper (examples/verify-webhook.ts), called with the three header values.
const verifySignature = (
  secrets: string | string[],
  h: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds?: number,
) =>
  verifyLeadpushWebhook(
    secrets,
    { "X-Leadpush-Id": h.id, "X-Leadpush-Timestamp": h.timestamp, "X-Leadpush-Signature": h.signature },
    body,
    nowSeconds,
  );

// Independent reference: HMAC-SHA256 over the raw key, base64 via btoa.
async function referenceSignature(secret: string, content: string): Promise<string> {
  const raw = Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(content)));
  return btoa(String.fromCharCode(...mac));
}

const now = () => Math.floor(Date.now() / 1000);
const asStandardHeaders = (id: string, timestamp: number, signature: string) => ({
  "webhook-id": id,
  "webhook-timestamp": String(timestamp),
  "webhook-signature": signature,
});

describe("secrets", () => {
  it("are whsec_ + base64 of 32 random bytes", () => {
    const a = generateSigningSecret();
    const b = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(secretKeyBytes(a)).toHaveLength(32);
  });

  it("decode the part after whsec_", () => {
    expect([...secretKeyBytes("whsec_AAEC/w==")]).toEqual([0, 1, 2, 255]);
    expect([...secretKeyBytes("AAEC/w==")]).toEqual([0, 1, 2, 255]);
  });

  it("reject invalid or empty secrets", () => {
    expect(() => secretKeyBytes("whsec_!!!")).toThrow("signing secret is not valid base64");
    expect(() => secretKeyBytes("whsec_")).toThrow("signing secret is empty");
  });
});

describe("signPayload", () => {
  // The example from the Standard Webhooks / Svix documentation.
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it("matches the published vector and an independent HMAC", async () => {
    const signature = await signPayload([await importSigningKey(secret)], id, timestamp, body);
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    expect(signature).toBe(`v1,${await referenceSignature(secret, `${id}.${timestamp}.${body}`)}`);
  });

  it("signs an empty body as `{id}.{timestamp}.`", async () => {
    const signature = await signPayload([await importSigningKey(secret)], id, timestamp, "");
    expect(signature).toBe(`v1,${await referenceSignature(secret, `${id}.${timestamp}.`)}`);
  });

  it("signs non-ASCII bodies as UTF-8", async () => {
    const text = "héllo 😀 \u2028";
    const signature = await signPayload([await importSigningKey(secret)], id, timestamp, text);
    expect(signature).toBe(`v1,${await referenceSignature(secret, `${id}.${timestamp}.${text}`)}`);
  });

  it("two keys give two space-separated signatures, in key order", async () => {
    const [a, b] = [generateSigningSecret(), generateSigningSecret()];
    const signature = await signPayload(
      [await importSigningKey(a), await importSigningKey(b)],
      id,
      timestamp,
      body,
    );
    const content = `${id}.${timestamp}.${body}`;
    expect(signature).toBe(
      `v1,${await referenceSignature(a, content)} v1,${await referenceSignature(b, content)}`,
    );
  });

  it("refuses no keys and fractional timestamps", async () => {
    await expect(signPayload([], id, timestamp, body)).rejects.toThrow();
    await expect(signPayload([await importSigningKey(secret)], id, 1.5, body)).rejects.toThrow();
  });
});

describe("interoperability with the standardwebhooks package", () => {
  it("verifies both signatures of a dual signature and rejects a tampered body", async () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const keys = [await importSigningKey(current), await importSigningKey(previous)];
    const id = "dlv_01HZY";
    const timestamp = now();
    const body = JSON.stringify({ event: { type: "contact.updated" }, contact: { name: "Zoë </script>" } });
    const headers = asStandardHeaders(id, timestamp, await signPayload(keys, id, timestamp, body));

    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    }
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow(
      "No matching signature found",
    );
  });

  it("verifies text and empty bodies (jsonParse: false for text)", async () => {
    const secret = generateSigningSecret();
    const key = await importSigningKey(secret);
    const timestamp = now();
    const text = "plain text, not JSON";
    const textHeaders = asStandardHeaders(
      "dlv_1",
      timestamp,
      await signPayload([key], "dlv_1", timestamp, text),
    );
    expect(new Webhook(secret).verify(text, textHeaders, { jsonParse: false })).toBeUndefined();
    // Its default JSON.parse of the payload throws a SyntaxError after a signature match.
    expect(() => new Webhook(secret).verify(text, textHeaders)).toThrow(SyntaxError);

    const emptyHeaders = asStandardHeaders(
      "dlv_2",
      timestamp,
      await signPayload([key], "dlv_2", timestamp, ""),
    );
    expect(new Webhook(secret).verify("", emptyHeaders)).toBeUndefined();
  });

  it("produces the same signature as the package's sign()", async () => {
    const secret = generateSigningSecret();
    const body = '{"a":1}';
    expect(await signPayload([await importSigningKey(secret)], "dlv_3", 1700000000, body)).toBe(
      new Webhook(secret).sign("dlv_3", new Date(1700000000 * 1000), body),
    );
  });
});

describe("the receivers' verification helper", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const other = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  const id = "dlv_x";
  const t = 1_800_000_000;
  const body = '{"ok":true}';
  const sign = async (s: string, ts = t, b = body, i = id) =>
    signPayload([await importSigningKey(s)], i, ts, b);
  const headers = (signature: string, timestamp = String(t)) => ({ id, timestamp, signature });

  it("accepts a valid signature, with one secret or a list", async () => {
    const signature = await sign(secret);
    expect(await verifySignature(secret, headers(signature), body, t)).toBe(true);
    expect(await verifySignature([other, secret], headers(signature), body, t)).toBe(true);
    const fresh = now();
    expect(await verifySignature(secret, headers(await sign(secret, fresh), String(fresh)), body)).toBe(true);
  });

  it("has a 5-minute tolerance in both directions", async () => {
    expect(TOLERANCE_SECONDS).toBe(300);
    const signature = await sign(secret);
    expect(await verifySignature(secret, headers(signature), body, t + 300)).toBe(true);
    expect(await verifySignature(secret, headers(signature), body, t - 300)).toBe(true);
    expect(await verifySignature(secret, headers(signature), body, t + 301)).toBe(false);
    expect(await verifySignature(secret, headers(signature), body, t - 301)).toBe(false);
  });

  it("rejects a tampered body, id or timestamp", async () => {
    const signature = await sign(secret);
    expect(await verifySignature(secret, headers(signature), `${body} `, t)).toBe(false);
    expect(await verifySignature(secret, { id: "dlv_y", timestamp: String(t), signature }, body, t)).toBe(
      false,
    );
    expect(await verifySignature(secret, headers(signature, String(t + 1)), body, t)).toBe(false);
  });

  it("rejects a wrong secret", async () => {
    expect(await verifySignature(other, headers(await sign(secret)), body, t)).toBe(false);
    expect(await verifySignature([other], headers(await sign(secret)), body, t)).toBe(false);
  });

  it("accepts any of several signatures, ignoring other versions and junk", async () => {
    const valid = await sign(secret);
    const wrong = await sign(other);
    const junk = `v2,${valid.slice(3)} v1,not*base64 v1 ${wrong} ${valid}`;
    expect(await verifySignature(secret, headers(junk), body, t)).toBe(true);
    expect(await verifySignature(secret, headers(`${wrong} v1,${valid.slice(3, 20)}`), body, t)).toBe(false);
  });

  it("rejects malformed timestamps and empty headers", async () => {
    const signature = await sign(secret);
    for (const timestamp of ["", "abc", `${t}abc`, "-1", `${t}.0`, " 1800000000"])
      expect(await verifySignature(secret, headers(signature, timestamp), body, t)).toBe(false);
    expect(await verifySignature(secret, headers(""), body, t)).toBe(false);
    expect(await verifySignature(secret, { id: "", timestamp: String(t), signature }, body, t)).toBe(false);
  });
});
