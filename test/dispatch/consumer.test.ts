// The queue consumer on hand-made batches: retry classification, idempotency, signatures.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { attemptDelivery, type Signed } from "../../src/dispatch/attempt";
import { batchPass } from "../../src/dispatch/batch-pass";
import { type LoadedDelivery, loadDeliveries } from "../../src/dispatch/load";
import { BATCH_PASS_CHARS } from "../../src/limits";
import { prepareRequest } from "../../src/rules/prepare";
import { consume, messageFor, pendingDelivery, sequence } from "../support/consumer-helpers";
import {
  call,
  createDestination,
  createWorkspace,
  type DeliveryWithAttemptsJson,
  json,
  receiver,
  verifySignature,
  type Workspace,
} from "../support/helpers";
import { objectRow, objectSql } from "../support/history";

afterEach(() => {
  vi.restoreAllMocks();
});

async function delivery(ws: Workspace, id: string) {
  return json<DeliveryWithAttemptsJson>(
    await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth }),
  );
}

async function setup(overrides: Record<string, unknown> = {}) {
  const ws = await createWorkspace();
  const dest = await createDestination(ws, { body_template: null, ...overrides });
  return { ws, dest, deliveryId: await pendingDelivery(ws, dest.id) };
}

describe("retry classification", () => {
  it("acks a 2xx and marks the delivery succeeded", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher, requests } = receiver(() => new Response("thanks", { status: 201 }));
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(result.explicitAcks).toEqual([`msg-${sequence}`]);
    expect(result.retryMessages).toEqual([]);
    expect(requests).toHaveLength(1);
    const d = await delivery(ws, deliveryId);
    expect(d).toMatchObject({ status: "succeeded", attempts_made: 1 });
    expect(d.attempts[0]).toMatchObject({
      number: 1,
      response_status: 201,
      response_body: "thanks",
      error_class: null,
    });
  });

  it.each([500, 502, 404, 400, 401, 302, 307, 429, 503])("retries a %i after about 5 s", async (status) => {
    const { ws, deliveryId } = await setup();
    const { fetcher } = receiver(
      () =>
        new Response("no", {
          status,
          headers: status >= 300 && status < 400 ? { location: "https://elsewhere.example.com/" } : {},
        }),
    );
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.retryMessages[0]?.delaySeconds).toBeGreaterThanOrEqual(4);
    expect(result.retryMessages[0]?.delaySeconds).toBeLessThanOrEqual(6);
    const d = await delivery(ws, deliveryId);
    expect(d).toMatchObject({ status: "pending", attempts_made: 1 });
    expect(d.attempts[0]).toMatchObject({ error_class: "http_status", response_status: status });
  });

  it("follows the schedule for later attempts", async () => {
    const { deliveryId } = await setup();
    const { fetcher } = receiver(() => new Response("no", { status: 500 }));
    const result = await consume(fetcher, [{ deliveryId, attempts: 3 }]);
    // After attempt 3 the schedule waits 30 min ± 20 %.
    expect(result.retryMessages[0]?.delaySeconds).toBeGreaterThanOrEqual(1440);
    expect(result.retryMessages[0]?.delaySeconds).toBeLessThanOrEqual(2160);
  });

  it.each([
    [429, "120", 120],
    [503, "3600", 3600],
    [429, "1", 5],
    [503, "999999", 36000],
  ])(
    "honours Retry-After on %i (%s s → %i s, within the schedule's bounds)",
    async (status, header, expected) => {
      const { deliveryId } = await setup();
      const { fetcher } = receiver(
        () => new Response("slow down", { status, headers: { "retry-after": header } }),
      );
      const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
      expect(result.retryMessages[0]?.delaySeconds).toBe(expected);
    },
  );

  it("classifies a network failure and retries it", async () => {
    const { ws, deliveryId } = await setup();
    const fetcher = (async () => {
      throw new TypeError("connection refused");
    }) as unknown as typeof fetch;
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(result.retryMessages).toHaveLength(1);
    expect((await delivery(ws, deliveryId)).attempts[0]).toMatchObject({
      error_class: "network_error",
      response_status: null,
    });
  });

  it("times out a receiver that does not answer within timeout_seconds, covering the body read", async () => {
    const { ws, deliveryId } = await setup({ timeout_seconds: 1 });
    // Headers arrive at once; the body never finishes.
    const fetcher = (async () =>
      new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("partial")) }),
      )) as unknown as typeof fetch;
    const started = Date.now();
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.retryMessages).toHaveLength(1);
    const attempt = (await delivery(ws, deliveryId)).attempts[0];
    expect(attempt).toMatchObject({ error_class: "timeout" });
    expect(attempt?.duration_ms).toBeGreaterThanOrEqual(950);
    expect(attempt?.duration_ms).toBeLessThan(2500);
  });

  it("does not read a body declared empty, and cancels it so its connection is freed", async () => {
    const { ws, deliveryId } = await setup();
    let pulled = false;
    let cancelled = false;
    // Content-Length: 0, but a stream that would never end if it were read.
    const fetcher = (async () =>
      new Response(
        new ReadableStream(
          {
            pull: () => {
              pulled = true;
            },
            cancel: () => {
              cancelled = true;
            },
          },
          { highWaterMark: 0 }, // pulled only when read
        ),
        { status: 200, headers: { "content-length": "0" } },
      )) as unknown as typeof fetch;
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    const d = await delivery(ws, deliveryId);
    expect(d.status).toBe("succeeded");
    expect(d.attempts[0]).toMatchObject({ response_status: 200, response_body: "", error_class: null });
    expect(cancelled).toBe(true);
    expect(pulled).toBe(false);
  });

  it("keeps at most 16 KiB of a response body", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher } = receiver(() => new Response("x".repeat(100_000), { status: 200 }));
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect((await delivery(ws, deliveryId)).attempts[0]?.response_body).toHaveLength(16 * 1024);
  });

  it("stops on 410 Gone and disables the destination, saying why", async () => {
    const { ws, dest, deliveryId } = await setup();
    const { fetcher } = receiver(() => new Response("gone", { status: 410 }));
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await delivery(ws, deliveryId)).status).toBe("failed");
    const after = await json<{ enabled: boolean; disabled_reason: string }>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { auth: ws.auth }),
    );
    expect(after.enabled).toBe(false);
    expect(after.disabled_reason).toMatch(/410/);
    // Enabling it again clears the reason.
    const enabled = await json<{ enabled: boolean; disabled_reason: string | null }>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, {
        method: "PATCH",
        auth: ws.auth,
        body: { enabled: true },
      }),
    );
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null });
  });

  it("does not retry a template error, and sends nothing", async () => {
    const { ws, deliveryId } = await setup({
      headers_template: [{ key: "X-Email", value: "{{ contact.attributes.email }}" }],
    });
    // A value with a line break cannot go into a header.
    await objectSql(
      "UPDATE events SET payload = json_set(payload, '$.contact.attributes.email', 'a\r\nX-Evil: 1') WHERE id = (SELECT event_id FROM deliveries WHERE id = ?)",
      [deliveryId],
    );
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(requests).toHaveLength(0);
    expect(result.retryMessages).toEqual([]);
    const d = await delivery(ws, deliveryId);
    expect(d.status).toBe("failed");
    expect(d.attempts[0]).toMatchObject({ error_class: "template_error" });
    expect(d.attempts[0]?.error_message).toMatch(/X-Email/);
  });

  it("refuses a rendered URL that the policy blocks, without sending or retrying", async () => {
    const { ws, deliveryId } = await setup();
    // A row written before a policy change: the check at send time still holds.
    await env.DB.prepare(
      "UPDATE destinations SET url_template = 'https://169.254.169.254/latest' WHERE workspace_uuid = ?",
    )
      .bind(ws.uuid)
      .run();
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(requests).toHaveLength(0);
    expect(result.retryMessages).toEqual([]);
    const d = await delivery(ws, deliveryId);
    expect(d.status).toBe("failed");
    expect(d.attempts[0]).toMatchObject({ error_class: "destination_blocked" });
  });

  it("marks the delivery failed after the 8th attempt and hands it to the dead-letter queue", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher } = receiver(() => new Response("down", { status: 500 }));
    const result = await consume(fetcher, [{ deliveryId, attempts: 8 }]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    const d = await delivery(ws, deliveryId);
    expect(d.status).toBe("failed");
    expect(d.status_reason).toMatch(/8 attempts/);
    // The real dead-letter consumer records that it got there.
    await vi.waitFor(
      async () =>
        expect(
          (await delivery(ws, deliveryId)) as unknown as { dead_lettered_at: string | null },
        ).toMatchObject({
          dead_lettered_at: expect.any(String),
        }),
      { timeout: 5000, interval: 25 },
    );
  });
});

