// Hostile requests for every route of the API, as fast-check arbitraries. Shared by
// test/hostile/fuzz.test.ts (inside workerd, seed fixed) and scripts/soak.mjs (over real HTTP against the
// built bundle). Plain JavaScript so that the soak runs it under Node; its types are the JSDoc below,
// which tsc reads (allowJs) for the TypeScript test.
//
// Nothing generated here may write: each request is either read-only (a GET, a preview, a path no
// route serves) or carries a defect for which the contract demands a rejection — missing or wrong
// credentials, another workspace's ids, a malformed or invalid body, a disabled destination. So
// whatever the worker answers, every table must hold the same rows after the request as before it,
// no answer may be a 5xx, and a request marked `mustReject` must get a 4xx.
//
//   const requests = fc.sample(hostileRequest(fixtures), { seed, numRuns: 500 });
//
// `fixtures` names two workspaces the caller created (`Fixtures` below): `own`, whose key the requests
// mostly carry, and `other`, whose ids they try to reach with it.
import fc from "fast-check";
import {
  CONTACT_EVENT_TYPES,
  contact,
  deepValue,
  defectiveBody,
  describeValue,
  encoder,
  hostileJson,
  JSON_TYPE,
  long,
  raw,
  stringify,
  validBodies,
} from "./hostile-bodies.mjs";

export { CONTACT_EVENT_TYPES, deepJson } from "./hostile-bodies.mjs";

/**
 * @typedef {{
 *   method: string;
 *   path: string;
 *   auth: "none" | "operator" | "workspace";
 *   body: "none" | "workspace" | "event" | "destination" | "patch" | "rotate" | "preview" | "replay" | "recover" | "batch";
 *   writes: boolean;
 *   idKind?: "destination" | "key";
 * }} Route
 *
 * @typedef {{
 *   ws: string;
 *   key: string;
 *   destinationId: string;
 *   deliveryId: string;
 *   eventId: string;
 *   recoveryId: string;
 *   keyId: string;
 * }} WorkspaceFixture
 * A workspace the caller made: `eventId` is the event of `deliveryId`, `recoveryId` a finished
 * recovery of `destinationId`.
 *
 * @typedef {{
 *   operatorToken: string;
 *   own: WorkspaceFixture & { disabledDestinationId: string; revokedKey: string };
 *   other: WorkspaceFixture;
 * }} Fixtures
 * `own` carries the requests' key; its `deliveryId` belongs to `disabledDestinationId` (so redelivering
 * it is a 409) and `revokedKey` is one of its keys that was revoked. `other`'s ids must stay out of reach.
 *
 * @typedef {{
 *   kind: "auth" | "path" | "body" | "conflict" | "read" | "route";
 *   label: string;
 *   route: string;
 *   method: string;
 *   path: string;
 *   headers: Record<string, string>;
 *   body: string | Uint8Array | undefined;
 *   mustReject: boolean;
 * }} HostileRequest
 *
 * @typedef {{
 *   status: number;
 *   contentType: string | null;
 *   excerpt?: string;
 *   error?: string;
 *   unsendable?: string;
 * }} Answer
 * `error`: the request got no answer (a connection error, a timeout); `unsendable`: the client itself
 * refused to send it, no fault of the worker's.
 *
 * @typedef {{ indexes: number[]; problems: string[]; requests: HostileRequest[]; answers: Answer[] }} Failure
 * @typedef {{ sent: number; statuses: Record<string, number>; kinds: Record<string, number>; failures: Failure[] }} FuzzResult
 */

/**
 * Every route of the API. `body`: what the route reads from its body; `writes`: whether a valid call
 * changes a row; `idKind`: what `{id}` names on that route.
 * @type {Route[]}
 */
