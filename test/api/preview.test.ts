import { describe, expect, it } from "vitest";
import { call, createDestination, createWorkspace, json } from "../support/helpers";

type Preview = { method: string; url: string; headers: [string, string][]; body: string | null };

describe("preview", () => {
  it("shows the exact request for the sample event without sending it or showing a signature", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, {
      url_template: "https://example.com/contacts/{{ contact._id }}",
      query_template: [{ key: "event", value: "{{ event.type }}" }],
      headers_template: [{ key: "X-Contact", value: "{{ contact.attributes.email }}" }],
      body_template: '{ "email": "{{ contact.attributes.email }}" }',
    });
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
      method: "POST",
      auth: ws.auth,
    });
    expect(response.status).toBe(200);
    const preview = await json<Preview>(response);
    expect(preview.method).toBe("POST");
    expect(preview.url).toBe("https://example.com/contacts/ct_sample_0001?event=webhook.test");
    expect(JSON.parse(preview.body ?? "")).toEqual({ email: "ada@example.com" });
    const headers = Object.fromEntries(preview.headers);
    expect(headers).toMatchObject({
      "x-contact": "ada@example.com",
      "content-type": "application/json",
      "x-leadpush-event": "webhook.test",
    });
    expect(headers["x-leadpush-signature"]).toBe("v1,<computed when sent>");
    expect(JSON.stringify(preview)).not.toContain(dest.secret.slice(6));
  });

  it("renders a given event with hostile values escaped for each context", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, {
      url_template: "https://example.com/c/{{ contact._id }}",
      query_template: [{ key: "q", value: "{{ contact.attributes.name }}" }],
      body_template: '{ "name": "{{ contact.attributes.name }}", "attrs": {{ contact.attributes }} }',
    });
    const name = 'Ada "the" \\ </script>\n&?#';
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
      method: "POST",
      auth: ws.auth,
      body: { event: { type: "contact.updated", contact: { _id: "a/../b?c#d", attributes: { name } } } },
    });
    expect(response.status).toBe(200);
    const preview = await json<Preview>(response);
    expect(preview.url).toBe(
      `https://example.com/c/${encodeURIComponent("a/../b?c#d")}?${new URLSearchParams({ q: name })}`,
    );
    const body = JSON.parse(preview.body ?? "");
    expect(body).toEqual({ name, attrs: { name } });
    expect(preview.body).not.toContain("</script>");
  });

  it("answers 422 naming the template when the event cannot be rendered", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { url_template: "https://example.com/{{ contact._id }}" });
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
      method: "POST",
      auth: ws.auth,
      body: { event: { type: "contact.created", contact: { _id: ".." } } },
    });
    expect(response.status).toBe(422);
    expect((await json<{ detail: string }>(response)).detail).toMatch(/url/);
  });

  it("refuses a GET destination with a body template at save time", async () => {
    const ws = await createWorkspace();
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: {
        name: "x",
        method: "GET",
        url_template: "https://example.com/",
        body_template: "{}",
        event_types: [],
      },
    });
    expect(response.status).toBe(400);
    const dest = await createDestination(ws, { method: "POST", body_template: "{}" });
    const patch = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { method: "GET" },
    });
    expect(patch.status).toBe(400);
    expect((await json<{ errors: { field: string }[] }>(patch)).errors[0]?.field).toBe("body_template");
    const both = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { method: "GET", body_template: null },
    });
    expect(both.status).toBe(200);
  });
});