describe("at-least-once safety", () => {
  it("a redelivered message creates no second attempt record and sends nothing again", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher, requests } = receiver(() => new Response("no", { status: 500 }));
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    const replay = await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(replay.explicitAcks).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect((await delivery(ws, deliveryId)).attempts).toHaveLength(1);
  });

  it("a duplicate within one batch is sent once", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher, requests } = receiver();
    await consume(fetcher, [
      { deliveryId, attempts: 1 },
      { deliveryId, attempts: 1 },
    ]);
    expect(requests).toHaveLength(1);
    expect((await delivery(ws, deliveryId)).attempts).toHaveLength(1);
  });

  it("a delivery that succeeded is never sent again, whatever the message says", async () => {
    const { ws, deliveryId } = await setup();
    const { fetcher, requests } = receiver();
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    const late = await consume(fetcher, [{ deliveryId, attempts: 2 }]);
    expect(late.explicitAcks).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect((await delivery(ws, deliveryId)).attempts).toHaveLength(1);
  });

  it("drops a message whose destination was deleted, and records a disabled one as skipped", async () => {
    const { ws, dest, deliveryId } = await setup();
    const second = await createDestination(ws);
    const skippedId = await pendingDelivery(ws, second.id);
    await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { method: "DELETE", auth: ws.auth });
    await call(`/v1/workspaces/${ws.uuid}/destinations/${second.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { enabled: false },
    });
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [
      { deliveryId, attempts: 1 },
      { deliveryId: skippedId, attempts: 1 },
      { deliveryId: "dlv_unknown", attempts: 1 },
    ]);
    expect(requests).toHaveLength(0);
    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    const skipped = await delivery(ws, skippedId);
    expect(skipped.status).toBe("skipped");
    expect(skipped.status_reason).toMatch(/disabled/);
    // Once the destination is enabled again, a skipped delivery can be redelivered.
    const redeliver = `/v1/workspaces/${ws.uuid}/deliveries/${skippedId}/redeliver`;
    expect((await call(redeliver, { method: "POST", auth: ws.auth })).status).toBe(409);
    await call(`/v1/workspaces/${ws.uuid}/destinations/${second.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { enabled: true },
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const again = await call(redeliver, { method: "POST", auth: ws.auth });
    expect(again.status).toBe(202);
    const fresh = await json<{ id: string }>(again);
    await vi.waitFor(async () => expect((await delivery(ws, fresh.id)).status).toBe("succeeded"), {
      timeout: 5000,
      interval: 25,
    });
  });
});

