// Troubleshooting (docs/troubleshooting.md): each error class and common status maps to its hint; the
// attempt view shows it with a link to its section; /docs/troubleshooting lists every section; and the
// repository's page says exactly what the code says.
import { describe, expect, it } from "vitest";
import doc from "../../docs/troubleshooting.md?raw";
import { ALL_HINTS, HINTS, troubleshoot } from "../../src/deliveries/troubleshooting";
import { call } from "../support/helpers";

const attempt = (
  error_class: Parameters<typeof troubleshoot>[0]["error_class"],
  status: number | null = null,
  message = "",
) => ({
  error_class,
  response_status: status,
  error_message: message,
});

describe("troubleshoot", () => {
  it("maps each error class and common status to its hint", () => {
    expect(troubleshoot(attempt(null, 200))).toBeNull();
    const cases: [ReturnType<typeof attempt>, (typeof HINTS)[keyof typeof HINTS]][] = [
      [attempt("http_status", 401), HINTS.unauthorized],
      [attempt("http_status", 403), HINTS.unauthorized],
      [attempt("http_status", 404), HINTS.notFound],
      [attempt("http_status", 410), HINTS.gone],
      [attempt("http_status", 429), HINTS.rateLimited],
      [attempt("http_status", 503), HINTS.unavailable],
      [attempt("http_status", 500), HINTS.serverError],
      [attempt("http_status", 502), HINTS.serverError],
      [attempt("http_status", 301), HINTS.redirect],
      [attempt("http_status", 308), HINTS.redirect],
      [attempt("http_status", 413), HINTS.tooLarge],
      [attempt("http_status", 400), HINTS.rejected],
      [attempt("http_status", 422), HINTS.rejected],
      [attempt("timeout"), HINTS.timeout],
      [attempt("network_error", null, "the request could not be sent: TLS handshake failed"), HINTS.tls],
      [attempt("network_error", null, "the request could not be sent: DNS lookup failed"), HINTS.dns],
      [attempt("network_error", null, "the request could not be sent: connection refused"), HINTS.network],
      [attempt("destination_blocked"), HINTS.blocked],
      [attempt("template_error"), HINTS.template],
      [attempt("internal_error"), HINTS.internal],
    ];
    for (const [input, expected] of cases) expect(troubleshoot(input), JSON.stringify(input)).toBe(expected);
  });

  it("is mirrored, section by section, by docs/troubleshooting.md", () => {
    for (const h of ALL_HINTS) {
      const section = `<a id="${h.anchor}"></a>\n\n## ${h.title}\n\n${h.meaning}\n\n**What to do:** ${h.action}\n`;
      expect(doc, h.anchor).toContain(section);
    }
    const anchors = [...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);
    expect(anchors).toEqual(ALL_HINTS.map((h) => h.anchor));
    for (const [, link] of doc.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors).toContain(link);
  });

  it("has a public page with every section", async () => {
    const response = await call("/docs/troubleshooting");
    expect(response.status).toBe(200);
    const page = await response.text();
    for (const h of ALL_HINTS) expect(page).toContain(`id="${h.anchor}"`);
  });
});