export const ROUTES = [
  { method: "GET", path: "/healthz", auth: "none", body: "none", writes: false },
  { method: "GET", path: "/v1/event-types", auth: "none", body: "none", writes: false },
  { method: "GET", path: "/openapi.json", auth: "none", body: "none", writes: false },
  { method: "POST", path: "/v1/workspaces", auth: "operator", body: "workspace", writes: true },
  { method: "POST", path: "/v1/workspaces/{ws}/api-keys", auth: "operator", body: "none", writes: true },
  {
    method: "DELETE",
    path: "/v1/workspaces/{ws}/api-keys/{id}",
    auth: "operator",
    body: "none",
    writes: true,
    idKind: "key",
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/destinations",
    auth: "workspace",
    body: "destination",
    writes: true,
  },
  { method: "GET", path: "/v1/workspaces/{ws}/destinations", auth: "workspace", body: "none", writes: false },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/destinations/{id}",
    auth: "workspace",
    body: "none",
    writes: false,
    idKind: "destination",
  },
  {
    method: "PATCH",
    path: "/v1/workspaces/{ws}/destinations/{id}",
    auth: "workspace",
    body: "patch",
    writes: true,
    idKind: "destination",
  },
  {
    method: "DELETE",
    path: "/v1/workspaces/{ws}/destinations/{id}",
    auth: "workspace",
    body: "none",
    writes: true,
    idKind: "destination",
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/destinations/{id}/rotate-secret",
    auth: "workspace",
    body: "rotate",
    writes: true,
    idKind: "destination",
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/destinations/{id}/preview",
    auth: "workspace",
    body: "preview",
    writes: false,
    idKind: "destination",
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/destinations/{id}/test",
    auth: "workspace",
    body: "none",
    writes: true,
    idKind: "destination",
  },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/destinations/{id}/deliveries",
    auth: "workspace",
    body: "none",
    writes: false,
    idKind: "destination",
  },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/deliveries/{delivery_id}",
    auth: "workspace",
    body: "none",
    writes: false,
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/deliveries/{delivery_id}/redeliver",
    auth: "workspace",
    body: "none",
    writes: true,
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/destinations/{id}/recover",
    auth: "workspace",
    body: "recover",
    writes: true,
    idKind: "destination",
  },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/destinations/{id}/recoveries",
    auth: "workspace",
    body: "none",
    writes: false,
    idKind: "destination",
  },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/destinations/{id}/recoveries/{recovery_id}",
    auth: "workspace",
    body: "none",
    writes: false,
    idKind: "destination",
  },
  { method: "POST", path: "/v1/workspaces/{ws}/events", auth: "workspace", body: "event", writes: true },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/events/batch",
    auth: "workspace",
    body: "batch",
    writes: true,
  },
  {
    method: "GET",
    path: "/v1/workspaces/{ws}/events/{event_id}",
    auth: "workspace",
    body: "none",
    writes: false,
  },
  {
    method: "POST",
    path: "/v1/workspaces/{ws}/events/{event_id}/replay",
    auth: "workspace",
    body: "replay",
    writes: true,
  },
];

/** The tables whose rows a rejected request must leave alone. */
export const TABLES = [
  "workspaces",
  "api_keys",
  "destinations",
  "destination_event_types",
  "events",
  "deliveries",
  "attempts",
  "recoveries",
];

// ---------------------------------------------------------------------------------------------------
// Credentials, path parameters, queries, headers

const garble = (token) =>
  fc.nat({ max: Math.max(0, token.length - 1) }).map((i) => {
    const c = token[i] === "A" ? "B" : "A";
    return token.slice(0, i) + c + token.slice(i + 1);
  });

