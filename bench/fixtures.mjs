// The realistic destination and contact every figure uses: a URL with 2 tags, 2 query pairs, 2 headers
// and a JSON body template with 4 tags. Shared by bench/run.mjs (through the API) and by the
// render + sign worker (bench/render-sign.js, bundled with esbuild).

/** The destination as POST /v1/workspaces/{ws}/destinations takes it, sending to `base`. */
export function destinationBody(base, name = "bench", eventTypes = ["contact.updated"]) {
  return {
    name,
    method: "POST",
    url_template: `${base}/v1/contacts/{{contact._id}}/{{event.type}}`,
    query_template: [
      { key: "workspace", value: "{{workspace.uuid}}" },
      { key: "source", value: "leadpush" },
    ],
    headers_template: [
      { key: "Content-Type", value: "application/json" },
      { key: "X-Contact-Email", value: "{{contact.attributes.email}}" },
    ],
    body_template:
      '{"event":"{{event.id}}","type":"{{event.type}}","email":"{{contact.attributes.email}}",' +
      '"first_name":"{{contact.attributes.first_name}}"}',
    timeout_seconds: 10,
    event_types: eventTypes,
  };
}

/** The same destination in the shape src/rules/render.ts renders. */
export function renderableDestination(base) {
  const body = destinationBody(base);
  return {
    method: body.method,
    urlTemplate: body.url_template,
    headersTemplate: body.headers_template,
    queryTemplate: body.query_template,
    bodyTemplate: body.body_template,
  };
}

/** A contact of a realistic size (about 400 bytes of JSON). */
export function contact(n) {
  return {
    _id: `ct_${String(n).padStart(8, "0")}`,
    attributes: {
      email: `ada.lovelace+${n}@example.com`,
      first_name: "Ada",
      last_name: "Lovelace",
      company: "Analytical Engines Ltd",
      phone: "+44 20 7946 0958",
      city: "London",
      plan: "enterprise",
      lifetime_value: 12345.67,
      tags: ["vip", "newsletter", "beta"],
      consent: { email: true, sms: false },
    },
  };
}
