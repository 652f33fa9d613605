// A minimal browser for the dashboard tests: it keeps cookies, reads each form's CSRF token and sends
// the Origin header a browser would. Requests go to the worker's own fetch handler.
import { exports } from "cloudflare:workers";

export const HTTPS_ORIGIN = "https://dash.test";
export const HTTP_ORIGIN = "http://127.0.0.1:8787";

/** A form's fields; a list of pairs when a name repeats (checkboxes, key/value rows). */
export type Form = Record<string, string> | [string, string][];

type Send = { method?: string; form?: Form; headers?: Record<string, string> };

export class Visitor {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf = "";

  /** `handler` answers the requests: the worker's own fetch handler unless a test runs another env. */
  constructor(
    readonly origin = HTTPS_ORIGIN,
    readonly handler: (request: Request) => Response | Promise<Response> = (request) =>
      exports.default.fetch(request),
  ) {}

  async fetch(path: string, init: Send = {}): Promise<Response> {
    const method = init.method ?? (init.form ? "POST" : "GET");
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (method !== "GET" && !("origin" in headers)) headers.origin = this.origin;
    const body = init.form ? new URLSearchParams(init.form) : undefined;
    const response = await this.handler(
      new Request(`${this.origin}${path}`, { method, headers, body, redirect: "manual" }),
    );
    this.keepCookies(response);
    if (response.headers.get("content-type")?.startsWith("text/html")) {
      const html = await response.clone().text();
      const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
      if (token) this.csrf = token;
    }
    return response;
  }

  /** Posts a form the way one of our pages would: with this page's CSRF token. */
  post(path: string, form: Form = {}, headers: Record<string, string> = {}) {
    const fields: [string, string][] = Array.isArray(form) ? form : Object.entries(form);
    const token: [string, string][] = fields.some(([name]) => name === "_csrf") ? [] : [["_csrf", this.csrf]];
    return this.fetch(path, { form: [...token, ...fields], headers });
  }

  /** GET / (for the form's token), then POST /sign-in with `key`. */
  async signIn(key: string): Promise<Response> {
    await this.fetch("/sign-in");
    return this.post("/sign-in", { api_key: key });
  }

  private keepCookies(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The raw Set-Cookie line for a cookie, to check its attributes. */
export const setCookieLine = (response: Response, name: string) =>
  response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

export const text = (response: Response) => response.text();

/** A Create Destination form as a browser posts it, valid unless `overrides` says otherwise. */
export function destinationForm(overrides: Record<string, string | string[]> = {}): [string, string][] {
  const fields: Record<string, string | string[]> = {
    name: "CRM Intake",
    enabled: "on",
    method: "POST",
    url_template: "https://example.com/contacts/{{ contact._id }}",
    header_key: ["Authorization", ""],
    header_value: ["Bearer your-token", ""],
    query_key: ["event", ""],
    query_value: ["{{ event.type }}", ""],
    body_template: '{ "email": "{{ contact.attributes.email }}" }',
    timeout_seconds: "10",
    event_types: ["contact.created", "contact.updated"],
    ...overrides,
  };
  return Object.entries(fields).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]),
  );
}

/** The dashboard's URLs of a workspace's destinations. */
export const dashboardUrls = (ws: string) => {
  const base = `/w/${ws}/integrations/webhooks/destinations`;
  return {
    list: `/w/${ws}/integrations/webhooks`,
    create: `${base}/new`,
    preview: `${base}/preview`,
    destination: (id: string) => `${base}/${id}`,
    action: (id: string, action: string) => `${base}/${id}/${action}`,
    delivery: (id: string, deliveryId: string) => `${base}/${id}/deliveries/${deliveryId}`,
  };
};

/** The one-time secret shown on a page, if any. */
export const shownSecret = (html: string) => html.match(/whsec_[A-Za-z0-9+/=]+/)?.[0] ?? null;

/**
 * What a page would run or wear inline, found by a real HTML parser (the runtime's HTMLRewriter), so
 * escaped text that merely looks like markup is not mistaken for it: inline scripts, style elements,
 * style= and on*= attributes, and elements a hostile value tried to make.
 */
export async function inlineCodeIn(html: string): Promise<string[]> {
  const found: string[] = [];
  const rewriter = new HTMLRewriter().on("*", {
    element(element) {
      for (const [name = ""] of element.attributes) {
        if (/^on/i.test(name) || name.toLowerCase() === "style") found.push(`${element.tagName}[${name}]`);
      }
      if (element.tagName === "script" && !element.hasAttribute("src")) found.push("inline <script>");
      if (element.tagName === "style") found.push("<style>");
      if (element.tagName === "img" && element.getAttribute("src") === "x") found.push("injected <img>");
    },
  });
  await rewriter.transform(new Response(html)).text();
  return found;
}
