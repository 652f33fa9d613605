// The dashboard's look, part 3: the destination form. The form and its help sit side by side on a
// desktop and in one column on a phone, where the help follows the templates it explains.
export const FORMS_CSS = `
/* Form layout: main column, and the help column beside it */
.form-layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; grid-template-rows: auto auto auto auto 1fr; column-gap: var(--s5); row-gap: var(--s4); align-items: start; }
.form-layout > .form-card, .form-layout > .form-actions { grid-column: 1; }
.form-side { grid-column: 2; grid-row: 1 / span 5; display: grid; gap: var(--s4); align-self: start; }
.form-card { padding: var(--s5); display: grid; gap: var(--s5); }
.form-card > h2, .form-card h2 { font-size: 16px; }
.card-intro { color: var(--text-muted); font-size: 14px; margin-top: var(--s1); }
.field-row { display: grid; grid-template-columns: 8.5rem minmax(0, 1fr); gap: var(--s4); align-items: start; }
.hint { font-size: 13px; color: var(--text-muted); font-weight: 400; }
.field .check { font-weight: 400; }
.input-narrow { max-width: 8rem; }
select.input { appearance: none; padding-right: var(--s6); background-image: linear-gradient(45deg, transparent 50%, var(--text-muted) 50%), linear-gradient(135deg, var(--text-muted) 50%, transparent 50%); background-position: calc(100% - 17px) 50%, calc(100% - 12px) 50%; background-size: 5px 5px; background-repeat: no-repeat; }
.input.mono { font-family: var(--mono); font-size: 13.5px; }
.textarea { min-height: 11rem; resize: vertical; line-height: 1.5; font-size: 13px; }
.input::placeholder { color: #8a929c; }
.field-invalid > label, .field-invalid > legend { color: var(--bad-text); }
.field-invalid { border-left: 3px solid var(--bad-text); padding-left: var(--s3); }
.field-error { color: var(--bad-text); font-size: 13.5px; font-weight: 600; overflow-wrap: anywhere; }
.input[aria-invalid="true"] { border-width: 2px; }
.form-actions { display: flex; flex-wrap: wrap; gap: var(--s3); padding-top: var(--s2); }

/* Checkboxes */
.check { position: relative; display: flex; align-items: flex-start; gap: var(--s3); }
.check label { cursor: pointer; }
.check input { position: relative; z-index: 1; width: 18px; height: 18px; margin: 2px 0 0; flex: none; accent-color: var(--accent); }
.check-text { display: grid; gap: 2px; }
.check-label { font-weight: 600; font-size: 14px; }
/* The whole card toggles its box: the label's hit area covers it. */
.check-card label::after { content: ""; position: absolute; inset: 0; cursor: pointer; }
.check-text code { font-size: 13px; font-weight: 600; color: var(--text); }
.checks, .kv { border: 0; margin: 0; padding: 0; min-width: 0; display: grid; gap: var(--s3); }
.checks legend, .kv legend { font-size: 14px; font-weight: 600; padding: 0; margin-bottom: var(--s1); }
.checks.field-invalid, .kv.field-invalid { padding-left: var(--s3); }
.check-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: var(--s2); }
.check-list .check { padding: var(--s3); border: 1px solid var(--border); border-radius: var(--radius-small); background: var(--surface); }
.check-list .check:hover { border-color: var(--border-strong); }
.checks .check-group { font-size: 0.95rem; margin: var(--s4) 0 var(--s1); }
.check-list .check:has(input:checked) { border-color: var(--accent); background: var(--accent-soft); }
.hint code, .card-intro code { background: var(--surface-sunken); border: 1px solid var(--border); border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }

/* Key/value rows */
.kv-head { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.4fr) 5.5rem; gap: var(--s2); font-size: 12px; font-weight: 600; color: var(--text-muted); text-transform: uppercase; letter-spacing: 0.04em; }
.kv-rows { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--s2); }
.kv-row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.4fr) 5.5rem; gap: var(--s2); align-items: start; }
.kv-cell { display: grid; gap: 4px; min-width: 0; }
.kv-cell .input { font-size: 13px; }
/* A row's labels are read aloud everywhere; they show where the column headings do not. */
@media (min-width: 761px) {
  .kv-label { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
}
.kv-label { font-size: 12px; font-weight: 600; color: var(--text-muted); }
.kv-remove { min-height: 40px; }
.kv > .button { justify-self: start; }
.button-ghost { background: transparent; color: var(--text-muted); border-color: transparent; box-shadow: none; }
.button-ghost:hover { background: var(--bad-bg); color: var(--bad-text); border-color: var(--bad-border); }
.button[disabled] { opacity: 0.55; cursor: not-allowed; }

/* Error summary */
.error-summary { margin-bottom: var(--s5); padding: var(--s4) var(--s5); border: 2px solid var(--bad-text); border-radius: var(--radius); background: var(--surface); }
.error-summary:focus { outline: 3px solid rgba(79, 70, 229, 0.35); outline-offset: 2px; }
.error-summary h2 { font-size: 16px; color: var(--bad-text); margin-bottom: var(--s2); }
.error-summary ul { margin: 0; padding-left: var(--s5); display: grid; gap: var(--s1); }
.error-summary a { color: var(--bad-text); font-weight: 600; }
/* A filter's error names a long path (filter.$or[1].contact.attributes.seats.$gt): let it wrap. */
.error-summary li { overflow-wrap: anywhere; }

/* Side cards: template variables and preview */
.side-card { padding: var(--s4) var(--s5) var(--s5); display: grid; gap: var(--s3); min-width: 0; }
.side-card h2 { font-size: 15px; }
.side-intro, .side-note { font-size: 13px; color: var(--text-muted); }
.side-subtitle { font-size: 13px; margin-top: var(--s1); }
.variables { margin: 0; display: grid; border: 1px solid var(--border); border-radius: var(--radius-small); overflow: hidden; }
.variable { display: grid; gap: 1px; padding: 6px var(--s3); border-bottom: 1px solid var(--border); }
.variable:last-child { border-bottom: 0; }
.variable:nth-child(odd) { background: var(--surface-sunken); }
.variable dt code { font-size: 12.5px; color: var(--accent-strong); font-weight: 600; }
.variable dd { margin: 0; font-family: var(--mono); font-size: 12px; color: var(--text-muted); overflow-wrap: anywhere; }
.rules { margin: 0; padding-left: var(--s4); display: grid; gap: var(--s2); font-size: 13px; color: var(--text-muted); }
.rules strong { color: var(--text); }
.preview-controls { display: grid; gap: var(--s3); }
.preview-controls .button { justify-self: start; }
.preview-result { display: grid; gap: var(--s3); font-size: 13px; }
.preview-result[aria-busy="true"] { opacity: 0.6; }
.preview-result .alert { overflow-wrap: anywhere; }
.preview-result .alert ul { margin: var(--s1) 0 0; padding-left: var(--s4); }
.preview-request { display: grid; gap: var(--s2); min-width: 0; }
.preview-subtitle { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--text-muted); margin-top: var(--s2); }
.request-line { display: flex; flex-wrap: wrap; align-items: baseline; gap: var(--s2); min-width: 0; }
.header-list { margin: 0; display: grid; gap: 2px; font-family: var(--mono); font-size: 12px; min-width: 0; }
.header-list > div { display: grid; grid-template-columns: minmax(0, 12.5rem) minmax(0, 1fr); gap: var(--s3); padding: 3px 0; border-bottom: 1px dashed var(--border); }
.side-card .header-list > div { grid-template-columns: minmax(0, 45%) minmax(0, 1fr); gap: var(--s2); }
.header-list dt { color: var(--text-muted); overflow-wrap: anywhere; }
.header-list dd { margin: 0; overflow-wrap: anywhere; }
.code-block { margin: 0; padding: var(--s3); background: #14161a; color: #e8eaed; border-radius: var(--radius-small); font-size: 12.5px; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24rem; overflow: auto; }

@media (max-width: 1100px) {
  .form-layout { grid-template-columns: minmax(0, 1fr); grid-template-rows: none; }
  .form-side { grid-column: 1; grid-row: auto; }
}
@media (max-width: 760px) {
  .form-card { padding: var(--s4); gap: var(--s4); }
  .field-row { grid-template-columns: minmax(0, 1fr); }
  .kv-head { display: none; }
  .kv-row { grid-template-columns: minmax(0, 1fr) auto; padding: var(--s2) 0; border-bottom: 1px solid var(--border); }
  .kv-row .kv-value { grid-column: 1 / -1; grid-row: 2; }
  .kv-row .kv-remove { grid-column: 2; grid-row: 1; align-self: end; }
  .side-card { padding: var(--s4); }
  .header-list > div, .side-card .header-list > div { grid-template-columns: minmax(0, 1fr); gap: 0; }
}
`;