describe("signatures", () => {
  it("signs the exact bytes sent, with both secrets during a rotation grace and one after it", async () => {
    const { ws, dest } = await setup({
      body_template: '{ "email": "{{ contact.attributes.email }}", "note": "é ✓" }',
    });
    const rotate = await json<{ secret: string }>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`, {
        method: "POST",
        auth: ws.auth,
        body: { grace_seconds: 600 },
      }),
    );
    const deliveryId = await pendingDelivery(ws, dest.id);
    const { fetcher, requests } = receiver();
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    const sent = requests[0];
    const header = sent?.headers.get("x-leadpush-signature") ?? "";
    expect(header.split(" ")).toHaveLength(2);
    const signed = (signature: string) => ({
      id: sent?.headers.get("x-leadpush-id") ?? "",
      timestamp: sent?.headers.get("x-leadpush-timestamp") ?? "",
      signature,
    });
    const [current, previous] = header.split(" ");
    expect(await verifySignature(rotate.secret, signed(current ?? ""), sent?.body ?? "")).toBe(true);
    expect(await verifySignature(dest.secret, signed(previous ?? ""), sent?.body ?? "")).toBe(true);
    expect(await verifySignature(dest.secret, signed(current ?? ""), sent?.body ?? "")).toBe(false);

    // Once the grace period has passed, only the new secret signs.
    await env.DB.prepare("UPDATE destinations SET previous_secret_expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, dest.id)
      .run();
    const later = await pendingDelivery(ws, dest.id);
    await consume(fetcher, [{ deliveryId: later, attempts: 1 }]);
    const single = requests[1]?.headers.get("x-leadpush-signature") ?? "";
    expect(single.split(" ")).toHaveLength(1);
    expect(
      await verifySignature(
        rotate.secret,
        { ...signed(single), id: later, timestamp: requests[1]?.headers.get("x-leadpush-timestamp") ?? "" },
        requests[1]?.body ?? "",
      ),
    ).toBe(true);
  });

  it("records request headers without credentials", async () => {
    const { ws, deliveryId } = await setup({
      headers_template: [
        { key: "Authorization", value: "Bearer your-token" },
        { key: "X-Api-Key", value: "k-123" },
        { key: "X-Plain", value: "visible" },
      ],
    });
    const { fetcher, requests } = receiver();
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer your-token");
    const recorded = await json<{ attempts: { request: { headers: [string, string][] } }[] }>(
      await call(`/v1/workspaces/${ws.uuid}/deliveries/${deliveryId}`, { auth: ws.auth }),
    );
    const headers = Object.fromEntries(recorded.attempts[0]?.request.headers ?? []);
    expect(headers).toMatchObject({
      authorization: "[redacted]",
      "x-api-key": "[redacted]",
      "x-plain": "visible",
      "x-leadpush-signature": "[redacted]",
    });
    expect(JSON.stringify(recorded)).not.toContain("your-token");
  });

  it("stores only the rendered headers of a sent attempt, and reads back every header it sent", async () => {
    const { ws, deliveryId } = await setup({
      headers_template: [
        { key: "X-Api-Key", value: "k-123" },
        { key: "X-Plain", value: "visible" },
      ],
    });
    const { fetcher, requests } = receiver();
    await consume(fetcher, [{ deliveryId, attempts: 1 }]);
    const stored = await objectRow<{ h: string }>(
      "SELECT request_headers AS h FROM attempts WHERE delivery_id = ?",
      [deliveryId],
    );
    expect(JSON.parse(stored?.h ?? "null")).toEqual({
      rendered: [
        ["x-api-key", "[redacted]"],
        ["x-plain", "visible"],
        ["content-type", "application/json"],
      ],
    });
    const recorded = await json<{ attempts: { request: { headers: [string, string][] } }[] }>(
      await call(`/v1/workspaces/${ws.uuid}/deliveries/${deliveryId}`, { auth: ws.auth }),
    );
    const sent = Object.fromEntries(requests[0]?.headers ?? []);
    expect(Object.fromEntries(recorded.attempts[0]?.request.headers ?? [])).toEqual({
      ...sent,
      "x-api-key": "[redacted]",
      "x-leadpush-signature": "[redacted]",
    });
    expect(recorded.attempts[0]?.request.headers.map(([name]) => name)).toEqual([
      "x-api-key",
      "x-plain",
      "content-type",
      "user-agent",
      "x-leadpush-id",
      "x-leadpush-timestamp",
      "x-leadpush-event",
      "x-leadpush-signature",
    ]);
  });

  it("reads an attempt stored with its whole header list (before the compact form) as it was stored", async () => {
    const { ws, deliveryId } = await setup({});
    const whole = [
      ["content-type", "application/json"],
      ["x-leadpush-id", deliveryId],
    ];
    // Attempts are stored in their delivery's row (src/db/history-schema.ts StoredAttempt).
    await objectSql(
      `UPDATE deliveries SET attempts = json_array(
         json_array(1, ?2, 'POST', 'https://crm.example.com/', json(?3), NULL, NULL, 5, NULL, NULL))
       WHERE id = ?1`,
      [deliveryId, Date.now(), JSON.stringify(whole)],
    );
    const recorded = await json<{ attempts: { request: { headers: [string, string][] } }[] }>(
      await call(`/v1/workspaces/${ws.uuid}/deliveries/${deliveryId}`, { auth: ws.auth }),
    );
    expect(recorded.attempts[0]?.request.headers).toEqual(whole);
  });
});

describe("isolation within a batch", () => {
  it("a delivery that fails on our side is recorded as internal_error and retried; the rest of the batch is sent once", async () => {
    const broken = await setup();
    const corrupt = await setup();
    const healthy = await setup();
    // A ciphertext that no longer decrypts (a wrong SECRET_ENCRYPTION_KEY would look the same).
    await env.DB.prepare(
      "UPDATE destinations SET secret_ciphertext = 'v1.AAAAAAAAAAAAAAAA.AAAA' WHERE id = ?",
    )
      .bind(broken.dest.id)
      .run();
    // A stored payload that no longer parses: an error the pipeline never expects.
    await objectSql(
      "UPDATE events SET payload = '{not json' WHERE id = (SELECT event_id FROM deliveries WHERE id = ?)",
      [corrupt.deliveryId],
    );
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [
      { deliveryId: broken.deliveryId, attempts: 1 },
      { deliveryId: corrupt.deliveryId, attempts: 1 },
      { deliveryId: healthy.deliveryId, attempts: 1 },
    ]);
    expect(requests.map((r) => r.headers.get("x-leadpush-id"))).toEqual([healthy.deliveryId]);
    expect(result.retryMessages).toHaveLength(2);
    for (const retry of result.retryMessages) expect(retry.delaySeconds).toBeGreaterThanOrEqual(4);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await delivery(healthy.ws, healthy.deliveryId)).status).toBe("succeeded");
    for (const { ws, deliveryId } of [broken, corrupt]) {
      const failed = await delivery(ws, deliveryId);
      expect(failed).toMatchObject({ status: "pending", attempts_made: 1 });
      expect(failed.attempts).toHaveLength(1);
      expect(failed.attempts[0]).toMatchObject({
        number: 1,
        error_class: "internal_error",
        response_status: null,
      });
      expect(failed.attempts[0]?.error_message).toMatch(/could not prepare or send this request.*retried/);
      // Due again on the schedule, so the recovery sweep leaves it alone.
      const row = await objectRow<{ next_attempt_at: number }>(
        "SELECT next_attempt_at FROM deliveries WHERE id = ?",
        [deliveryId],
      );
      expect(row?.next_attempt_at).toBeGreaterThan(Date.now() + 3000);
    }
  });

  it("an internal error on the last attempt fails the delivery into the dead-letter queue", async () => {
    const broken = await setup();
    await env.DB.prepare(
      "UPDATE destinations SET secret_ciphertext = 'v1.AAAAAAAAAAAAAAAA.AAAA' WHERE id = ?",
    )
      .bind(broken.dest.id)
      .run();
    const { fetcher } = receiver();
    const result = await consume(fetcher, [
      { deliveryId: broken.deliveryId, attempts: 1, attemptsBefore: 7 },
    ]);
    expect(result.explicitAcks).toHaveLength(1);
    const failed = await delivery(broken.ws, broken.deliveryId);
    expect(failed.status).toBe("failed");
    expect(failed.attempts.map((a) => [a.number, a.error_class])).toEqual([[8, "internal_error"]]);
  });
});

/**
 * A fetch that behaves like the Workers runtime with its limit of 6 open connections per invocation:
 * further fetches wait in a queue, in order, and their signal can abort them while they wait. Each
 * host's answer comes from `answer`; a connection is held until that answer settles.
 */
function sixConnections(answer: (host: string, signal: AbortSignal) => Promise<Response>) {
  let open = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const openByHost = new Map<string, number>();
  // Each send as it starts: its host, and how many sends that host then had open (this one included).
  const starts: { host: string; open: number }[] = [];
  const fetcher = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? new AbortController().signal;
    if (open >= 6) {
      await new Promise<void>((go, fail) => {
        const turn = () => go();
        waiting.push(turn);
        signal.addEventListener("abort", () => {
          waiting.splice(waiting.indexOf(turn), 1);
          fail(signal.reason);
        });
      });
    }
    const host = new URL(String(input)).host;
    open++;
    most = Math.max(most, open);
    openByHost.set(host, (openByHost.get(host) ?? 0) + 1);
    starts.push({ host, open: openByHost.get(host) ?? 0 });
    try {
      return await answer(host, signal);
    } finally {
      open--;
      openByHost.set(host, (openByHost.get(host) ?? 1) - 1);
      waiting.shift()?.();
    }
  };
  return { fetcher: fetcher as typeof fetch, most: () => most, starts };
}

const hangs = (signal: AbortSignal) =>
  new Promise<Response>((_, fail) => signal.addEventListener("abort", () => fail(signal.reason)));

describe("send slots (6 connections per invocation)", () => {
  it("a delivery waiting behind slow receivers is not timed out before it is sent", async () => {
    const ws = await createWorkspace();
    const slow = [];
    for (let i = 0; i < 6; i++) {
      const d = await createDestination(ws, {
        url_template: `https://slow-${i}.example.com/hook`,
        timeout_seconds: 2,
        body_template: null,
      });
      slow.push(await pendingDelivery(ws, d.id));
    }
    const healthy = await createDestination(ws, {
      url_template: "https://healthy.example.com/hook",
      timeout_seconds: 1,
      body_template: null,
    });
    const healthyId = await pendingDelivery(ws, healthy.id);
    const runtime = sixConnections((host, signal) =>
      host === "healthy.example.com" ? Promise.resolve(new Response("ok")) : hangs(signal),
    );
    let healthySent: Request | undefined;
    const recorded: typeof fetch = (input, init) => {
      if (String(input).startsWith("https://healthy.")) healthySent = new Request(input, init);
      return runtime.fetcher(input, init);
    };
    // The healthy delivery comes last: the six slow ones take every connection for 2 s, longer than its
    // own 1 s timeout. Its timeout must start when it is sent, not while it waits.
    const batchStart = Date.now();
    await consume(
      recorded,
      [...slow, healthyId].map((deliveryId) => ({ deliveryId, attempts: 1 })),
    );
    const sent = await delivery(ws, healthyId);
    expect(sent.status).toBe("succeeded");
    expect(sent.attempts[0]).toMatchObject({ error_class: null, response_status: 200 });
    // Its request was prepared with the batch, but signed when sent: the timestamp is of the send, 2 s on.
    const timestamp = Number(healthySent?.headers.get("x-leadpush-timestamp"));
    expect(timestamp).toBeGreaterThanOrEqual(Math.floor((batchStart + 2000) / 1000));
    const signature = healthySent?.headers.get("x-leadpush-signature") ?? "";
    const content = { id: healthyId, timestamp: String(timestamp), signature };
    expect(await verifySignature(healthy.secret, content, (await healthySent?.text()) ?? "")).toBe(true);
    for (const id of slow)
      expect((await delivery(ws, id)).attempts[0]).toMatchObject({ error_class: "timeout" });
  });

  it("one destination holds at most 2 connections while others wait, and the batch at most 6", async () => {
    const ws = await createWorkspace();
    const busy = await createDestination(ws, {
      url_template: "https://busy.example.com/hook",
      body_template: null,
    });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push(await pendingDelivery(ws, busy.id));
    for (let i = 0; i < 6; i++) {
      const other = await createDestination(ws, {
        url_template: `https://other-${i}.example.com/hook`,
        body_template: null,
      });
      ids.push(await pendingDelivery(ws, other.id));
    }
    const runtime = sixConnections(
      () => new Promise((answer) => setTimeout(() => answer(new Response("ok")), 20)),
    );
    await consume(
      runtime.fetcher,
      ids.map((deliveryId) => ({ deliveryId, attempts: 1 })),
    );
    expect(runtime.most()).toBe(6);
    const busyStarts = runtime.starts.filter((x) => x.host === "busy.example.com");
    const lastOther = runtime.starts.findLastIndex((x) => x.host !== "busy.example.com");
    // Until every other destination's delivery has started, busy holds 2 at most; then it may use all 6.
    expect(
      Math.max(
        ...runtime.starts
          .slice(0, lastOther + 1)
          .filter((x) => x.host === "busy.example.com")
          .map((x) => x.open),
      ),
    ).toBe(2);
    expect(Math.max(...busyStarts.map((x) => x.open))).toBe(6);
    for (const id of ids) expect((await delivery(ws, id)).status).toBe("succeeded");
  });
});

