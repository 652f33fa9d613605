// What the soak configures and sends, all derived from the seed: workspaces and their destinations
// (subscriptions, templates, timeouts), the events, and the changes made while events flow in
// (destinations disabled and enabled again, a secret rotated with a grace period).
import { unitHash } from "./faults.mjs";

export const EVENT_TYPES = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.subscribed",
  "contact.unsubscribed",
];

const HOSTILE_EMAIL = 'a"b\\c</script>\n@#?&=é\u2028@example.com';

/**
 * The destinations of each workspace. Destination `d` (a global index) gets, by its index: a method,
 * a URL under /d/{d}/{{ contact._id }}, maybe query, header and body templates, a 1 or 2 s timeout and
 * a seeded subset of the event types. Two kinds are set aside: `gone` ones may answer 410 (it disables
 * them), `templateTrap` ones render a template error for some contacts (a `.` path segment or a
 * header value with a line break). The last one starts disabled.
 */
export function planDestinations({ seed, workspaces, perWorkspace, receiverUrl, goneCount }) {
  const plan = [];
  const total = workspaces * perWorkspace;
  const gone = new Set(
    Array.from({ length: goneCount }, (_, i) => Math.floor(((i + 0.5) * total) / goneCount)),
  );
  for (let w = 0; w < workspaces; w++) {
    for (let i = 0; i < perWorkspace; i++) {
      const d = w * perWorkspace + i;
      const u = (what) => unitHash(seed, "destination", d, what);
      let types = EVENT_TYPES.filter((type) => u(type) < 0.5);
      if (!types.length) types = [EVENT_TYPES[d % EVENT_TYPES.length]];
      const method = ["POST", "POST", "POST", "PUT", "PATCH", "POST", "DELETE", "POST", "GET"][d % 9];
      const spec = {
        d,
        workspace: w,
        name: `soak destination ${d}`,
        method,
        url_template: `${receiverUrl}/d/${d}/{{ contact._id }}`,
        event_types: types,
        timeout_seconds: d % 4 === 0 ? 2 : 1,
        gone: gone.has(d),
        templateTrap: null,
        // The last destination is created disabled: it must never get a delivery until enabled.
        enabled: d !== total - 1,
      };
      if (d % 10 === 7) {
        spec.url_template += "/{{ contact.attributes.segment }}";
        spec.templateTrap = "segment";
      }
      if (d % 3 === 1)
        spec.query_template = [
          { key: "email", value: "{{ contact.attributes.email }}" },
          { key: "type", value: "{{ event.type }}" },
        ];
      if (d % 4 === 1)
        spec.headers_template = [
          { key: "X-Workspace", value: "{{ workspace.uuid }}" },
          { key: "Authorization", value: "Bearer receiver-token" },
        ];
      if (d % 10 === 3) {
        spec.headers_template = [{ key: "X-Note", value: "{{ contact.attributes.note }}" }];
        spec.templateTrap = "note";
      }
      if (method !== "GET" && d % 5 === 2)
        spec.body_template =
          '{"contact": "{{ contact._id }}", "email": "{{ contact.attributes.email }}", ' +
          '"type": "{{ event.type }}", "event": "{{ event.id }}", "attributes": {{ contact.attributes }}}';
      if (method !== "GET" && d % 5 === 4) spec.body_template = "contact {{ contact._id }}: {{ event.type }}";
      plan.push(spec);
    }
  }
  return plan;
}

/** Event `seq`: its workspace, type, contact and (for about half) a client id. */
export function planEvent(seed, seq, workspaces) {
  const u = (what) => unitHash(seed, "event", seq, what);
  const contactId = u("odd id") < 0.1 ? `c${seq}~ä/?#&` : `c${seq}`;
  const event = {
    type: EVENT_TYPES[Math.floor(u("type") * EVENT_TYPES.length)],
    contact: {
      _id: contactId,
      attributes: {
        email: u("email") < 0.05 ? HOSTILE_EMAIL : `person${seq}@example.com`,
        score: Math.floor(u("score") * 1000),
        tags: ["soak", u("tag") < 0.5 ? "vip" : 'q"uote'],
        // A path segment of "." or ".." and a header value with a line break are template errors.
        segment: u("segment") < 0.03 ? (u("dots") < 0.5 ? "." : "..") : `s${seq % 7}`,
        note: u("note") < 0.03 ? "first line\nsecond line" : "a note",
        nested: { level: { deeper: [1, "two", { three: 3 }] } },
      },
    },
  };
  if (u("client id") < 0.5) event.id = `soak-${seed}-${seq}`;
  if (u("occurred") < 0.3)
    event.occurred_at = new Date(Date.UTC(2026, 10, 26, 21, 0, seq % 60)).toISOString();
  return { seq, workspace: Math.floor(u("workspace") * workspaces), body: event, replay: u("replay") < 0.03 };
}

/**
 * The changes made while events flow in, at a share of the events sent: two destinations disabled
 * (one per workspace, short runs one), one of them enabled again later, one secret rotated with a grace.
 */
export function planActions(destinations, { short }) {
  const candidates = destinations.filter((d) => !d.gone && !d.templateTrap && d.enabled);
  const disabled = short
    ? [candidates[1]]
    : [candidates[1], candidates[Math.floor(candidates.length / 2) + 1]];
  const rotated = candidates[candidates.length - 2];
  return [
    ...disabled.map((d) => ({ at: 0.35, kind: "disable", d: d.d })),
    { at: 0.5, kind: "rotate", d: rotated.d },
    { at: 0.7, kind: "enable", d: disabled[0].d },
  ];
}
