// The batch pass: before the first send, the consumer renders, checks and signs the batch's requests in
// one tight loop. Why (measured, docs/benchmarks-history.md, "Where the rest goes"): a render spread
// between sends and their answers cost the isolate about 25 µs per delivery, the same render in one
// loop about 10; the pass took the consumer 20–25 µs per delivery closer to the floor in a same-workerd
// A/B. It changes nothing a receiver sees: rendering does not depend on time, so a request prepared here
// is the one it would have been when sent, and headers signed here are sent only within their second
// (attempt.ts signs again after it).

import { BATCH_PASS_CHARS } from "../limits";
import { type Prepared, prepareRequest } from "../rules/prepare";
import type { UrlPolicyOptions } from "../rules/url-policy";
import { type Signed, signPrepared } from "./attempt";
import { signingKeysFor } from "./keys";
import type { LoadedDelivery } from "./load";

/** What the pass did for a delivery: its prepared request and, when it could, its signed headers; or what preparing threw. */
export type Early = { prepared: Prepared; signed?: Signed } | { thrown: unknown };

/**
 * Prepares the rows in order until BATCH_PASS_CHARS are held (large bodies are rendered when their slot
 * opens instead), then signs those prepared with the current second. A key that cannot be had is left
 * to the attempt, which meets the same error and records it.
 */
export async function batchPass(
  rows: readonly LoadedDelivery[],
  env: Env,
  payloadOf: (row: LoadedDelivery) => Record<string, unknown>,
  policy: UrlPolicyOptions,
): Promise<Map<LoadedDelivery, Early>> {
  const early = new Map<LoadedDelivery, Early>();
  let held = 0;
  for (const row of rows) {
    if (held >= BATCH_PASS_CHARS) break;
    try {
      const prepared = prepareRequest(row, payloadOf(row), policy);
      early.set(row, { prepared });
      if (prepared.ok) {
        held += prepared.request.body?.length ?? 0;
        for (const [, value] of prepared.request.headers) held += value.length;
      }
    } catch (thrown) {
      early.set(row, { thrown });
    }
  }
  const timestamp = Math.floor(Date.now() / 1000);
  await Promise.all(
    [...early].map(async ([row, done]) => {
      if ("thrown" in done || !done.prepared.ok) return;
      try {
        done.signed = await signPrepared(
          row,
          done.prepared.request,
          await signingKeysFor(env, row),
          timestamp,
        );
      } catch {
        // left to the attempt
      }
    }),
  );
  return early;
}

/** The request the pass prepared, or what preparing threw (thrown again); `prepare` when the pass stopped before it. */
export function preparedOr(early: Early | undefined, prepare: () => Prepared): Prepared {
  if (early === undefined) return prepare();
  if ("thrown" in early) throw early.thrown;
  return early.prepared;
}