/** An Authorization header (or none) that does not authorize this route for the own workspace. */
function badAuth(route, f) {
  const common = [
    fc.constant(undefined),
    fc.constantFrom("", "Bearer", "Bearer ", "Basic YTpi", "Digest x", "Bearer\tx"),
    fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => `Bearer ${s.replace(/[^!-~]/g, "")}x`),
  ];
  if (route.auth === "operator")
    return fc.oneof(
      ...common,
      fc.constant(`Bearer ${f.own.key}`),
      fc.constant(`Bearer ${f.operatorToken}x`),
      fc.constant(`Bearer ${f.operatorToken.slice(1)}`),
      garble(f.operatorToken).map((t) => `Bearer ${t}`),
      fc.constant(f.operatorToken),
    );
  return fc.oneof(
    ...common,
    fc.constant(`Bearer ${f.other.key}`),
    fc.constant(`Bearer ${f.operatorToken}`),
    fc.constant(`Bearer ${f.own.revokedKey}`),
    fc.constant(`Bearer ${f.own.key}x`),
    garble(f.own.key).map((t) => `Bearer ${t}`),
    fc.constant(`Token ${f.own.key}`),
    fc.constant(f.own.key),
    fc.constant(`Bearer ${f.own.key} ${f.own.key}`),
    fc.constant(`Bearer lpk_${"A".repeat(300)}`),
    fc
      .string({ unit: "binary-ascii", minLength: 1, maxLength: 40 })
      .map(
        (s) =>
          `Bearer lpk_${[...s].map((c) => (c.charCodeAt(0) < 0x21 || c.charCodeAt(0) > 0x7e ? "%" : c)).join("")}`,
      ),
  );
}

const goodAuth = (route, f) =>
  route.auth === "operator"
    ? `Bearer ${f.operatorToken}`
    : route.auth === "workspace"
      ? `Bearer ${f.own.key}`
      : undefined;

const ODD_SEGMENTS = [
  "%00",
  "%ZZ",
  "%",
  "..",
  "%2e%2e",
  "%2F",
  "a%2Fb",
  "%F0%9F%92%A9",
  "%C0%AF",
  "%ED%A0%80",
  ";a=b",
  "dst_%00",
  "-1",
  "null",
  "undefined",
  "%20",
  "x".repeat(3000),
];

const oddSegment = fc.oneof(
  fc.constantFrom(...ODD_SEGMENTS),
  fc
    .string({ unit: "binary", maxLength: 30 })
    .map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x"))),
);

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

/** Path parameters with at least one that names nothing the own key may touch. */
function badParams(route, f) {
  // The operator may act on any workspace: for its routes another workspace's uuid is no defect.
  const ws = [
    ...(route.auth === "operator" ? [] : [fc.constant(f.other.ws)]),
    fc.uuid(),
    fc.constant(f.own.ws.toUpperCase()),
    fc.constant(`${f.own.ws}x`),
    oddSegment,
  ];
  const idFor = {
    destination: [
      fc.constant(f.other.destinationId),
      fc.constant(f.own.deliveryId),
      hex32.map((h) => `dst_${h}`),
      fc.constant(f.own.destinationId.toUpperCase()),
      oddSegment,
    ],
    key: [
      fc.constant(f.other.keyId),
      hex32.map((h) => `key_${h}`),
      fc.constant(f.own.destinationId),
      oddSegment,
    ],
  };
  const delivery = [
    fc.constant(f.other.deliveryId),
    fc.constant(f.own.destinationId),
    hex32.map((h) => `dlv_${h}`),
    oddSegment,
  ];
  const event = [fc.constant(f.other.eventId), fc.constant(f.own.deliveryId), oddSegment];
  const recovery = [
    fc.constant(f.other.recoveryId),
    fc.constant(f.own.deliveryId),
    hex32.map((h) => `rcv_${h}`),
    oddSegment,
  ];
  const valid = {
    ws: fc.constant(f.own.ws),
    id: fc.constant(route.idKind === "key" ? f.own.keyId : f.own.destinationId),
    delivery_id: fc.constant(f.own.deliveryId),
    event_id: fc.constant(f.own.eventId),
    recovery_id: fc.constant(f.own.recoveryId),
  };
  const bad = {
    ws: fc.oneof(...ws),
    id: fc.oneof(...(idFor[route.idKind] ?? idFor.destination)),
    delivery_id: fc.oneof(...delivery),
    event_id: fc.oneof(...event),
    recovery_id: fc.oneof(...recovery),
  };
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (!names.length) return null;
  return fc
    .subarray(names, { minLength: 1 })
    .chain((broken) =>
      fc.record(Object.fromEntries(names.map((n) => [n, broken.includes(n) ? bad[n] : valid[n]]))),
    );
}

