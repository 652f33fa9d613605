// A destination's filter (docs/filters.md): a JSON object matched against an event's payload. Parsing
// checks it once, at save time, into a tree of conditions; matching walks that tree, never the raw JSON.
// Both are bounded: a filter is at most FILTER_MAX_BYTES, FILTER_MAX_DEPTH levels and FILTER_MAX_CONDITIONS
// conditions, and matching one condition reads one path of the payload, so a filter costs at most
// FILTER_MAX_CONDITIONS path reads (an array in the payload adds one comparison per element).
import {
  FILTER_MAX_BYTES,
  FILTER_MAX_CONDITIONS,
  FILTER_MAX_DEPTH,
  FILTER_MAX_PATH_SEGMENTS,
} from "../limits";

export type Literal = string | number | boolean | null;

const COMPARISONS = ["$eq", "$neq", "$gt", "$gte", "$lt", "$lte"] as const;
const LISTS = ["$in", "$nin"] as const;
const AFFIXES = ["$startsWith", "$endsWith"] as const;
export const FILTER_OPERATORS = [...COMPARISONS, ...LISTS, "$exists", ...AFFIXES] as const;
type Operator = (typeof FILTER_OPERATORS)[number];

/** One test of one path: `where` is how the filter wrote it, for the verdict. */
export type Condition =
  | { kind: "test"; path: string[]; op: Operator; value: Literal | Literal[]; where: string }
  | { kind: "and" | "or"; all: Condition[] }
  | { kind: "not"; inner: Condition; where: string };

export type FilterError = { where: string; reason: string };
export type Parsed = { ok: true; condition: Condition } | { ok: false; error: FilterError };

const isLiteral = (v: unknown): v is Literal =>
  v === null ||
  typeof v === "string" ||
  typeof v === "boolean" ||
  (typeof v === "number" && Number.isFinite(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

class Invalid extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** `null` and `{}` mean no filter; anything else must parse. */
export function isEmptyFilter(input: unknown): boolean {
  return input === null || input === undefined || (isPlainObject(input) && Object.keys(input).length === 0);
}

/** Checks a filter and turns it into conditions; an invalid one names the place and the reason. */
export function parseFilter(input: unknown): Parsed {
  if (!isPlainObject(input))
    return { ok: false, error: { where: "filter", reason: "must be a JSON object" } };
  const bytes = new TextEncoder().encode(JSON.stringify(input)).length;
  if (bytes > FILTER_MAX_BYTES)
    return {
      ok: false,
      error: { where: "filter", reason: `must be at most ${FILTER_MAX_BYTES} bytes as JSON` },
    };
  const counter = { n: 0 };
  try {
    return { ok: true, condition: group(input, "filter", 1, counter) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: { where: error.where, reason: error.reason } };
    throw error;
  }
}

/** An object of entries, all of which must hold (the implicit AND). */
function group(
  node: Record<string, unknown>,
  where: string,
  depth: number,
  counter: { n: number },
): Condition {
  if (depth > FILTER_MAX_DEPTH) throw new Invalid(where, `nests deeper than ${FILTER_MAX_DEPTH} levels`);
  const all: Condition[] = [];
  for (const [key, value] of Object.entries(node)) {
    const at = `${where}.${key}`;
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(value) || value.length === 0)
        throw new Invalid(at, "must be a non-empty array of filter objects");
      const items = value.map((item, i) => {
        if (!isPlainObject(item)) throw new Invalid(`${at}[${i}]`, "must be a filter object");
        return group(item, `${at}[${i}]`, depth + 1, counter);
      });
      all.push({ kind: key === "$and" ? "and" : "or", all: items });
    } else if (key === "$not") {
      if (!isPlainObject(value)) throw new Invalid(at, "must be a filter object");
      all.push({ kind: "not", inner: group(value, at, depth + 1, counter), where: at });
    } else if (key.startsWith("$")) {
      throw new Invalid(at, `is not an operator here: use $and, $or or $not, or a field path`);
    } else {
      all.push(...field(key, value, at, counter));
    }
  }
  return all.length === 1 ? (all[0] as Condition) : { kind: "and", all };
}

