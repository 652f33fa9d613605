// The API reference's look: contents on the left, operations as cards, fields as indented tables.
export const DOCS_CSS = `
.header-title { font-weight: 600; font-size: 14px; color: var(--text-muted); }
.docs-layout { display: grid; grid-template-columns: 272px minmax(0, 1fr); }
.docs-toc {
  position: sticky; top: 56px; align-self: start; max-height: calc(100vh - 56px); overflow-y: auto;
  padding: var(--s5) var(--s3) var(--s6); border-right: 1px solid var(--border); background: var(--surface); font-size: 13px;
}
.docs-toc a { color: var(--text-muted); text-decoration: none; }
.docs-toc a:hover { color: var(--text); }
.toc-top, .toc-tag { display: block; padding: var(--s1) var(--s2); font-weight: 600; color: var(--text) !important; }
.toc-group { margin-top: var(--s3); }
.docs-toc ul { list-style: none; margin: 0; padding: 0; }
.docs-toc li a { display: flex; align-items: baseline; gap: var(--s2); padding: 3px var(--s2); border-radius: 4px; }
.docs-toc li a:hover { background: var(--bg); }
.docs-toc .verb { flex: none; width: 4.6em; text-align: center; }
.docs-main { padding: var(--s6) var(--s7) var(--s7); min-width: 0; max-width: 1040px; }
.docs-main:focus { outline: none; }
.docs-intro { display: grid; gap: var(--s3); margin-bottom: var(--s6); }
.docs-intro h1 { font-size: 28px; }
.docs-intro h2 { margin-top: var(--s4); }
.lead { font-size: 16px; max-width: 70ch; }
.trouble { padding: var(--s5); display: grid; gap: var(--s2); margin-bottom: var(--s4); max-width: 80ch; scroll-margin-top: 72px; }
.trouble h2 { font-size: 17px; }
.trouble:target { border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-soft); }
.schemes { margin: 0; display: grid; gap: var(--s2); }
.schemes dt { font-weight: 600; }
.schemes dd { margin: 0 0 var(--s2); color: var(--text-muted); }
.authorize { padding: var(--s5); display: grid; gap: var(--s3); margin-top: var(--s4); border-color: #d5d8fb; background: linear-gradient(180deg, var(--accent-soft), var(--surface) 70%); }
.authorize-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: var(--s4); }
.docs-tag { margin-top: var(--s6); display: grid; gap: var(--s4); }
.docs-intro > *, .docs-tag > *, .op > *, .try-it > * { min-width: 0; }
.docs-tag > h2 { font-size: 20px; padding-bottom: var(--s2); border-bottom: 1px solid var(--border); scroll-margin-top: 72px; }
.op { padding: var(--s5); display: grid; gap: var(--s3); scroll-margin-top: 72px; }
.op h3 { display: flex; flex-wrap: wrap; align-items: center; gap: var(--s2); font-size: 15px; }
.op h4 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--text-muted); margin-top: var(--s2); }
.op h4 .muted { text-transform: none; letter-spacing: 0; font-weight: 500; }
.op-path { font-size: 14px; font-weight: 600; overflow-wrap: anywhere; }
.op-summary { font-weight: 600; font-size: 16px; margin-top: var(--s1); }
.op-description, .op-auth { color: var(--text-muted); max-width: 75ch; font-size: 14px; }
.op-auth strong { color: var(--text); }
.verb { display: inline-block; padding: 1px 6px; border-radius: 4px; font-family: var(--mono); font-size: 11px; font-weight: 700; letter-spacing: 0.02em; }
.verb-get { background: #e3f0ff; color: #0b4f9c; }
.verb-post { background: var(--ok-bg); color: var(--ok-text); }
.verb-put, .verb-patch { background: var(--wait-bg); color: var(--wait-text); }
.verb-delete { background: var(--bad-bg); color: var(--bad-text); }
.table-scroll { overflow-x: auto; border: 1px solid var(--border); border-radius: var(--radius-small); background: var(--surface); }
.fields { width: 100%; border-collapse: collapse; font-size: 13px; }
.fields th:first-child { width: 32%; } .fields th:nth-child(2) { width: 24%; }
.params th:nth-child(2) { width: 10%; } .params th:nth-child(3) { width: 18%; }
.fields th { text-align: left; padding: var(--s2) var(--s3); background: var(--surface-sunken); font-size: 12px; color: var(--text-muted); font-weight: 600; border-bottom: 1px solid var(--border); }
.fields td { padding: var(--s2) var(--s3); border-bottom: 1px solid var(--border); vertical-align: top; }
.fields tr:last-child td { border-bottom: 0; }
.field-name { white-space: nowrap; }
.field-name code { font-weight: 600; color: var(--text); }
.depth-1 { padding-left: 28px !important; } .depth-2 { padding-left: 44px !important; } .depth-3 { padding-left: 60px !important; }
.depth-4 { padding-left: 76px !important; } .depth-5 { padding-left: 92px !important; }
.depth-1 code::before, .depth-2 code::before, .depth-3 code::before, .depth-4 code::before, .depth-5 code::before { content: "\\21B3\\00a0"; color: var(--border-strong); }
.required { margin-left: 6px; font-size: 11px; font-weight: 600; color: var(--bad-text); }
.field-type code { color: #6b3fa0; }
.field-about p + p { margin-top: 2px; }
.rules { color: var(--text-muted); font-size: 12px; }
.response > p { font-size: 14px; margin-bottom: var(--s2); }
.status { display: inline-block; min-width: 2.6em; text-align: center; padding: 0 6px; border-radius: 4px; font-family: var(--mono); font-size: 12px; font-weight: 700; }
.status-ok { background: var(--ok-bg); color: var(--ok-text); }
.status-error { background: var(--off-bg); color: var(--off-text); }
.error-list { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s1); font-size: 13px; color: var(--text-muted); }
.curl summary, .try-result summary { cursor: pointer; font-size: 13px; font-weight: 600; color: var(--text-muted); }
.curl pre, .try-result pre {
  margin: var(--s2) 0 0; padding: var(--s3) var(--s4); background: #14161a; color: #e8eaed; border-radius: var(--radius-small);
  font-size: 12.5px; line-height: 1.55; overflow-x: auto; white-space: pre; max-height: 420px;
}
.try-it { border-top: 1px dashed var(--border-strong); padding-top: var(--s3); display: grid; gap: var(--s3); }
.try-it form { display: grid; gap: var(--s3); grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); }
.try-it form .field:has(textarea), .try-it form > div:last-child { grid-column: 1 / -1; }
.try-it textarea { min-height: 9rem; resize: vertical; font-size: 13px; }
.try-status { font-family: var(--mono); font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
.try-result { display: grid; gap: var(--s2); }
@media (max-width: 900px) {
  .docs-layout { grid-template-columns: minmax(0, 1fr); }
  .docs-toc { position: static; max-height: none; border-right: 0; border-bottom: 1px solid var(--border); padding: var(--s3) var(--s4); display: flex; flex-wrap: wrap; gap: var(--s1) var(--s3); }
  .docs-toc ul { display: none; }
  .toc-group { margin-top: 0; }
  .toc-top, .toc-tag { padding: var(--s1) 0; }
  .docs-main { padding: var(--s5) var(--s4) var(--s6); }
  .op { padding: var(--s4); }
  .table-scroll { overflow-x: visible; }
  .fields thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .fields, .fields tbody { display: block; }
  .fields tr { display: grid; grid-template-columns: minmax(0, auto) minmax(0, 1fr); gap: 0 var(--s2); padding: var(--s2) var(--s3); border-bottom: 1px solid var(--border); }
  .fields tr:last-child { border-bottom: 0; }
  .fields td { padding: 0 !important; border: 0; font-size: 13px; }
  .fields td.field-about { grid-column: 1 / -1; margin-top: 2px; }
  .fields td.field-about:empty { display: none; }
  .fields tr:has(.depth-1) { padding-left: 28px; } .fields tr:has(.depth-2) { padding-left: 44px; }
  .fields tr:has(.depth-3) { padding-left: 60px; } .fields tr:has(.depth-4), .fields tr:has(.depth-5) { padding-left: 76px; }
  .field-name { white-space: normal; overflow-wrap: anywhere; }
  .curl pre, .try-result pre { white-space: pre-wrap; overflow-wrap: anywhere; }
}
`;