const goodParams = (route, f) => ({
  ws: f.own.ws,
  id: route.idKind === "key" ? f.own.keyId : f.own.destinationId,
  delivery_id: f.own.deliveryId,
  event_id: f.own.eventId,
  recovery_id: f.own.recoveryId,
});

const fill = (path, params) => path.replace(/\{(\w+)\}/g, (_m, name) => params[name]);

const queryString = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "limit=-1",
        "limit=0",
        "limit=101",
        "limit=1e999",
        "limit=abc",
        "limit=",
        "limit=5&limit=6",
        "cursor=%00",
        "cursor=AAAA",
        `cursor=${"A".repeat(5000)}`,
        "cursor=ZHN0XzAw",
        "status=failed,,",
        "status=nope",
        "status=pending,succeeded",
        "status=",
        "%ZZ=1",
        "a[b]=1",
      ),
      fc.tuple(oddSegment, oddSegment).map(([k, v]) => `${k}=${v}`),
    ),
    { maxLength: 3 },
  )
  .map((parts) => (parts.length ? `?${parts.join("&")}` : ""));

// Header values a client can send: printable ASCII and tab (fetch refuses other control characters,
// and workerd re-encodes anything beyond ASCII as UTF-8 with a warning per request).
const oddHeaderValue = fc
  .string({ unit: "binary-ascii", maxLength: 60 })
  .map((s) => `${s.replace(/[^\t -~]/g, "_").trim()}~`);

const oddHeaders = fc.dictionary(
  fc.constantFrom(
    "X-HTTP-Method-Override",
    "X-Forwarded-For",
    "Accept",
    "Accept-Encoding",
    "Origin",
    "Cookie",
    "Content-Encoding",
    "Range",
    "If-None-Match",
    "X-Odd",
    "Idempotency-Key",
  ),
  fc.oneof(
    fc.constantFrom("DELETE", "gzip", "br", "*/*", "bytes=0-1", "https://evil.example", "a".repeat(8000)),
    oddHeaderValue,
  ),
  { maxKeys: 3 },
);

// ---------------------------------------------------------------------------------------------------
// Requests

const bodyless = (method) => method === "GET" || method === "HEAD";

function request({ kind, label, route, method, params, query = "", auth, headers = {}, body, mustReject }) {
  const h = { ...headers };
  if (auth !== undefined) h.Authorization = auth;
  let payload;
  if (body && !bodyless(method)) {
    if (body.contentType !== undefined) h["Content-Type"] = body.contentType;
    // A string body would be labelled text/plain by fetch; bytes go without a Content-Type.
    payload =
      body.contentType === undefined && typeof body.body === "string" ? encoder.encode(body.body) : body.body;
  }
  return {
    kind,
    label,
    route: `${route.method} ${route.path}`,
    method,
    path: fill(route.path, params) + query,
    headers: h,
    body: payload,
    mustReject,
  };
}

/** A body for any route: valid for its schema, or not. */
function anyBody(route) {
  if (route.body === "none")
    return fc.option(
      hostileJson.map((v) => ({ label: "ignored body", body: stringify(v), contentType: JSON_TYPE })),
      { nil: undefined },
    );
  return fc.oneof(
    validBodies[route.body].map((b) => ({ label: "valid body", body: stringify(b), contentType: JSON_TYPE })),
    defectiveBody(route.body),
  );
}

