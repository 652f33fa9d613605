// A minimal browser for the dashboard tests: it keeps cookies, reads each form's CSRF token and sends
// the Origin header a browser would. Requests go to the worker's own fetch handler.
import { exports } from "cloudflare:workers";

export const HTTPS_ORIGIN = "https://dash.test";
export const HTTP_ORIGIN = "http://127.0.0.1:8787";

type Send = { method?: string; form?: Record<string, string>; headers?: Record<string, string> };

export class Visitor {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf = "";

  constructor(readonly origin = HTTPS_ORIGIN) {}

  async fetch(path: string, init: Send = {}): Promise<Response> {
    const method = init.method ?? (init.form ? "POST" : "GET");
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (method !== "GET" && !("origin" in headers)) headers.origin = this.origin;
    const body = init.form ? new URLSearchParams(init.form) : undefined;
    const response = await exports.default.fetch(
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
  post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return this.fetch(path, { form: { _csrf: this.csrf, ...form }, headers });
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
