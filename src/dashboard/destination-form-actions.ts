// The destination form's buttons besides Save: rows added or removed, a preview, the local inbox's URL.
import { type DestinationForm, isBlank, MAX_ROWS, type Pair } from "./destination-form";

/** A button the form can be posted with, besides saving: rows added or removed, or a preview. */
export type FormAction =
  | { kind: "save" }
  | { kind: "preview" }
  /** Development only: the local inbox's URL as the URL Template (docs/inbox.md). */
  | { kind: "use-inbox" }
  | { kind: "add"; list: "header" | "query" }
  | { kind: "remove"; list: "header" | "query"; row: number };

export function readAction(value: unknown): FormAction {
  if (value === "preview") return { kind: "preview" };
  if (value === "use-inbox") return { kind: "use-inbox" };
  if (value === "add-header" || value === "add-query")
    return { kind: "add", list: value === "add-header" ? "header" : "query" };
  const remove = typeof value === "string" ? /^remove-(header|query)-(\d{1,2})$/.exec(value) : null;
  if (remove) return { kind: "remove", list: remove[1] as "header" | "query", row: Number(remove[2]) };
  return { kind: "save" };
}

/** The form after an add-row or remove-row button, with everything else kept as typed. */
export function applyRowAction(form: DestinationForm, action: FormAction): DestinationForm {
  if (action.kind !== "add" && action.kind !== "remove") return form;
  const field = action.list === "header" ? "headers" : "query";
  const rows = form[field];
  if (action.kind === "add") {
    return rows.length >= MAX_ROWS ? form : { ...form, [field]: [...rows, { key: "", value: "" }] };
  }
  return { ...form, [field]: rows.filter((_, i) => i !== action.row) };
}

/** The rows to show: the form's own, ending with one blank row to type into (while there is room). */
export function displayRows(rows: Pair[]): Pair[] {
  const last = rows[rows.length - 1];
  if (rows.length >= MAX_ROWS || (last && isBlank(last))) return rows;
  return [...rows, { key: "", value: "" }];
}
