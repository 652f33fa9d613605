// A filter's equality key (docs/filters.md#at-fan-out): one `path = "string"` condition that every event
// the filter matches must meet. The fan-out looks destinations up by it in an index, so only candidates
// whose key the event meets are read and matched; a filter without one is read for every event.
import { type Condition, isEmptyFilter, parseFilter } from "./filter";

/** `path` is an SQLite JSON path (`$."contact"."attributes"."plan"`), `value` the string it must equal. */
export type FilterKey = { path: string; value: string };

// Segments that need no escaping inside an SQLite JSON path's double quotes.
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** The first condition that must hold for the whole filter to hold, and is a string equality. */
function keyOf(condition: Condition): FilterKey | null {
  if (condition.kind === "test") {
    if (condition.op !== "$eq" || typeof condition.value !== "string") return null;
    if (!condition.path.every((s) => PLAIN_SEGMENT.test(s))) return null;
    return { path: `$.${condition.path.map((s) => `"${s}"`).join(".")}`, value: condition.value };
  }
  if (condition.kind !== "and") return null;
  for (const inner of condition.all) {
    const key = keyOf(inner);
    if (key) return key;
  }
  return null;
}

/** The key of a saved (already checked) filter; null when it has none, or when there is no filter. */
export function filterKey(filter: unknown): FilterKey | null {
  if (isEmptyFilter(filter)) return null;
  const parsed = parseFilter(filter);
  return parsed.ok ? keyOf(parsed.condition) : null;
}

/** The destination row's key columns for a filter being written. */
export function filterKeyColumns(filter: unknown) {
  const key = filterKey(filter);
  return { filterKeyPath: key?.path ?? null, filterKeyValue: key?.value ?? null };
}