/**
 * A request that must write nothing, for the fixtures' workspaces. Its `kind` says why:
 * `auth` (credentials that do not authorize it), `path` (ids the key may not reach), `body` (invalid
 * input), `conflict` (a disabled destination), `read` (read-only route), `route` (no such route).
 * @param {Fixtures} f
 * @returns {fc.Arbitrary<HostileRequest>}
 */
export function hostileRequest(f) {
  const guarded = ROUTES.filter((r) => r.auth !== "none");
  const bodyRoutes = ROUTES.filter((r) => r.body !== "none" && r.writes);
  const readRoutes = ROUTES.filter((r) => !r.writes);
  const pathRoutes = ROUTES.filter((r) => r.path.includes("{"));

  const authDefect = fc
    .constantFrom(...guarded)
    .chain((route) =>
      fc.record({
        route: fc.constant(route),
        auth: badAuth(route, f),
        body: anyBody(route),
        headers: oddHeaders,
      }),
    )
    .map(({ route, auth, body, headers }) =>
      request({
        kind: "auth",
        label: `credentials ${auth === undefined ? "(none)" : describeValue(auth)}${body ? `; ${body.label}` : ""}`,
        route,
        method: route.method,
        params: goodParams(route, f),
        auth,
        headers,
        body,
        mustReject: true,
      }),
    );

  const pathDefect = fc
    .constantFrom(...pathRoutes)
    .chain((route) =>
      fc.record({
        route: fc.constant(route),
        params: badParams(route, f),
        body: anyBody(route),
        query: route.method === "GET" ? queryString : fc.constant(""),
        headers: oddHeaders,
      }),
    )
    .map(({ route, params, body, query, headers }) =>
      request({
        kind: "path",
        label: `path parameters ${describeValue(params)}${body ? `; ${body.label}` : ""}`,
        route,
        method: route.method,
        params,
        query,
        auth: goodAuth(route, f),
        headers,
        body,
        mustReject: true,
      }),
    );

  const bodyDefect = fc
    .constantFrom(...bodyRoutes)
    .chain((route) =>
      fc.record({ route: fc.constant(route), body: defectiveBody(route.body), headers: oddHeaders }),
    )
    .map(({ route, body, headers }) =>
      request({
        kind: "body",
        label: body.label,
        route,
        method: route.method,
        params: goodParams(route, f),
        auth: goodAuth(route, f),
        headers,
        body,
        mustReject: true,
      }),
    );

  const conflict = fc
    .constantFrom(
      {
        route: ROUTES.find((r) => r.path.endsWith("/test")),
        params: { ws: f.own.ws, id: f.own.disabledDestinationId },
      },
      {
        route: ROUTES.find((r) => r.path.endsWith("/redeliver")),
        params: { ws: f.own.ws, delivery_id: f.own.deliveryId },
      },
    )
    .map(({ route, params }) =>
      request({
        kind: "conflict",
        label: "the destination is disabled",
        route,
        method: route.method,
        params,
        auth: goodAuth(route, f),
        mustReject: true,
      }),
    );

  const read = fc
    .constantFrom(...readRoutes)
    .chain((route) =>
      fc.record({
        route: fc.constant(route),
        method:
          route.method === "GET" ? fc.constantFrom("GET", "GET", "GET", "HEAD") : fc.constant(route.method),
        query: queryString,
        body: anyBody(route),
        headers: oddHeaders,
      }),
    )
    .map(({ route, method, query, body, headers }) =>
      request({
        kind: "read",
        label: `read${query ? ` ${query.slice(0, 60)}` : ""}${body && !bodyless(method) ? `; ${body.label}` : ""}`,
        route,
        method,
        params: goodParams(route, f),
        query,
        auth: goodAuth(route, f),
        headers,
        body,
        mustReject: false,
      }),
    );

  // A preview renders whatever contact it is given; it must never fail on its own input with a 5xx.
  const previewRoute = ROUTES.find((r) => r.path.endsWith("/preview"));
  const preview = fc
    .oneof(
      contact.map((c) => ({ label: "preview of a hostile contact", c })),
      fc.tuple(contact, deepValue).map(([c, deep]) => ({
        label: `preview of a contact nested ${deep.depth} levels (${deep.shape})`,
        c: { ...c, attributes: { deep: raw(deep.text) } },
      })),
      fc.tuple(contact, fc.integer({ min: 10_000, max: 200_000 })).map(([c, n]) => ({
        label: `preview of a contact with a ${n}-character attribute`,
        c: { ...c, attributes: { big: long(n) } },
      })),
    )
    .chain(({ label, c }) =>
      fc.record({
        label: fc.constant(label),
        type: fc.constantFrom(...CONTACT_EVENT_TYPES, "webhook.test"),
        c: fc.constant(c),
        destination: fc.constantFrom(f.own.destinationId, f.own.disabledDestinationId),
      }),
    )
    .map(({ label, type, c, destination }) =>
      request({
        kind: "read",
        label,
        route: previewRoute,
        method: "POST",
        params: { ws: f.own.ws, id: destination },
        auth: goodAuth(previewRoute, f),
        body: { body: stringify({ event: { type, contact: c } }), contentType: JSON_TYPE },
        mustReject: false,
      }),
    );

  // Methods no route serves on a real path, and paths no route serves.
  const noRoute = fc
    .oneof(
      fc.record({
        route: fc.constantFrom(...ROUTES),
        method: fc.constantFrom("PUT", "OPTIONS", "PROPFIND", "PATCH", "DELETE", "POST"),
      }),
      fc.record({
        route: fc.constantFrom(
          { method: "GET", path: "/v1/workspaces/{ws}/destinations/{id}/nope", idKind: "destination" },
          { method: "GET", path: "/v2/workspaces/{ws}/destinations", idKind: "destination" },
          { method: "GET", path: "//v1/workspaces/{ws}/destinations" },
          { method: "GET", path: "/v1/workspaces/{ws}/destinations/" },
          { method: "GET", path: "/v1/workspaces/{ws}/events" },
          { method: "GET", path: "/v1/workspaces/{ws}" },
          { method: "GET", path: "/v1/workspaces/{ws}/deliveries" },
          { method: "GET", path: "/v1/workspaces/{ws}/api-keys" },
          { method: "GET", path: "/v1/%ZZ" },
          { method: "GET", path: "/openapi.json/../v1/workspaces" },
          { method: "GET", path: "/v1" },
        ),
        method: fc.constantFrom("GET", "POST", "DELETE", "HEAD"),
      }),
    )
    .filter(({ route, method }) => !ROUTES.some((r) => r.path === route.path && r.method === method))
    .filter(
      ({ route, method }) =>
        !(method === "HEAD" && ROUTES.some((r) => r.path === route.path && r.method === "GET")),
    )
    .chain(({ route, method }) =>
      fc.record({
        route: fc.constant(route),
        method: fc.constant(method),
        auth: fc.constantFrom(`Bearer ${f.own.key}`, `Bearer ${f.operatorToken}`, undefined),
        body: fc.option(
          hostileJson.map((v) => ({ label: "", body: stringify(v), contentType: JSON_TYPE })),
          { nil: undefined },
        ),
      }),
    )
    .map(({ route, method, auth, body }) =>
      request({
        kind: "route",
        label: `no route for ${method} ${route.path}`,
        route,
        method,
        params: goodParams(route, f),
        auth,
        body,
        mustReject: false,
      }),
    );

  return fc.oneof(
    { weight: 4, arbitrary: authDefect },
    { weight: 3, arbitrary: pathDefect },
    { weight: 8, arbitrary: bodyDefect },
    { weight: 1, arbitrary: conflict },
    { weight: 2, arbitrary: read },
    { weight: 2, arbitrary: preview },
    { weight: 1, arbitrary: noRoute },
  );
}

