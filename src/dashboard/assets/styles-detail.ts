// The dashboard's look, part 4: a destination's page and a delivery's page (cards of settings, the
// history, attempts), the dialogs, and the alerts that report what an action did.
export const DETAIL_CSS = `
/* Page title with its state, and the page's main actions */
.page-title { min-width: 0; display: grid; gap: var(--s2); }
.title-row { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s3); }
.title-row h1 { overflow-wrap: anywhere; }
.endpoint-line { display: flex; flex-wrap: wrap; align-items: baseline; gap: var(--s2); min-width: 0; color: var(--text); }
.page-header p.endpoint-line { margin-top: 0; }
.header-actions { display: flex; flex-wrap: wrap; gap: var(--s2); }
.page-header > div:first-child { min-width: 0; }

/* Alerts that report an action */
.alert p + p { margin-top: var(--s1); }
.alert-success { color: var(--ok-text); background: var(--ok-bg); border-color: var(--ok-border); margin-bottom: var(--s4); }
.alert-warning { color: var(--wait-text); background: var(--wait-bg); border-color: var(--wait-border); }
.failing-banner { margin-bottom: var(--s4); }
.failing-banner h2 { font-size: 15px; margin-bottom: var(--s1); }
.alert-error:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
main > .alert-error { margin-bottom: var(--s4); }

/* Cards of settings */
.detail-grid { display: grid; grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr); gap: var(--s4); align-items: start; margin-bottom: var(--s6); }
.detail-side { display: grid; gap: var(--s4); min-width: 0; }
.detail-card { padding: var(--s5); display: grid; gap: var(--s3); min-width: 0; }
.detail-card h2 { font-size: 16px; }
.card-title-row { display: flex; align-items: center; justify-content: space-between; gap: var(--s3); }
.settings { margin: 0; display: grid; }
.setting { display: grid; grid-template-columns: 10rem minmax(0, 1fr); gap: var(--s3); padding: var(--s2) 0; border-bottom: 1px solid var(--border); }
.setting:last-child { border-bottom: 0; }
.setting dt { font-size: 13px; font-weight: 600; color: var(--text-muted); }
.setting dd { margin: 0; min-width: 0; overflow-wrap: anywhere; font-size: 14px; }
.setting dd .hint { display: block; margin-top: 2px; }
.settings-columns { grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); column-gap: var(--s5); }
.settings-columns .setting { grid-template-columns: minmax(0, 1fr); gap: 2px; border-bottom: 0; }
.status-cell { display: grid; gap: var(--s1); justify-items: start; }
.pair-list { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s1); font-family: var(--mono); font-size: 12.5px; }
.pair-list li { display: flex; flex-wrap: wrap; gap: var(--s2); }
.pair-key { font-weight: 600; }
.pair-key::after { content: ":"; }
.pair-value { overflow-wrap: anywhere; min-width: 0; }
code.id { font-size: 12.5px; overflow-wrap: anywhere; }
.event-id { display: block; font-size: 12px; overflow-wrap: anywhere; }
.rotate-form { display: grid; gap: var(--s3); padding-top: var(--s2); }
.rotate-form .button { justify-self: start; }
.rotate-when { font-size: 13px; color: var(--text-muted); background: var(--surface-sunken); border: 1px solid var(--border); border-radius: var(--radius-small); padding: var(--s3); }
.rotate-when ul { margin: var(--s1) 0 0; padding-left: var(--s5); }
.danger-card { border-color: var(--bad-border); margin-top: var(--s6); }
.danger-card .button { justify-self: start; }
.button-danger { background: var(--bad-text); border-color: var(--bad-text); color: #fff; }
.button-danger:hover { background: #8f1d17; border-color: #8f1d17; color: #fff; }
.button-danger-outline { background: var(--surface); color: var(--bad-text); border-color: var(--bad-border); }
.button-danger-outline:hover { background: var(--bad-bg); color: var(--bad-text); border-color: var(--bad-text); }
.confirm-card { max-width: 560px; padding: var(--s2) 0; }

/* History */
.history:focus { outline: none; }
.filters { display: flex; flex-wrap: wrap; gap: var(--s1); margin-bottom: var(--s3); padding: 3px; background: var(--off-bg); border-radius: var(--radius-small); width: fit-content; max-width: 100%; }
.filter { padding: 4px var(--s3); border-radius: 4px; color: var(--text-muted); text-decoration: none; font-size: 13.5px; font-weight: 600; }
.filter:hover { color: var(--text); background: rgba(255, 255, 255, 0.6); }
.filter[aria-current="page"] { background: var(--surface); color: var(--text); box-shadow: var(--shadow); }
.cell-event a { font-family: var(--mono); font-size: 13px; font-weight: 600; }
.empty-small { padding: var(--s5); }

/* A delivery's attempts */
.attempts { margin-top: var(--s6); display: grid; gap: var(--s3); }
.attempt-list { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s4); }
.attempt { padding: var(--s4) var(--s5); display: grid; gap: var(--s3); min-width: 0; }
.attempt-header { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s3); }
.attempt-header h3 { font-size: 15px; }
.attempt-when { font-size: 13px; }
.error-message { display: block; margin-top: 2px; }
.attempt-section { display: grid; gap: var(--s2); }
.trouble-hint { display: grid; gap: var(--s1); padding: var(--s3) var(--s4); border: 1px solid var(--wait-border); border-radius: var(--radius); background: var(--wait-bg); font-size: 13px; max-width: 80ch; }
.trouble-hint .trouble-title { font-weight: 600; }
.verdict-list { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s1); }
.event-table .destination-cell { font-weight: 600; }
.stacked { margin-bottom: var(--s4); }
.activity-list { list-style: none; margin: 0; padding: 0; display: grid; }
.activity-item { display: grid; grid-template-columns: 9.5em 1fr; gap: var(--s1) var(--s3); align-items: baseline; padding: var(--s3) 0; border-bottom: 1px solid var(--border); }
.activity-item:last-child { border-bottom: 0; }
.activity-item > .pill { justify-self: start; }
.activity-item p { margin: 0; }
.activity-when { grid-column: 2; font-size: 12px; }
.recover-form { display: grid; gap: var(--s4); max-width: 560px; }
.recover-confirm { display: grid; gap: var(--s3); margin-top: var(--s4); }
.recover-progress { width: 100%; height: 10px; accent-color: var(--accent); }
.attempt-section h4 { font-size: 13px; margin: 0; }
.attempt-section summary { cursor: pointer; font-size: 13px; font-weight: 600; }
.waiting { display: flex; align-items: center; gap: var(--s2); font-size: 14px; color: var(--wait-text); }
.waiting::before { content: ""; width: 10px; height: 10px; border-radius: 50%; background: currentColor; animation: pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: 0.3; } }
/* The development inbox (screens/inbox.tsx). */
.inbox-setup { display: grid; gap: var(--s4); }
.inbox-tools { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: var(--s3); }
.inbox-switch { display: flex; align-items: center; gap: var(--s2); }
.inbox-switch label { font-size: 13px; font-weight: 600; }
.inbox-heading { font-size: 15px; margin: var(--s6) 0 var(--s1); }
.inbox-heading .muted { font-weight: 400; font-size: 13px; }
.inbox-live { font-size: 13px; margin: 0 0 var(--s3); }
.inbox-list { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s3); }
.inbox-request { padding: 0; min-width: 0; }
.inbox-summary { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s3); padding: var(--s3) var(--s4); cursor: pointer; }
.inbox-path { flex: 1 1 16rem; min-width: 0; }
.inbox-verdict { display: inline-flex; flex-wrap: wrap; align-items: center; gap: var(--s2); font-size: 13px; }
.inbox-when { font-size: 13px; }
.inbox-detail { display: grid; gap: var(--s3); padding: 0 var(--s4) var(--s4); min-width: 0; }
.inbox-signature { margin: 0; font-size: 13.5px; }
.use-inbox { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s2); }
@media (prefers-reduced-motion: reduce) { .waiting::before { animation: none; } }

/* Dialogs: native <dialog>; without script the secret one is shown in place, open. */
.dialog { width: min(560px, calc(100vw - 32px)); padding: 0; border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow-pop); color: var(--text); background: var(--surface); }
.dialog:not([open]) { display: none; }
dialog.dialog[open]:not(:modal) { position: relative; margin: 0 0 var(--s5); width: 100%; max-width: 640px; }
.dialog::backdrop { background: rgba(16, 24, 40, 0.55); }
.dialog-body { padding: var(--s5) var(--s5) var(--s4); display: grid; gap: var(--s4); }
.dialog-body h2 { font-size: 18px; overflow-wrap: anywhere; }
.dialog-actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: var(--s2); padding: var(--s3) var(--s5); border-top: 1px solid var(--border); background: var(--surface-sunken); border-radius: 0 0 var(--radius) var(--radius); }
.copy-field { display: flex; gap: var(--s2); }
.copy-field .input { min-width: 0; flex: 1; font-size: 13px; }
.copy-field .secret-box { font-size: 12.5px; }
.secret-box { resize: none; min-height: 0; word-break: break-all; line-height: 1.5; background: var(--surface-sunken); }
.copy-status { font-size: 13px; color: var(--ok-text); min-height: 1.2em; }

@media (max-width: 900px) {
  .detail-grid { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 760px) {
  .setting { grid-template-columns: minmax(0, 1fr); gap: 2px; }
  .detail-card, .attempt { padding: var(--s4); }
  .header-actions { width: 100%; }
  .copy-field { flex-direction: column; }
  .dialog-body { padding: var(--s4); }
  .dialog-actions { padding: var(--s3) var(--s4); }
  .history-table td { grid-template-columns: 5.5rem minmax(0, 1fr); }
}
`;
