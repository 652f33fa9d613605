// The dashboard's look, part 1: design tokens, base elements and the page frame (header, sidebar,
// main). A 4/8 px spacing scale, the system font stack, neutral greys and one accent; every text
// colour meets WCAG AA on the background it sits on.
export const LAYOUT_CSS = `
:root {
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  --bg: #f6f7f9;
  --surface: #ffffff;
  --surface-sunken: #f9fafb;
  --border: #e2e5e9;
  --border-strong: #c9ced5;
  --text: #16191d;
  --text-muted: #59626d;
  --accent: #4f46e5;
  --accent-strong: #4338ca;
  --accent-soft: #eef0fe;
  --focus: #4f46e5;
  --ok-text: #15683a; --ok-bg: #e6f4ea; --ok-border: #b7dfc3;
  --bad-text: #b3261e; --bad-bg: #fdecea; --bad-border: #f4c1bc;
  --wait-text: #8a4b00; --wait-bg: #fff3e0; --wait-border: #f5d5a3;
  --off-text: #4b5560; --off-bg: #eef0f3; --off-border: #d6dade;
  --s1: 4px; --s2: 8px; --s3: 12px; --s4: 16px; --s5: 24px; --s6: 32px; --s7: 48px;
  --radius: 8px;
  --radius-small: 6px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05);
  --shadow-pop: 0 8px 24px rgba(16, 24, 40, 0.12), 0 2px 6px rgba(16, 24, 40, 0.06);
  color-scheme: light;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; font-family: var(--font); font-size: 15px; line-height: 1.5; color: var(--text);
  background: var(--bg); -webkit-font-smoothing: antialiased;
}
h1, h2, h3, h4 { line-height: 1.25; margin: 0; font-weight: 600; letter-spacing: -0.01em; }
h1 { font-size: 24px; }
h2 { font-size: 18px; }
h3 { font-size: 15px; }
p { margin: 0; }
a { color: var(--accent); text-underline-offset: 2px; }
a:hover { color: var(--accent-strong); }
code, pre, kbd { font-family: var(--mono); font-size: 0.875em; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip-link {
  position: absolute; left: var(--s4); top: -100px; z-index: 100; padding: var(--s2) var(--s4);
  background: var(--surface); color: var(--accent); border: 2px solid var(--accent); border-radius: var(--radius-small);
  font-weight: 600;
}
.skip-link:focus { top: var(--s3); }
.muted { color: var(--text-muted); }
.nowrap { white-space: nowrap; }
.mono { font-family: var(--mono); font-size: 13px; }

/* Header */
.app-header {
  position: sticky; top: 0; z-index: 20; display: flex; align-items: center; gap: var(--s4);
  height: 56px; padding: 0 var(--s5); background: var(--surface); border-bottom: 1px solid var(--border);
}
.brand { display: inline-flex; align-items: center; gap: var(--s2); color: var(--text); text-decoration: none; font-weight: 650; font-size: 16px; }
.brand:hover { color: var(--text); }
.brand svg { flex: none; }
.header-divider { width: 1px; height: 24px; background: var(--border); }
.header-spacer { flex: 1; }
.header-link { color: var(--text-muted); text-decoration: none; font-size: 14px; font-weight: 500; }
.header-link:hover { color: var(--text); }
.inline-form { display: inline; margin: 0; }

/* Workspace chooser: a <details> menu, so it opens and closes without script. */
.ws-menu { position: relative; }
.ws-menu > summary {
  display: flex; align-items: center; gap: var(--s2); list-style: none; cursor: pointer; max-width: 18rem;
  padding: var(--s1) var(--s3) var(--s1) var(--s2); border: 1px solid transparent; border-radius: var(--radius-small);
}
.ws-menu > summary::-webkit-details-marker { display: none; }
.ws-menu > summary:hover, .ws-menu[open] > summary { background: var(--bg); border-color: var(--border); }
.ws-avatar {
  flex: none; display: inline-grid; place-items: center; width: 24px; height: 24px; border-radius: 6px;
  background: var(--accent-soft); color: var(--accent-strong); font-size: 12px; font-weight: 700;
}
.ws-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; font-size: 14px; }
.chevron { flex: none; color: var(--text-muted); }
.ws-menu[open] .chevron { transform: rotate(180deg); }
.ws-panel {
  position: absolute; left: 0; top: calc(100% + 6px); width: 20rem; max-width: calc(100vw - 32px);
  background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow-pop); padding: var(--s2); z-index: 30;
}
.ws-panel-title { padding: var(--s1) var(--s2) var(--s2); font-size: 12px; font-weight: 600; color: var(--text-muted); text-transform: uppercase; letter-spacing: 0.04em; }
.ws-list { list-style: none; margin: 0; padding: 0; }
.ws-option {
  display: flex; align-items: center; gap: var(--s2); padding: var(--s2); border-radius: var(--radius-small);
  color: var(--text); text-decoration: none; font-size: 14px;
}
.ws-option:hover { background: var(--bg); color: var(--text); }
.ws-option[aria-current="true"] { background: var(--accent-soft); }
.ws-option .ws-text { min-width: 0; display: grid; }
.ws-option .ws-uuid { font-family: var(--mono); font-size: 11px; color: var(--text-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ws-check { margin-left: auto; color: var(--accent); font-size: 12px; font-weight: 600; }
.ws-panel-footer { border-top: 1px solid var(--border); margin-top: var(--s2); padding-top: var(--s2); }

/* Frame: sidebar and main */
.app-body { display: grid; grid-template-columns: 220px minmax(0, 1fr); min-height: calc(100vh - 56px); }
.sidebar { border-right: 1px solid var(--border); background: var(--surface); padding: var(--s5) var(--s3); }
.nav-group + .nav-group { margin-top: var(--s5); }
.nav-heading { padding: 0 var(--s3) var(--s2); font-size: 12px; font-weight: 600; color: var(--text-muted); text-transform: uppercase; letter-spacing: 0.04em; }
.nav-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.nav-link {
  display: flex; align-items: center; gap: var(--s2); padding: var(--s2) var(--s3); border-radius: var(--radius-small);
  color: var(--text-muted); text-decoration: none; font-weight: 500; font-size: 14px;
}
.nav-link:hover { background: var(--bg); color: var(--text); }
.nav-link[aria-current] { background: var(--accent-soft); color: var(--accent-strong); font-weight: 600; }
.nav-link svg { flex: none; }
.main { padding: var(--s6) 40px var(--s7); min-width: 0; }
.main-inner { max-width: 1120px; margin: 0 auto; }
.main-inner:focus { outline: none; }
.app-footer { max-width: 1120px; margin: var(--s7) auto 0; padding-top: var(--s4); border-top: 1px solid var(--border); font-size: 13px; color: var(--text-muted); display: flex; flex-wrap: wrap; gap: var(--s4); }
.app-footer a { color: var(--text-muted); }

@media (max-width: 760px) {
  body { font-size: 15px; }
  .app-header { padding: 0 var(--s4); gap: var(--s2); }
  .app-header .brand-name, .header-divider, .header-link { display: none; }
  .ws-menu { min-width: 0; }
  .ws-menu > summary { max-width: calc(100vw - 160px); }
  .ws-panel { position: fixed; left: var(--s4); right: var(--s4); top: 60px; width: auto; max-width: none; }
  .app-body { grid-template-columns: minmax(0, 1fr); min-height: 0; }
  .sidebar { border-right: 0; border-bottom: 1px solid var(--border); padding: var(--s2) var(--s4); }
  .nav-group + .nav-group { margin-top: 0; }
  .sidebar-nav { display: flex; gap: var(--s1); flex-wrap: wrap; }
  .nav-heading { display: none; }
  .nav-list { display: flex; gap: var(--s1); }
  .main { padding: var(--s5) var(--s4) var(--s6); }
  h1 { font-size: 22px; }
}
`;