// ---------------------------------------------------------------------------------------------------
// Judging an answer

// The API's paths answer errors as problem+json; the dashboard's (/, /w/…, /docs) answer HTML pages.
const API_PATH = /^\/(v1(\/|$)|v2\/|healthz|openapi\.json|\/)/;

/**
 * What is wrong with one answer: a 5xx, a success for a request that must be rejected, an API error that is not problem+json.
 * @param {HostileRequest} req
 * @param {Answer} answer
 * @returns {string[]}
 */
export function problemsWith(req, answer) {
  const found = [];
  if (answer.unsendable) return found;
  if (answer.error) found.push(`no answer: ${answer.error}`);
  else if (answer.status >= 500) found.push(`answered ${answer.status}`);
  else if (req.mustReject && answer.status < 400)
    found.push(`accepted (${answer.status}) a request that must be rejected`);
  if (
    answer.status >= 400 &&
    req.method !== "HEAD" &&
    API_PATH.test(req.path) &&
    !/^application\/problem\+json/.test(answer.contentType ?? "")
  )
    found.push(`error answered as ${answer.contentType || "(no Content-Type)"}, not problem+json`);
  return found;
}

const changes = (before, after) =>
  Object.keys(after)
    .filter((key) => after[key] !== before[key])
    .map((key) => `${key} ${before[key]}→${after[key]}`);

