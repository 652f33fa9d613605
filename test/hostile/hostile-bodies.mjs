// Request bodies for the fuzz tests (see hostile-requests.mjs): hostile JSON values, nesting far past
// the contract's 32 levels, valid bodies for each schema, and defects that make any of them invalid.
import fc from "fast-check";

export const CONTACT_EVENT_TYPES = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.subscribed",
  "contact.unsubscribed",
];

export const JSON_TYPE = "application/json";

// ---------------------------------------------------------------------------------------------------
// Values

const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff\ud800",
  "{{",
  "}}",
  "{{#a}}{{/b}}",
  "{{> partial}}",
  "{{{ contact }}}",
  "{{=<% %>=}}",
  "</script><script>alert(1)</script>",
  "' OR 1=1 --",
  "%00%0d%0a",
  "..",
  "../../../etc/passwd",
  "\r\nX-Injected: 1",
  "\u2028\u2029",
  "\ufeff",
  "ｌｏｃａｌｈｏｓｔ",
  "😀".repeat(50),
  "\u202e",
  "null",
  "__proto__",
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 6000 }).map((n) => "x".repeat(n)) },
);

const hostileScalar = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308, Number.MIN_VALUE),
);

/** A JSON value: a few levels of hostile scalars, arrays and objects (deep nesting is separate). */
export const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileScalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

// A marker replaced, after JSON.stringify, by raw JSON text (deep nesting, literals JSON cannot hold).
// Private-use characters, which JSON.stringify leaves as they are.
const RAW = "\ue000raw\ue001";
export const raw = (text) => ({ [RAW]: text });

/** JSON.stringify, with each raw(text) written as that text. */
export function stringify(value) {
  const texts = [];
  const json = JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && RAW in v) {
      texts.push(v[RAW]);
      return `${RAW}${texts.length - 1}${RAW}`;
    }
    return v;
  });
  return json.replace(new RegExp(`"${RAW}(\\d+)${RAW}"`, "g"), (_m, i) => texts[Number(i)]);
}

/** JSON text nested `depth` levels: arrays, objects, or both in turn. */
export function deepJson(depth, shape = "array") {
  if (shape === "array") return `${"[".repeat(depth)}${"]".repeat(depth)}`;
  if (shape === "object") return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const open = [];
  for (let i = 0; i < depth; i++) open.push(i % 2 ? '{"a":' : "[");
  let close = "";
  for (let i = depth - 1; i >= 0; i--) close += i % 2 ? "}" : "]";
  return `${open.join("")}1${close}`;
}

// Deeper than the contract's 32 levels, up to the ~12 KB array 6,000 levels deep.
export const deepValue = fc
  .record({
    depth: fc.oneof(fc.constantFrom(33, 40, 100, 1000, 6000), fc.integer({ min: 33, max: 8000 })),
    shape: fc.constantFrom("array", "object", "mixed"),
  })
  .map(({ depth, shape }) => ({ depth, shape, text: deepJson(depth, shape) }));

// ---------------------------------------------------------------------------------------------------
// Valid bodies per schema (the starting point of a defect; valid on their own)

export const contact = fc.record(
  {
    _id: fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
      fc.constantFrom("ct_1", "a/b?#"),
    ),
    attributes: fc.dictionary(fc.string({ maxLength: 12 }), hostileJson, { maxKeys: 5 }),
  },
  { requiredKeys: ["_id"] },
);

const isoDate = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

