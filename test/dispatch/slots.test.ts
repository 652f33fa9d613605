// The consumer's send slots (src/dispatch/slots.ts): a bound on sends in flight, and a fair share for
// each destination while others wait.
import { describe, expect, it } from "vitest";
import { runInSlots } from "../../src/dispatch/slots";
import { SEND_SLOTS } from "../../src/limits";

/** Items that finish when released, recording the start order and how many ran at once per key. */
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
  const all = runInSlots(
    keys.map((_, i) => i),
    (i) => keys[i] as string,
    run,
  );
  return { all, started, release, most: () => most, mostPerKey };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("runInSlots", () => {
  it("keeps at most 6 in flight, 2 per key while other keys wait, and returns results in item order", async () => {
    const keys = ["a", "a", "a", "a", "b", "c", "d", "e", "f", "g"];
    const t = tracked(keys);
    await tick();
    // a takes 2 slots; b, c, d, e take the other 4; a's third waits although it came earlier.
    expect(t.started).toEqual([0, 1, 4, 5, 6, 7]);
    t.release[0]?.();
    await tick();
    // a is back under its share and its next item is the first waiting one.
    expect(t.started).toEqual([0, 1, 4, 5, 6, 7, 2]);
    t.release[4]?.();
    await tick();
    // b's slot: a holds 2 again, so f, under its share, goes before a's fourth.
    expect(t.started).toEqual([0, 1, 4, 5, 6, 7, 2, 8]);
    for (let round = 0; round < 10; round++) {
      for (const i of [...t.started]) t.release[i]?.();
      await tick();
    }
    expect(await t.all).toEqual(keys.map((_, i) => i * 10));
    expect(t.most()).toBe(SEND_SLOTS);
  });

  it("lets a key use every slot when no other key is waiting", async () => {
    const keys = ["a", "a", "a", "a", "a", "a", "a", "a", "b"];
    const t = tracked(keys);
    await tick();
    expect(t.started).toEqual([0, 1, 8, 2, 3, 4]);
    for (let round = 0; round < 5; round++) {
      for (const i of [...t.started]) t.release[i]?.();
      await tick();
    }
    await t.all;
    expect(t.mostPerKey.get("a")).toBe(5);
  });

  it("rejects, as Promise.all does, when a run rejects", async () => {
    const runs = runInSlots([1, 2, 3], String, async (n) => {
      if (n === 2) throw new Error("boom");
      return n;
    });
    await expect(runs).rejects.toThrow("boom");
  });

  it("resolves at once with no items", async () => {
    expect(await runInSlots([], String, async () => 1)).toEqual([]);
  });
});