/**
 * Sends `requests` in batches and judges each answer (`problemsWith`). `send(req)` resolves to
 * `{ status, contentType, excerpt? }` (or `{ unsendable: why }` when the client itself refused to send
 * it, which is no fault of the worker's) and `countRows()` to a number per table (and per anything else
 * a write would change). Rows are counted before and after each batch: nothing here may write, so a
 * change fails the batch, blamed on its requests that were not rejected or that crashed.
 * Resolves to `{ sent, statuses, kinds, failures }`; each failure is { indexes, problems, requests, answers },
 * indexes counted from `offset`.
 * @param {HostileRequest[]} requests
 * @param {{
 *   send: (request: HostileRequest) => Promise<Answer>;
 *   countRows: () => Promise<Record<string, number>>;
 *   batchSize?: number;
 *   concurrency?: number;
 *   offset?: number;
 * }} options
 * @returns {Promise<FuzzResult>}
 */
export async function runHostileRequests(
  requests,
  { send, countRows, batchSize = 10, concurrency = 1, offset = 0 },
) {
  const statuses = {};
  const kinds = {};
  const failures = [];
  let before = await countRows();
  for (let start = 0; start < requests.length; start += batchSize) {
    const batch = requests.slice(start, start + batchSize);
    const answers = new Array(batch.length);
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const i = next++;
        try {
          answers[i] = await send(batch[i]);
        } catch (error) {
          answers[i] = {
            status: 0,
            contentType: null,
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
    const after = await countRows();
    batch.forEach((req, i) => {
      const answer = answers[i];
      const statusClass = answer.unsendable
        ? "not sendable by the client"
        : answer.error
          ? "no answer"
          : `${Math.floor(answer.status / 100)}xx`;
      statuses[statusClass] = (statuses[statusClass] ?? 0) + 1;
      kinds[req.kind] = (kinds[req.kind] ?? 0) + 1;
      const problems = problemsWith(req, answer);
      if (problems.length)
        failures.push({ indexes: [offset + start + i], problems, requests: [req], answers: [answer] });
    });
    const wrote = changes(before, after);
    if (wrote.length) {
      // Blame the requests accepted though they must be rejected; failing those, the ones that got
      // no answer or a 5xx (a crash may have written half); failing those, any not rejected.
      const all = batch.map((req, i) => ({ req, answer: answers[i], index: offset + start + i }));
      const accepted = all.filter(
        ({ req, answer }) => req.mustReject && answer.status > 0 && answer.status < 400,
      );
      const crashed = all.filter(({ answer }) => answer.error || answer.status >= 500);
      const suspects = accepted.length
        ? accepted
        : crashed.length
          ? crashed
          : all.filter(({ answer }) => answer.status < 400);
      failures.push({
        indexes: suspects.map((s) => s.index),
        problems: [
          `requests ${offset + start}–${offset + start + batch.length - 1} wrote: ${wrote.join(", ")}`,
        ],
        requests: suspects.map((s) => s.req),
        answers: suspects.map((s) => s.answer),
      });
    }
    before = after;
  }
  return { sent: requests.length, statuses, kinds, failures };
}

/**
 * A one-line description of a request for a report, its body cut to `max` characters.
 * @param {HostileRequest} req
 */
export function describeRequest(req, max = 160) {
  const body =
    req.body === undefined
      ? ""
      : typeof req.body === "string"
        ? req.body
        : new TextDecoder().decode(req.body);
  const shown = body.length > max ? `${body.slice(0, max)}…(${body.length} chars)` : body;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 57)}…` : v}`)
    .join("; ");
  const path = req.path.length > 140 ? `${req.path.slice(0, 137)}…` : req.path;
  return `${req.method} ${path} [${headers}]${shown ? ` ${JSON.stringify(shown)}` : ""}`;
}

