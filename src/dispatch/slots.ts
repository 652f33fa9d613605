// Sends share an invocation's connections: Workers opens at most 6 at once per invocation and queues the
// rest, with their timeouts already running. The consumer starts an attempt only when a slot is free, so
// its timeout starts with its send, and one destination may hold only a few slots, so a slow receiver
// delays its own deliveries, not everyone's (docs/deliveries.md).

/** Connections a Worker invocation may have open at once (Workers limits). */
export const SEND_SLOTS = 6;
/** Slots one destination may hold at once. */
export const SLOTS_PER_DESTINATION = 2;

/**
 * Runs `run` on every item, at most `total` at a time and at most `perKey` with the same key, starting
 * items in order wherever their key allows. `run` must not reject (the consumer's attempts never do).
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
  return new Promise((resolve) => {
    const pump = () => {
      for (let j = 0; j < waiting.length && running < total; ) {
        const i = waiting[j] as number;
        const key = keyOf(items[i] as T);
        const count = held.get(key) ?? 0;
        if (count >= perKey) {
          j++;
          continue;
        }
        waiting.splice(j, 1);
        running++;
        held.set(key, count + 1);
        run(items[i] as T).then((result) => {
          results[i] = result;
          running--;
          held.set(key, (held.get(key) ?? 1) - 1);
          if (++finished === items.length) resolve(results);
          else pump();
        });
      }
    };
    if (items.length === 0) resolve(results);
    else pump();
  });
}
