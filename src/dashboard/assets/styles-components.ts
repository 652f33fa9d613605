// The dashboard's look, part 2: the pieces screens are built from. Status pills always carry a word,
// never colour alone; tables become stacked cards on narrow screens without script.
export const COMPONENTS_CSS = `
/* Buttons */
.button {
  display: inline-flex; align-items: center; justify-content: center; gap: var(--s2); min-height: 36px;
  padding: var(--s2) var(--s4); border-radius: var(--radius-small); border: 1px solid var(--accent);
  background: var(--accent); color: #fff; font: inherit; font-size: 14px; font-weight: 600; line-height: 1.2;
  text-decoration: none; cursor: pointer; box-shadow: var(--shadow); white-space: nowrap;
}
.button:hover { background: var(--accent-strong); border-color: var(--accent-strong); color: #fff; }
.button-secondary { background: var(--surface); color: var(--text); border-color: var(--border-strong); }
.button-secondary:hover { background: var(--bg); color: var(--text); border-color: var(--border-strong); }
.button-small { min-height: 32px; padding: 6px var(--s3); font-size: 13px; }
.button-block { width: 100%; min-height: 40px; }

/* Page header, breadcrumbs, tabs */
.breadcrumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: var(--s1); margin: 0 0 var(--s3); padding: 0; font-size: 13px; }
.breadcrumbs li { display: inline-flex; align-items: center; gap: var(--s1); color: var(--text-muted); }
.breadcrumbs li + li::before { content: "\\203A"; color: var(--border-strong); padding-right: var(--s1); }
.breadcrumbs a { color: var(--text-muted); text-decoration: none; }
.breadcrumbs a:hover { color: var(--text); text-decoration: underline; }
.breadcrumbs [aria-current="page"] { color: var(--text); font-weight: 500; }
.page-header { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: var(--s4); margin-bottom: var(--s5); }
.page-header p { margin-top: var(--s2); color: var(--text-muted); max-width: 65ch; }
.tabs { display: flex; gap: var(--s5); border-bottom: 1px solid var(--border); margin-bottom: var(--s5); }
.tab {
  display: inline-block; padding: var(--s2) 0 var(--s3); margin-bottom: -1px; border-bottom: 2px solid transparent;
  color: var(--text-muted); text-decoration: none; font-weight: 500; font-size: 14px;
}
.tab:hover { color: var(--text); }
.tab[aria-current="page"] { color: var(--accent-strong); border-bottom-color: var(--accent); font-weight: 600; }
.section-header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: var(--s3); margin-bottom: var(--s4); }
.section-header p { color: var(--text-muted); font-size: 14px; margin-top: 2px; }

/* Cards */
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); }
.card-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: var(--s4); list-style: none; margin: 0; padding: 0; }
.integration-card { position: relative; display: flex; flex-direction: column; gap: var(--s3); padding: var(--s5); height: 100%; }
.integration-card:hover { border-color: var(--border-strong); box-shadow: var(--shadow-pop); }
.integration-card:focus-within { outline: 2px solid var(--focus); outline-offset: 2px; }
.integration-card h2 { font-size: 16px; }
.integration-card h2 a { color: var(--text); text-decoration: none; }
.integration-card h2 a:focus-visible { outline: none; }
.integration-card h2 a::after { content: ""; position: absolute; inset: 0; border-radius: var(--radius); }
.integration-card p { color: var(--text-muted); font-size: 14px; }
.integration-card .card-meta { margin-top: auto; display: flex; align-items: center; justify-content: space-between; font-size: 13px; color: var(--text-muted); }
.integration-card .card-cta { color: var(--accent); font-weight: 600; }
.icon-tile { display: inline-grid; place-items: center; width: 40px; height: 40px; border-radius: 10px; background: var(--accent-soft); color: var(--accent-strong); }

/* Status pills: a word and a dot; the colour only repeats what the word says. */
.pill {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px var(--s2); border-radius: 999px; border: 1px solid;
  font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap;
}
.pill::before { content: ""; width: 6px; height: 6px; border-radius: 50%; background: currentColor; }
.pill-ok { color: var(--ok-text); background: var(--ok-bg); border-color: var(--ok-border); }
.pill-bad { color: var(--bad-text); background: var(--bad-bg); border-color: var(--bad-border); }
.pill-wait { color: var(--wait-text); background: var(--wait-bg); border-color: var(--wait-border); }
.pill-off { color: var(--off-text); background: var(--off-bg); border-color: var(--off-border); }
.method { display: inline-block; padding: 1px 6px; border-radius: 4px; background: var(--off-bg); color: var(--text); font-family: var(--mono); font-size: 12px; font-weight: 600; }
.chips { display: flex; flex-wrap: wrap; gap: var(--s1); list-style: none; margin: 0; padding: 0; }
.chip { padding: 1px 6px; border-radius: 4px; border: 1px solid var(--border); background: var(--surface-sunken); font-family: var(--mono); font-size: 12px; color: var(--text); }

/* Data table; stacked cards on narrow screens */
.table-card { overflow-x: auto; }
.data-table { width: 100%; border-collapse: collapse; font-size: 14px; }
.data-table th { text-align: left; font-size: 12px; font-weight: 600; color: var(--text-muted); text-transform: uppercase; letter-spacing: 0.04em; background: var(--surface-sunken); }
.data-table th, .data-table td { padding: var(--s3) var(--s4); border-bottom: 1px solid var(--border); vertical-align: top; }
.data-table tbody tr:last-child td { border-bottom: 0; }
.data-table tbody tr:hover { background: var(--surface-sunken); }
.cell-name { min-width: 9rem; max-width: 16rem; }
.cell-name a { color: var(--text); font-weight: 600; text-decoration: none; overflow-wrap: break-word; }
.cell-name a:hover { color: var(--accent); text-decoration: underline; }
.endpoint { display: grid; gap: var(--s1); justify-items: start; min-width: 12rem; max-width: 22rem; }
.url { font-family: var(--mono); font-size: 12.5px; color: var(--text); overflow-wrap: anywhere; }
.state-reason { font-size: 12.5px; color: var(--text-muted); max-width: 13rem; }
.health { display: grid; gap: var(--s1); justify-items: start; }
.health-figures { display: grid; font-size: 12.5px; color: var(--text-muted); white-space: nowrap; }
.table-note { margin-top: var(--s3); font-size: 13px; color: var(--text-muted); }
.pagination { display: flex; justify-content: space-between; align-items: center; gap: var(--s3); margin-top: var(--s4); }

@media (max-width: 760px) {
  .table-card { background: transparent; border: 0; box-shadow: none; overflow: visible; }
  .data-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .data-table, .data-table tbody, .data-table tr, .data-table td { display: block; width: 100%; }
  .data-table tr { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); padding: var(--s3) var(--s4); margin-bottom: var(--s3); }
  .data-table tbody tr:hover { background: var(--surface); }
  .data-table td { display: grid; grid-template-columns: 5.5rem minmax(0, 1fr); justify-items: start; gap: var(--s3); padding: 6px 0; border: 0; }
  .data-table td::before { content: attr(data-label); font-family: var(--font); font-size: 12px; font-weight: 600; color: var(--text-muted); padding-top: 2px; }
  .data-table td.cell-name { display: block; font-size: 16px; padding-bottom: var(--s2); margin-bottom: var(--s1); border-bottom: 1px solid var(--border); }
  .data-table td.cell-name::before { content: none; }
  .cell-name, .endpoint, .state-reason { min-width: 0; max-width: none; }
  .health-figures { white-space: normal; }
}

/* Empty state */
.empty-state { display: grid; justify-items: center; text-align: center; gap: var(--s3); padding: var(--s7) var(--s5); border: 1px dashed var(--border-strong); border-radius: var(--radius); background: var(--surface); }
.empty-state p { color: var(--text-muted); max-width: 52ch; }
.empty-actions { display: flex; flex-wrap: wrap; justify-content: center; align-items: center; gap: var(--s4); margin-top: var(--s2); }

/* Forms and alerts */
.field { display: grid; gap: 6px; }
.field label { font-size: 14px; font-weight: 600; }
.field .hint { font-size: 13px; color: var(--text-muted); }
.input {
  width: 100%; min-height: 40px; padding: var(--s2) var(--s3); font: inherit; font-size: 15px; color: var(--text);
  background: var(--surface); border: 1px solid var(--border-strong); border-radius: var(--radius-small);
}
.input:focus { outline: 2px solid var(--focus); outline-offset: 0; border-color: var(--focus); }
.input[aria-invalid="true"] { border-color: var(--bad-text); }
.alert { display: flex; gap: var(--s2); padding: var(--s3) var(--s4); border-radius: var(--radius-small); border: 1px solid; font-size: 14px; }
.alert-error { color: var(--bad-text); background: var(--bad-bg); border-color: var(--bad-border); }
.alert-info { color: var(--text); background: var(--accent-soft); border-color: #d5d8fb; }

/* Sign-in and message pages: one centred card */
.auth-page { min-height: 100vh; display: grid; place-items: center; padding: var(--s5) var(--s4); }
.auth-card { width: 100%; max-width: 420px; padding: var(--s6); display: grid; gap: var(--s5); }
.auth-card .brand { justify-self: start; }
.auth-card header { display: grid; gap: var(--s2); }
.auth-card header p { color: var(--text-muted); font-size: 14px; }
.auth-card form { display: grid; gap: var(--s4); }
.auth-foot { font-size: 13px; color: var(--text-muted); text-align: center; }
.message-body { display: grid; gap: var(--s3); color: var(--text-muted); }
.eyebrow { font-family: var(--mono); font-size: 13px; font-weight: 600; color: var(--accent); }
.message-actions { display: flex; flex-wrap: wrap; gap: var(--s3); }
@media (max-width: 760px) { .auth-card { padding: var(--s5); } }
`;