export const validBodies = {
  workspace: fc.record({ name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }) }),
  event: fc.record(
    {
      id: fc.string({ minLength: 1, maxLength: 40 }),
      type: fc.constantFrom(...CONTACT_EVENT_TYPES),
      contact,
      occurred_at: isoDate,
    },
    { requiredKeys: ["type", "contact"] },
  ),
  destination: fc.record(
    {
      name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ""),
      method: fc.constantFrom("POST", "PUT", "PATCH", "DELETE"),
      url_template: fc.constantFrom(
        "https://example.com/hooks",
        "https://example.com/c/{{ contact._id }}?t={{ event.type }}",
      ),
      event_types: fc.subarray(CONTACT_EVENT_TYPES),
      timeout_seconds: fc.integer({ min: 1, max: 30 }),
      headers_template: fc.constant([{ key: "X-Contact", value: "{{ contact._id }}" }]),
      query_template: fc.constant([{ key: "e", value: "{{ event.type }}" }]),
      body_template: fc.constantFrom(null, '{"id": "{{ contact._id }}"}', "plain {{ event.type }}"),
    },
    { requiredKeys: ["name", "method", "url_template", "event_types"] },
  ),
  patch: fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ""),
      enabled: fc.boolean(),
      timeout_seconds: fc.integer({ min: 1, max: 30 }),
      event_types: fc.subarray(CONTACT_EVENT_TYPES),
    },
    { requiredKeys: [] },
  ),
  rotate: fc.record({ grace_seconds: fc.integer({ min: 0, max: 604_800 }) }, { requiredKeys: [] }),
  // A batch of 1–5 valid events (POST …/events/batch).
  batch: fc
    .array(
      fc.record(
        {
          id: fc.string({ minLength: 1, maxLength: 40 }),
          type: fc.constantFrom(...CONTACT_EVENT_TYPES),
          contact,
        },
        { requiredKeys: ["type", "contact"] },
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((events) => ({ events })),
  // A replay to every subscribed destination (the fixtures' subscribe to nothing, so it queues nothing).
  replay: fc.constant({}),
  // A recovery of the last hour (the fixtures' destinations have nothing to recover).
  recover: fc
    .subarray(["failed", "skipped"], { minLength: 1 })
    .map((statuses) => ({ since: new Date(Date.now() - 3_600_000).toISOString(), statuses })),
  preview: fc.record(
    {
      event: fc.record(
        { type: fc.constantFrom(...CONTACT_EVENT_TYPES, "webhook.test"), contact, occurred_at: isoDate },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
};

// ---------------------------------------------------------------------------------------------------
// Defects: each turns a valid body into one the contract says must be rejected

export const long = (n) => "x".repeat(n);

/** Per schema: [field path, values that field can never take]. */
const WRONG = {
  workspace: [[["name"], [0, null, [], {}, "", "   ", long(101), true]]],
  recover: [
    [["since"], ["yesterday", 0, null, "", "2026-13-45T00:00:00Z", []]],
    [["until"], ["x", 1, null]],
    [["statuses"], [[], ["succeeded"], ["pending"], "failed", null, [1]]],
  ],
  // A batch's envelope (each event in it is taken or refused on its own, so only the envelope is a 400).
  batch: [[["events"], [[], null, "x", 1, {}, Array.from({ length: 101 }, () => ({}))]]],
  replay: [[["destination_ids"], [[], null, "dst_1", 1, ["nope"], [null], [`dst_${"0".repeat(32)}`]]]],
  event: [
    [["type"], [1, null, [], "webhook.test", "contact.CREATED", "contact.merged", "", raw("1e999")]],
    [["contact"], [null, "ct_1", [], 42, {}]],
    [
      ["contact", "_id"],
      [null, 1, "", long(256), [], {}],
    ],
    [
      ["contact", "attributes"],
      [[], "x", 1, true],
    ],
    [["id"], ["", 1, null, long(256), []]],
    [["occurred_at"], ["yesterday", 0, "2026-13-45T00:00:00Z", "2026-01-01", null, ""]],
  ],
  destination: [
    [["name"], ["", "   ", long(101), 1, null, []]],
    [["method"], ["TRACE", "post", "CONNECT", 1, null, ""]],
    [
      ["url_template"],
      [
        "",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "https://{{ contact._id }}.example.com/",
        "not a url",
        "https://example.com/{{#open}}",
        `https://example.com/${long(2100)}`,
        1,
        null,
      ],
    ],
    [
      ["event_types"],
      [["contact.nope"], ["contact.created", "contact.created"], "contact.created", [1], null],
    ],
    [["timeout_seconds"], [0, 31, 1.5, "10", -1, null, raw("1e999")]],
    [
      ["headers_template"],
      [
        [{ key: "Host", value: "x" }],
        [{ key: "X-Leadpush-Id", value: "x" }],
        [{ key: "x-leadpushevil", value: "x" }],
        [{ key: "Transfer-Encoding", value: "chunked" }],
        [{ key: "bad header", value: "x" }],
        [{ key: "X-A", value: "a\r\nb" }],
        [{ key: "X-A", value: "1", extra: true }],
        [
          { key: "X-A", value: "1" },
          { key: "x-a", value: "2" },
        ],
        Array.from({ length: 21 }, (_, i) => ({ key: `X-H${i}`, value: "v" })),
        "X-A: 1",
      ],
    ],
    [
      ["query_template"],
      [[{ key: "", value: "x" }], Array.from({ length: 21 }, (_, i) => ({ key: `q${i}`, value: "v" })), {}],
    ],
    [["body_template"], [long(66_000), "{{#unclosed}}", "{{/stray}}", 1, []]],
    [["enabled"], ["true", 1, null]],
  ],
  patch: [
    [["name"], ["", "   ", long(101), 1, null]],
    [["method"], ["get", "OPTIONS", 1]],
    [["url_template"], ["ftp://example.com/x", "https://{{ x }}/", "", null]],
    [["event_types"], [["webhook.test"], ["contact.created", "contact.created"], "contact.created"]],
    [["timeout_seconds"], [0, 31, 2.5, "5", null]],
    [["enabled"], ["false", 0, null]],
    [["headers_template"], [[{ key: "Content-Length", value: "1" }], [{ key: "X-A", value: "\u0000" }]]],
    [["body_template"], ["{{#a}}", 1]],
  ],
  rotate: [[["grace_seconds"], [-1, 604_801, 1.5, "60", null, [], true, raw("1e999")]]],
};

const withPath = (body, path, value) => {
  const copy = structuredClone(body);
  let target = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof target[key] !== "object" || target[key] === null || Array.isArray(target[key]))
      target[key] = {};
    target = target[key];
  }
  target[path[path.length - 1]] = value;
  return copy;
};

export const describeValue = (value) => {
  const text = typeof value === "string" ? JSON.stringify(value) : stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length} chars)` : text;
};

/** Raw bytes that are not UTF-8: lone continuation bytes, truncated sequences, overlongs, surrogates. */
const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
);

export const encoder = new TextEncoder();

/** The JSON text as UTF-8 with `bytes` spliced in at character `at`. */
function splice(text, at, bytes) {
  const encoded = encoder.encode(text.slice(0, at));
  const rest = encoder.encode(text.slice(at));
  const out = new Uint8Array(encoded.length + bytes.length + rest.length);
  out.set(encoded, 0);
  out.set(bytes, encoded.length);
  out.set(rest, encoded.length + bytes.length);
  return out;
}

const isJson = (text) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

// Media types a JSON-body route must refuse with 415 (none of them is JSON or +json).
const NON_JSON_TYPES = [
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/jsonx",
  "application/json;;",
  "application/json; charset",
  "application/octet-stream",
  "*/*",
];

/**
 * A body of `schema` that must be rejected: { label, body, contentType }. `body` is a string, or bytes
 * when it carries invalid UTF-8.
 */
export function defectiveBody(schema) {
  const valid = validBodies[schema];
  const asText = valid.map((b) => stringify(b));
  const defects = [
    // Malformed JSON: a valid body cut short, with or without a stray character.
    fc
      .tuple(
        asText,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("", ",", "}", "]", '"', "{", "'x'"),
      )
      .map(([text, cut, tail]) => {
        let body = text.slice(0, Math.floor(cut * text.length)) + tail;
        if (isJson(body)) body += "{";
        return { label: `malformed JSON (${body.length} chars)`, body, contentType: JSON_TYPE };
      }),
    // Invalid UTF-8 bytes where the JSON grammar has no string to absorb them.
    fc.tuple(asText, invalidUtf8).map(([text, bytes]) => ({
      label: `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(" ")} between tokens`,
      body: splice(text, 1, bytes),
      contentType: JSON_TYPE,
    })),
    // Not an object at all, including a top-level array nested thousands of levels deep.
    fc
      .oneof(
        fc.constantFrom("null", "[]", '"x"', "1e999", "true", "0"),
        deepValue.map((d) => d.text),
      )
      .map((body) => ({
        label: `body is ${describeValue(body)}`,
        body,
        contentType: JSON_TYPE,
      })),
    // An unknown top-level field (every body schema is strict).
    fc
      .tuple(
        valid,
        fc.constantFrom("bogus", "admin", "Type", "workspace_uuid", "secret", "constructor"),
        hostileJson,
      )
      .map(([b, key, value]) => ({
        label: `unknown field ${key}`,
        body: stringify({ ...b, [key]: value }),
        contentType: JSON_TYPE,
      })),
    // Non-JSON media types, or a body without any: the JSON routes answer 415.
    fc
      .tuple(asText, fc.option(fc.constantFrom(...NON_JSON_TYPES), { nil: undefined }))
      .map(([body, type]) => ({
        label: `Content-Type ${type ?? "(none)"}`,
        body,
        contentType: type,
      })),
  ];
  const wrong = WRONG[schema];
  if (wrong)
    defects.push(
      fc
        .tuple(valid, fc.constantFrom(...wrong))
        .chain(([b, [path, values]]) => fc.constantFrom(...values).map((value) => [b, path, value]))
        .map(([b, path, value]) => ({
          label: `${path.join(".")} = ${describeValue(value)}`,
          body: stringify(withPath(b, path, value)),
          contentType: JSON_TYPE,
        })),
      // A wrong value with raw invalid UTF-8 inside one of the body's strings.
      fc
        .tuple(valid, fc.constantFrom(...wrong), invalidUtf8)
        .chain(([b, [path, values], bytes]) =>
          fc.constantFrom(...values).map((value) => [b, path, value, bytes]),
        )
        .map(([b, path, value, bytes]) => {
          const text = stringify({ ...withPath(b, path, value), note: "<>" });
          return {
            label: `${path.join(".")} = ${describeValue(value)}, invalid UTF-8 in a string`,
            body: splice(text, text.lastIndexOf("<>") + 1, bytes),
            contentType: JSON_TYPE,
          };
        }),
    );
  if (schema === "event")
    defects.push(
      // The contract: an event nested deeper than 32 levels is a 4xx.
      fc.tuple(valid, deepValue, fc.constantFrom("attributes", "contact")).map(([b, deep, where]) => {
        const event =
          where === "attributes"
            ? withPath(b, ["contact", "attributes", "deep"], raw(deep.text))
            : withPath(b, ["contact", "deep"], raw(deep.text));
        return {
          label: `event with contact.${where === "attributes" ? "attributes." : ""}deep nested ${deep.depth} levels (${deep.shape})`,
          body: stringify(event),
          contentType: JSON_TYPE,
        };
      }),
      // Over 64 KiB.
      fc.tuple(valid, fc.integer({ min: 65_600, max: 200_000 })).map(([b, n]) => ({
        label: `event of ${n}+ bytes`,
        body: stringify(withPath(b, ["contact", "attributes", "blob"], long(n))),
        contentType: JSON_TYPE,
      })),
    );
  if (schema === "destination" || schema === "patch")
    defects.push(
      fc.tuple(valid, deepValue).map(([b, deep]) => ({
        label: `name nested ${deep.depth} levels (${deep.shape})`,
        body: stringify({ ...b, name: raw(deep.text) }),
        contentType: JSON_TYPE,
      })),
      // Over the 256 KiB request limit.
      fc.constant({
        label: "body of 300,000 bytes",
        body: stringify({ name: "big", body_template: long(300_000) }),
        contentType: JSON_TYPE,
      }),
    );
  return fc.oneof(...defects);
}