/**
 * A failure of runHostileRequests as report lines.
 * @param {Failure} failure
 */
export function describeFailure(failure, max = 160) {
  const lines = [`${failure.problems.join("; ")}`];
  failure.requests.forEach((req, i) => {
    const answer = failure.answers[i];
    const excerpt = answer.excerpt ? ` → ${JSON.stringify(answer.excerpt.slice(0, 120))}` : "";
    lines.push(
      `  #${failure.indexes[i]} ${req.kind}: ${req.label} (answered ${answer.error ?? answer.status})${excerpt}`,
    );
    lines.push(`    ${describeRequest(req, max)}`);
  });
  return lines.join("\n");
}

/**
 * Failures grouped by request kind and by everything that went wrong with each request (numbers in
 * the labels folded, their range shown): one entry per group, with its count and first example.
 * @param {Failure[]} failures
 * @returns {string[]}
 */
export function summarizeFailures(failures, max = 160) {
  const byRequest = new Map(); // index → { req, answer, problems }
  for (const failure of failures)
    failure.requests.forEach((req, i) => {
      const index = failure.indexes[i];
      if (!byRequest.has(index))
        byRequest.set(index, { index, req, answer: failure.answers[i], problems: [] });
      for (const problem of failure.problems)
        byRequest
          .get(index)
          .problems.push(problem.replace(/^requests \d+–\d+ wrote: /, "wrote ").replace(/ \d+→\d+/g, ""));
    });
  const groups = new Map();
  for (const entry of [...byRequest.values()].sort((a, b) => a.index - b.index)) {
    const problem = [...new Set(entry.problems)].join("; ");
    const pattern = entry.req.label.replace(/\d+/g, "N");
    const key = `${problem} | ${entry.req.route} | ${pattern}`;
    if (!groups.has(key))
      groups.set(key, { problem, route: entry.req.route, pattern, numbers: [], count: 0, first: entry });
    const group = groups.get(key);
    group.count++;
    group.numbers.push(...(entry.req.label.match(/\d+/g) ?? []).map(Number));
  }
  return [...groups.values()].map(({ problem, route, pattern, numbers, count, first }) => {
    const range = numbers.length ? ` (N from ${Math.min(...numbers)} to ${Math.max(...numbers)})` : "";
    const excerpt = first.answer.excerpt ? ` → ${JSON.stringify(first.answer.excerpt.slice(0, 120))}` : "";
    return [
      `${count}× ${problem}: ${route} — ${pattern}${range}`,
      `  e.g. #${first.index} answered ${first.answer.error ?? first.answer.status}${excerpt}`,
      `    ${describeRequest(first.req, max)}`,
    ].join("\n");
  });
}
