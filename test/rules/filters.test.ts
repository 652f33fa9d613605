// The filter engine (src/filters/filter.ts): the errors it names, its bounds, and, by property (fast-check,
// seed fixed), that it agrees with a plain reference evaluation of the raw filter JSON on random payloads
// and filters, and that nothing it accepts can throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEmptyFilter, matchFilter, parseFilter } from "../../src/filters/filter";
import { FILTER_MAX_CONDITIONS, FILTER_MAX_DEPTH } from "../../src/limits";

const SEED = 20261206;

function compile(filter: unknown) {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`${parsed.error.where}: ${parsed.error.reason}`);
  return parsed.condition;
}
const verdict = (filter: unknown, payload: unknown) => matchFilter(compile(filter), payload);

const paid = {
  event: { type: "contact.updated" },
  contact: { _id: "ct_1", attributes: { plan: "paid", seats: 12, tags: ["vip", "beta"], email: "a@x.io" } },
};

describe("a filter", () => {
  it("matches literals by equality, and an array in the payload when it contains the value", () => {
    expect(verdict({ "contact.attributes.plan": "paid" }, paid)).toEqual({ matches: true });
    expect(verdict({ "contact.attributes.tags": "vip" }, paid)).toEqual({ matches: true });
    expect(verdict({ "contact.attributes.plan": "free" }, paid)).toEqual({
      matches: false,
      failed: "filter.contact.attributes.plan",
    });
  });

  it("applies every operator, never comparing a number with a string", () => {
    const a = "contact.attributes";
    expect(verdict({ [`${a}.seats`]: { $gt: 10, $lte: 12 } }, paid).matches).toBe(true);
    expect(verdict({ [`${a}.seats`]: { $gt: "10" } }, paid).matches).toBe(false);
    expect(verdict({ [`${a}.plan`]: { $in: ["paid", "trial"] } }, paid).matches).toBe(true);
    expect(verdict({ [`${a}.plan`]: { $nin: ["paid"] } }, paid).matches).toBe(false);
    expect(verdict({ [`${a}.email`]: { $endsWith: "@x.io", $startsWith: "a@" } }, paid).matches).toBe(true);
    expect(verdict({ [`${a}.missing`]: { $exists: false } }, paid).matches).toBe(true);
    expect(verdict({ [`${a}.missing`]: { $neq: "x" } }, paid).matches).toBe(true);
    expect(verdict({ [`${a}.missing`]: { $eq: null } }, paid).matches).toBe(false);
  });

  it("combines with $and, $or and $not, and names the condition that failed", () => {
    const f = {
      "event.type": "contact.updated",
      $or: [{ "contact.attributes.plan": "enterprise" }, { "contact.attributes.seats": { $gte: 50 } }],
    };
    expect(verdict(f, paid)).toEqual({ matches: false, failed: "filter.$or[0].contact.attributes.plan" });
    expect(verdict({ $not: { "contact.attributes.plan": "paid" } }, paid)).toEqual({
      matches: false,
      failed: "filter.$not",
    });
    expect(
      verdict({ $and: [{ "contact._id": "ct_1" }, { "contact.attributes.tags": { $in: ["beta"] } }] }, paid),
    ).toEqual({ matches: true });
  });

  it("treats null and {} as no filter", () => {
    expect(isEmptyFilter(null)).toBe(true);
    expect(isEmptyFilter({})).toBe(true);
    expect(isEmptyFilter({ a: 1 })).toBe(false);
  });

  it.each([
    [[], "filter", "must be a JSON object"],
    [{ a: [1] }, "filter.a", "an array is not a value"],
    [{ a: { $gt: true } }, "filter.a.$gt", "must be a number or a string"],
    [{ a: { $in: "x" } }, "filter.a.$in", "must be an array"],
    [{ a: { $regex: "x" } }, "filter.a.$regex", "is not an operator"],
    [{ a: { $exists: 1 } }, "filter.a.$exists", "must be true or false"],
    [{ a: {} }, "filter.a", "names no operator"],
    [{ "a..b": 1 }, "filter.a..b", "a segment is empty"],
    [{ $or: [] }, "filter.$or", "non-empty array"],
    [{ $or: [{ a: 1 }, 2] }, "filter.$or[1]", "must be a filter object"],
    [{ $nor: [{ a: 1 }] }, "filter.$nor", "is not an operator here"],
  ])("refuses %j at %s: %s", (filter, where, reason) => {
    const parsed = parseFilter(filter);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.where).toBe(where);
    expect(parsed.error.reason).toContain(reason);
  });

  it("refuses more than 4 KiB, more than 8 levels and more than 50 conditions", () => {
    expect(parseFilter({ a: "x".repeat(4_100) })).toMatchObject({ ok: false, error: { where: "filter" } });
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < FILTER_MAX_DEPTH; i++) deep = { $not: deep };
    expect(parseFilter(deep)).toMatchObject({ ok: false, error: { reason: "nests deeper than 8 levels" } });
    const many = Object.fromEntries(
      Array.from({ length: FILTER_MAX_CONDITIONS + 1 }, (_, i) => [`k${i}`, i]),
    );
    expect(parseFilter(many)).toMatchObject({ ok: false, error: { where: "filter.k50" } });
    const fifty = Object.fromEntries(Array.from({ length: FILTER_MAX_CONDITIONS }, (_, i) => [`k${i}`, i]));
    expect(parseFilter(fifty).ok).toBe(true);
  });
});

