// The dashboard's stylesheet, scripts and icon, served by the worker itself: no build step, no CDN. The
// stylesheet and scripts are real files beside this one, imported as text (`?raw`: a Text module rule in
// wrangler.toml for wrangler dev and deploy, Vite's own raw import under vitest). Each URL carries a hash of the content, so a response can be cached for a year
// and a new deployment is picked up at once.
import type { Hono } from "hono";
import APP_CSS from "./assets/app.css?raw";
import DIALOG_JS from "./assets/dialog.js?raw";
import DOCS_JS from "./assets/docs.js?raw";
import FORM_JS from "./assets/form.js?raw";
import INBOX_JS from "./assets/inbox.js?raw";
import MENU_JS from "./assets/menu.js?raw";

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/><path d="M9 21.5 16 10l7 11.5" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/><circle cx="16" cy="22" r="2.2" fill="#fff"/></svg>`;

/** FNV-1a, 32 bits: enough to tell one version of a file from the next (not a security boundary). */
export function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

type Asset = { path: string; body: string; type: string };

function asset(name: string, extension: string, body: string, type: string): Asset {
  return { path: `/assets/${name}.${contentHash(body)}.${extension}`, body, type };
}

const ASSETS = {
  css: asset("app", "css", APP_CSS, "text/css; charset=utf-8"),
  // One file, four small independent classic scripts (no imports) run in one <script>: the menu, dialogs
  // and copy, the form's rows and preview, and the development inbox (its live list, the form's button).
  js: asset("app", "js", MENU_JS + DIALOG_JS + FORM_JS + INBOX_JS, "text/javascript; charset=utf-8"),
  docsJs: asset("docs", "js", DOCS_JS, "text/javascript; charset=utf-8"),
  icon: asset("icon", "svg", ICON_SVG, "image/svg+xml"),
} as const;

/** The current URL of an asset, e.g. `assetPath("css")` → `/assets/app.1a2b3c4d.css`. */
export const assetPath = (name: keyof typeof ASSETS) => ASSETS[name].path;

const byPath = new Map<string, Asset>(Object.values(ASSETS).map((a) => [a.path, a]));

/** GET /assets/<name>.<hash>.<ext>; an old or unknown hash is a 404, never another version. */
export function serveAssets<E extends { Bindings: Env }>(router: Hono<E>) {
  router.get("/assets/:file", (c, next) => {
    const found = byPath.get(c.req.path);
    if (!found) return next();
    return c.body(found.body, 200, {
      "Content-Type": found.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
}
