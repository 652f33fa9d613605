// The consumer's send slots (src/dispatch/slots.ts): a bound on sends in flight, and on one destination's.
import { describe, expect, it } from "vitest";
import { runInSlots, SEND_SLOTS } from "../src/dispatch/slots";

/** Items that finish when released, recording how many ran at once, overall and per key. */
function tracked(keys: string[]) {
  let running = 0;
  let most = 0;
  const perKey = new Map<string, number>();
  const mostPerKey = new Map<string, number>();
  const started: number[] = [];
  const release: (() => void)[] = [];
  const run = (i: number) =>
    new Promise<number>((done) => {
      const key = keys[i] as string;
      running++;
      most = Math.max(most, running);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      mostPerKey.set(key, Math.max(mostPerKey.get(key) ?? 0, perKey.get(key) ?? 0));
      started.push(i);
      release[i] = () => {
        running--;
        perKey.set(key, (perKey.get(key) ?? 1) - 1);
        done(i * 10);
      };
    });
  return { run, started, release, most: () => most, mostPerKey };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("runInSlots", () => {
  it("keeps at most 6 in flight, and at most 2 of one key, and returns results in item order", async () => {
    const keys = ["a", "a", "a", "a", "b", "c", "d", "e", "f", "g"];
    const t = tracked(keys);
    const all = runInSlots(
      keys.map((_, i) => i),
      (i) => keys[i] as string,
      t.run,
    );
    await tick();
    // a takes 2 slots; b, c, d, e take the other 4; a's third waits although it came earlier.
    expect(t.started).toEqual([0, 1, 4, 5, 6, 7]);
    t.release[0]?.();
    await tick();
    expect(t.started).toEqual([0, 1, 4, 5, 6, 7, 2]);
    for (let round = 0; round < 10; round++) {
      for (const i of [...t.started]) t.release[i]?.();
      await tick();
    }
    expect(await all).toEqual(keys.map((_, i) => i * 10));
    expect(t.most()).toBe(SEND_SLOTS);
    expect(Math.max(...t.mostPerKey.values())).toBe(2);
  });

  it("resolves at once with no items", async () => {
    expect(await runInSlots([], String, async () => 1)).toEqual([]);
  });
});