describe("requests prepared ahead of their sends", () => {
  const row = (id: string, bodyTemplate: string): LoadedDelivery => ({
    id,
    workspaceUuid: "ws",
    eventId: "evt",
    status: "pending",
    attemptsMade: 0,
    eventType: "contact.updated",
    destinationId: "dst",
    name: "Destination",
    enabled: true,
    method: "POST",
    urlTemplate: "https://hooks.example.com/{{contact._id}}",
    headersTemplate: [{ key: "X-Note", value: "{{contact._id}}" }],
    queryTemplate: [],
    bodyTemplate,
    timeoutSeconds: 10,
    secretCiphertext: "unused",
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    rateLimitPerSecond: null,
    sendPath: "direct",
    consecutiveFailures: 0,
    failuresSince: null,
    nextAttemptAt: 0,
    payload: "{}",
  });
  const payload = { contact: { _id: "ct_1" } };

  it("prepares every request of a usual batch, and keeps what a broken one threw for its attempt", async () => {
    const batch = [
      row("a", "{{contact._id}}"),
      row("b", "{{#x}}"),
      row("c", "{{contact._id}}"),
      row("d", ""),
    ];
    const broken = new Error("a payload that does not parse");
    const early = await batchPass(
      batch,
      env,
      (r) => {
        if (r.id === "d") throw broken;
        return payload;
      },
      { allowPrivate: false },
    );
    expect(early.size).toBe(4);
    const [a, b, c, d] = batch.map((r) => early.get(r));
    expect(a).toMatchObject({ prepared: { ok: true, request: { body: "ct_1" } } });
    expect(b).toMatchObject({ prepared: { ok: false, errorClass: "template_error" } });
    expect(c).toMatchObject({ prepared: { ok: true } });
    expect(d).toEqual({ thrown: broken });
  });

  it("an attempt sends the headers signed ahead only within their second, and signs again after it", async () => {
    const { deliveryId } = await setup();
    const [loaded] = await loadDeliveries(env, [{ id: deliveryId, ...messageFor(deliveryId) }]);
    if (!loaded) throw new Error("no delivery");
    const prepared = prepareRequest(loaded, JSON.parse(loaded.payload), { allowPrivate: false });
    const now = Math.floor(Date.now() / 1000);
    const ahead = (timestamp: number): Signed => {
      const fields = { "x-leadpush-timestamp": String(timestamp), "x-signed": "ahead" };
      return { timestamp, fields, recorded: { rendered: [] } };
    };
    const { fetcher, requests } = receiver();
    await attemptDelivery(loaded, prepared, 1, env, fetcher, ahead(now));
    // Two seconds old: not this attempt's timestamp, so the request is signed again.
    await attemptDelivery(loaded, prepared, 1, env, fetcher, ahead(now - 2));
    expect(requests[0]?.headers.get("x-signed")).toBe("ahead");
    expect(requests[1]?.headers.get("x-signed")).toBeNull();
    const timestamp = Number(requests[1]?.headers.get("x-leadpush-timestamp"));
    expect(timestamp).toBeGreaterThanOrEqual(now);
  });

  it("signs each request of a quick batch once", async () => {
    const { deliveryId } = await setup();
    const second = await setup();
    const sign = vi.spyOn(crypto.subtle, "sign");
    const { fetcher, requests } = receiver();
    await consume(fetcher, [
      { deliveryId, attempts: 1 },
      { deliveryId: second.deliveryId, attempts: 1 },
    ]);
    expect(requests).toHaveLength(2);
    expect(sign).toHaveBeenCalledTimes(2);
  });

  it(`stops holding renders past ${BATCH_PASS_CHARS} characters: the rest are rendered when sent`, async () => {
    const big = "x".repeat(60 * 1024);
    const batch = Array.from({ length: 100 }, (_, i) => row(`d${i}`, `${big}{{contact._id}}`));
    const early = await batchPass(batch, env, () => payload, { allowPrivate: false });
    const each = big.length + "ct_1".length * 2; // the body and the header value
    const count = Math.ceil(BATCH_PASS_CHARS / each);
    expect(early.size).toBe(count);
    expect(batch.slice(0, count).every((r) => early.has(r))).toBe(true);
  });
});