/** A path and what it must be: a literal (equality) or an object of operators. */
function field(key: string, value: unknown, at: string, counter: { n: number }): Condition[] {
  const path = key.split(".");
  if (path.some((s) => s === "")) throw new Invalid(at, "is not a dotted path: a segment is empty");
  if (path.length > FILTER_MAX_PATH_SEGMENTS)
    throw new Invalid(at, `has more than ${FILTER_MAX_PATH_SEGMENTS} path segments`);
  const count = () => {
    if (++counter.n > FILTER_MAX_CONDITIONS)
      throw new Invalid(at, `the filter has more than ${FILTER_MAX_CONDITIONS} conditions`);
  };
  if (isLiteral(value)) {
    count();
    return [{ kind: "test", path, op: "$eq", value, where: at }];
  }
  if (Array.isArray(value)) throw new Invalid(at, "an array is not a value: use { $in: [...] }");
  if (!isPlainObject(value))
    throw new Invalid(at, "must be a string, number, boolean, null or an object of operators");
  const entries = Object.entries(value);
  if (!entries.length) throw new Invalid(at, "names no operator");
  return entries.map(([op, operand]) => {
    count();
    return {
      kind: "test",
      path,
      op: operator(op, operand, `${at}.${op}`),
      value: operand as Literal,
      where: `${at}.${op}`,
    };
  });
}

function operator(op: string, operand: unknown, at: string): Operator {
  if ((COMPARISONS as readonly string[]).includes(op)) {
    if (!isLiteral(operand)) throw new Invalid(at, "must be a string, number, boolean or null");
    if (op !== "$eq" && op !== "$neq" && typeof operand !== "number" && typeof operand !== "string")
      throw new Invalid(at, "must be a number or a string");
    return op as Operator;
  }
  if ((LISTS as readonly string[]).includes(op)) {
    if (!Array.isArray(operand) || !operand.every(isLiteral))
      throw new Invalid(at, "must be an array of strings, numbers, booleans or nulls");
    return op as Operator;
  }
  if (op === "$exists") {
    if (typeof operand !== "boolean") throw new Invalid(at, "must be true or false");
    return op;
  }
  if ((AFFIXES as readonly string[]).includes(op)) {
    if (typeof operand !== "string") throw new Invalid(at, "must be a string");
    return op as Operator;
  }
  throw new Invalid(at, `is not an operator: use one of ${FILTER_OPERATORS.join(" ")}`);
}

export type Verdict = { matches: true } | { matches: false; failed: string };

/** Whether the payload matches; if not, which condition (as the filter wrote it) failed first. */
export function matchFilter(condition: Condition, payload: unknown): Verdict {
  const failed = firstFailure(condition, payload);
  return failed === null ? { matches: true } : { matches: false, failed };
}

function firstFailure(c: Condition, payload: unknown): string | null {
  switch (c.kind) {
    case "test":
      return holds(c.op, c.value, resolve(payload, c.path)) ? null : c.where;
    case "and":
      for (const inner of c.all) {
        const failed = firstFailure(inner, payload);
        if (failed !== null) return failed;
      }
      return null;
    case "or": {
      let first: string | null = null;
      for (const inner of c.all) {
        const failed = firstFailure(inner, payload);
        if (failed === null) return null;
        first ??= failed;
      }
      return first;
    }
    case "not":
      return firstFailure(c.inner, payload) === null ? c.where : null;
  }
}

const MISSING = Symbol("missing");

/** The value at a dotted path, through objects only; MISSING where the path leads nowhere. */
function resolve(payload: unknown, path: string[]): unknown {
  let node: unknown = payload;
  for (const segment of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return MISSING;
    node = node[segment];
  }
  return node;
}

/** One operator against the value found; an array value holds when one of its elements does. */
function holds(op: Operator, operand: Literal | Literal[], found: unknown): boolean {
  if (op === "$exists") return (found !== MISSING) === operand;
  if (op === "$neq") return !holds("$eq", operand, found);
  if (op === "$nin") return !holds("$in", operand, found);
  if (found === MISSING) return false;
  if (Array.isArray(found))
    return found.some((element) => !Array.isArray(element) && holds(op, operand, element));
  switch (op) {
    case "$eq":
      return found === operand;
    case "$in":
      return (operand as Literal[]).some((v) => v === found);
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return ordered(op, operand as Literal, found);
    case "$startsWith":
      return typeof found === "string" && found.startsWith(operand as string);
    case "$endsWith":
      return typeof found === "string" && found.endsWith(operand as string);
  }
  return false;
}

/** Numbers compare with numbers and strings with strings; anything else never matches. */
function ordered(op: "$gt" | "$gte" | "$lt" | "$lte", operand: Literal, found: unknown): boolean {
  if (typeof found !== typeof operand || (typeof found !== "number" && typeof found !== "string"))
    return false;
  const a = found as number | string;
  const b = operand as number | string;
  return op === "$gt" ? a > b : op === "$gte" ? a >= b : op === "$lt" ? a < b : a <= b;
}