// ---- the reference: a direct reading of docs/filters.md over the raw JSON, sharing no code ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function lookup(payload: unknown, dotted: string): { found: boolean; value?: unknown } {
  let node = payload;
  for (const key of dotted.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !(key in node))
      return { found: false };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

function opHolds(op: string, operand: unknown, at: { found: boolean; value?: unknown }): boolean {
  const candidates = !at.found
    ? []
    : Array.isArray(at.value)
      ? at.value.filter((v) => !Array.isArray(v))
      : [at.value];
  const sameKind = (x: unknown) =>
    (typeof x === "number" && typeof operand === "number") ||
    (typeof x === "string" && typeof operand === "string");
  switch (op) {
    case "$exists":
      return at.found === operand;
    case "$eq":
      return candidates.includes(operand);
    case "$neq":
      return !candidates.includes(operand);
    case "$in":
      return candidates.some((c) => (operand as unknown[]).includes(c));
    case "$nin":
      return !candidates.some((c) => (operand as unknown[]).includes(c));
    case "$gt":
      return candidates.some((c) => sameKind(c) && (c as number) > (operand as number));
    case "$gte":
      return candidates.some((c) => sameKind(c) && (c as number) >= (operand as number));
    case "$lt":
      return candidates.some((c) => sameKind(c) && (c as number) < (operand as number));
    case "$lte":
      return candidates.some((c) => sameKind(c) && (c as number) <= (operand as number));
    case "$startsWith":
      return candidates.some((c) => typeof c === "string" && c.startsWith(operand as string));
    case "$endsWith":
      return candidates.some((c) => typeof c === "string" && c.endsWith(operand as string));
  }
  throw new Error(`unknown operator ${op}`);
}

function reference(filter: Record<string, Json>, payload: unknown): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (key === "$and") return (value as Record<string, Json>[]).every((f) => reference(f, payload));
    if (key === "$or") return (value as Record<string, Json>[]).some((f) => reference(f, payload));
    if (key === "$not") return !reference(value as Record<string, Json>, payload);
    const at = lookup(payload, key);
    if (typeof value !== "object" || value === null) return opHolds("$eq", value, at);
    return Object.entries(value).every(([op, operand]) => opHolds(op, operand, at));
  });
}

// ---- generators over a small vocabulary, so paths collide with the payload often ----

const KEYS = ["a", "b", "c"];
const literal = fc.constantFrom<Json>(0, 1, 2, -1.5, "", "x", "xy", "yx", "1", true, false, null);
const payload = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    literal,
    fc.array(fc.oneof(literal, tie("node")), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { maxKeys: 3 }),
  ),
})).node;
const path = fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 }).map((p) => p.join("."));
const operators = fc
  .oneof(
    fc.record({ $eq: literal }, { requiredKeys: [] }),
    fc.record({ $neq: literal, $exists: fc.boolean() }, { requiredKeys: [] }),
    fc.record(
      { $gt: fc.constantFrom<Json>(0, 1, "x"), $lte: fc.constantFrom<Json>(1, 2, "xy") },
      { requiredKeys: [] },
    ),
    fc.record(
      { $in: fc.array(literal, { maxLength: 3 }), $nin: fc.array(literal, { maxLength: 2 }) },
      { requiredKeys: [] },
    ),
    fc.record(
      { $startsWith: fc.constantFrom("", "x", "y"), $endsWith: fc.constantFrom("x", "y") },
      { requiredKeys: [] },
    ),
  )
  .filter((o) => Object.keys(o).length > 0);
const filter = fc.letrec<{ f: Record<string, Json> }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.dictionary(path, fc.oneof(literal, operators as fc.Arbitrary<Json>), { minKeys: 1, maxKeys: 3 }),
    fc.record({ $and: fc.array(tie("f"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $or: fc.array(tie("f"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ $not: tie("f") }),
  ),
})).f;

describe("the filter engine, by property", () => {
  it("agrees with the reference on random filters and payloads", () => {
    fc.assert(
      fc.property(filter, fc.array(payload, { minLength: 1, maxLength: 5 }), (f, payloads) => {
        const parsed = parseFilter(f);
        // The generator makes only valid filters; a large one may pass a bound, and must say so.
        if (!parsed.ok) {
          expect(parsed.error.reason).toMatch(/more than 50 conditions|bytes as JSON/);
          return;
        }
        for (const p of payloads) {
          const wrapped = { a: p, b: p, c: { a: p } };
          expect(matchFilter(parsed.condition, wrapped).matches).toBe(reference(f, wrapped));
        }
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it("never throws on any JSON, and what it accepts never throws when matched", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 4 }), (f, p) => {
        const parsed = parseFilter(f);
        if (parsed.ok) matchFilter(parsed.condition, p);
        else expect(parsed.error.reason.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });
});
