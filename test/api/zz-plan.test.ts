import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { partitionAt } from "../../src/history/ids";
import { openPartition } from "../support/history";

it("plans", async () => {
  const p = partitionAt("ws-plan", Date.now(), 86400);
  const stub = await openPartition(p);
  await runInDurableObject(stub, (_i, state) => {
    for (const q of [
      `EXPLAIN QUERY PLAN SELECT count(*) AS n FROM json_each(?2) AS c CROSS JOIN deliveries AS d ON d.destination_id = ?1 AND d.id = c.value ->> '$.id' WHERE d.status = 'pending'`,
      `EXPLAIN QUERY PLAN SELECT d.id FROM json_each(?) AS j JOIN deliveries AS d ON d.destination_id = j.value ->> 0 AND d.id = j.value ->> 1`,
      `EXPLAIN QUERY PLAN UPDATE deliveries SET status = 'pending' WHERE destination_id = ?1 AND id IN (SELECT id FROM deliveries WHERE destination_id = ?1 AND id > ?2 AND id < ?2 AND status IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT 5) RETURNING id`,
    ]) {
      const binds = (q.match(/\?\d?/g) ?? []).map(() => "[]");
      console.log(
        "PLAN",
        q.slice(19, 80),
        JSON.stringify(
          state.storage.sql
            .exec(q, ...binds.slice(0, q.includes("?2") ? 2 : 1))
            .toArray()
            .map((r) => r.detail),
        ),
      );
    }
  });
});
