import { SEND_SLOTS, SLOTS_PER_DESTINATION } from "../limits";
// Sends share an invocation's connections: Workers opens at most 6 at once per invocation and queues the
// rest, with their timeouts already running. The consumer starts an attempt only when a slot is free, so
// its timeout starts with its send. While other destinations have deliveries waiting, one destination
// holds at most 2 slots, so a slow receiver delays its own deliveries, not everyone's (docs/deliveries.md).

/**
 * Runs `run` on every item, at most `total` at a time. The next item to start is the first waiting one
 * whose key holds fewer than `perKey` slots; when every waiting item's key holds that many, the first
 * waiting item starts anyway, so a lone destination still uses every slot. Results come back in item
 * order; if a `run` rejects, so does the whole, as with Promise.all (the consumer's attempts never do).
 */
export function runInSlots<T, R>(
  items: readonly T[],
  keyOf: (item: T) => string,
  run: (item: T) => Promise<R>,
  total = SEND_SLOTS,
  perKey = SLOTS_PER_DESTINATION,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const waiting = items.map((_, i) => i);
  const held = new Map<string, number>();
  let running = 0;
  let finished = 0;
  const nextIndex = () => {
    const fair = waiting.findIndex((i) => (held.get(keyOf(items[i] as T)) ?? 0) < perKey);
    return fair === -1 ? 0 : fair;
  };
  return new Promise((resolve, reject) => {
    const pump = () => {
      while (running < total && waiting.length > 0) {
        const [i] = waiting.splice(nextIndex(), 1) as [number];
        const key = keyOf(items[i] as T);
        running++;
        held.set(key, (held.get(key) ?? 0) + 1);
        run(items[i] as T).then((result) => {
          results[i] = result;
          running--;
          held.set(key, (held.get(key) ?? 1) - 1);
          if (++finished === items.length) resolve(results);
          else pump();
        }, reject);
      }
    };
    if (items.length === 0) resolve(results);
    else pump();
  });
}
