// The destination form's inputs: each has a visible label in the documentation's words, a hint, and
// its error (if any) right under the label, tied to the input with aria-describedby.
import type { Child } from "hono/jsx";
import { CONTACT_EVENT_TYPES, EVENT_TYPE_DESCRIPTIONS, OPERATIONAL_EVENT_TYPES } from "../../events/catalog";
import {
  displayRows,
  EVENT_TYPES_INPUT,
  MAX_ROWS,
  type Pair,
  type PlacedError,
  rowInputId,
} from "../destination-form";

export type ErrorsFor = (inputId: string) => string | undefined;

export const errorsLookup =
  (fields: PlacedError[]): ErrorsFor =>
  (inputId) =>
    fields.find((e) => e.inputId === inputId)?.message;

/** aria-describedby and aria-invalid for an input with an optional hint and error. */
export function described(id: string, hint: boolean, error: string | undefined) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { "aria-describedby": ids || undefined, "aria-invalid": error ? "true" : undefined };
}

export const FieldError = ({ id, error }: { id: string; error: string | undefined }) =>
  error ? (
    <p class="field-error" id={`${id}-error`}>
      <span class="visually-hidden">Error: </span>
      {error}
    </p>
  ) : null;

type FieldProps = {
  id: string;
  label: string;
  hint?: Child;
  error?: string;
  children: Child;
};

export const Field = ({ id, label, hint, error, children }: FieldProps) => (
  <div class={error ? "field field-invalid" : "field"}>
    <label for={id}>{label}</label>
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
    <FieldError id={id} error={error} />
    {children}
  </div>
);

type List = "header" | "query";

const NOUN: Record<List, { one: string; placeholder: Pair }> = {
  header: { one: "header", placeholder: { key: "Authorization", value: "Bearer your-token" } },
  query: { one: "query parameter", placeholder: { key: "event", value: "{{ event.type }}" } },
};

type RowProps = { list: List; row: number | "__ROW__"; pair: Pair; errorOf: ErrorsFor };

/** One key/value row. `row` is "__ROW__" in the <template> the add-row script copies. */
export const KeyValueRow = ({ list, row, pair, errorOf }: RowProps) => {
  const number = row === "__ROW__" ? "__NUMBER__" : String(row + 1);
  const { one, placeholder } = NOUN[list];
  const cell = (part: "key" | "value") => {
    const id = row === "__ROW__" ? `${list}-__ROW__-${part}` : rowInputId(list, row, part);
    const error = row === "__ROW__" ? undefined : errorOf(id);
    return (
      <div class={`kv-cell kv-${part}`}>
        <label class="kv-label" for={id}>
          {`${one.charAt(0).toUpperCase()}${one.slice(1)} `}
          <span data-row-number>{number}</span> {part}
        </label>
        <input
          class="input mono"
          id={id}
          name={`${list}_${part}`}
          value={pair[part]}
          placeholder={placeholder[part]}
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          {...described(id, false, error)}
        />
        <FieldError id={id} error={error} />
      </div>
    );
  };
  return (
    <li class="kv-row" data-row>
      {cell("key")}
      {cell("value")}
      <button
        type="submit"
        name="_action"
        value={`remove-${list}-${row}`}
        class="button button-ghost button-small kv-remove"
        data-remove-row
        aria-label={`Remove ${one} ${number}`}
      >
        Remove
      </button>
    </li>
  );
};

type ListProps = { list: List; legend: string; hint: Child; rows: Pair[]; errorOf: ErrorsFor };

/** Headers Template / Query Template: rows that can be added and removed, with or without script. */
export const KeyValueList = ({ list, legend, hint, rows, errorOf }: ListProps) => {
  const shown = displayRows(rows);
  const addId = `${list === "header" ? "headers" : "query"}-add`;
  const listError = errorOf(addId);
  return (
    <fieldset class={listError ? "kv field-invalid" : "kv"} aria-describedby={`${list}-hint`}>
      <legend>{legend}</legend>
      <p class="hint" id={`${list}-hint`}>
        {hint}
      </p>
      <FieldError id={addId} error={listError} />
      <div class="kv-head" aria-hidden="true">
        <span>Key</span>
        <span>Value</span>
      </div>
      <ol class="kv-rows" data-rows={list} data-max-rows={MAX_ROWS}>
        {shown.map((pair, row) => (
          <KeyValueRow list={list} row={row} pair={pair} errorOf={errorOf} />
        ))}
      </ol>
      <template data-row-template={list}>
        <KeyValueRow list={list} row="__ROW__" pair={{ key: "", value: "" }} errorOf={errorOf} />
      </template>
      <button
        type="submit"
        name="_action"
        value={`add-${list}`}
        id={addId}
        class="button button-secondary button-small"
        data-add-row={list}
        disabled={shown.length >= MAX_ROWS}
      >
        <span aria-hidden="true">+</span> Add {NOUN[list].one}
      </button>
    </fieldset>
  );
};

const EventCheck = ({ type, index, chosen }: { type: string; index: number; chosen: string[] }) => (
  <div class="check check-card">
    <input
      type="checkbox"
      id={`event-type-${index}`}
      name="event_types"
      value={type}
      checked={chosen.includes(type)}
      aria-describedby={`event-type-${index}-hint`}
    />
    <div class="check-text">
      <label for={`event-type-${index}`}>
        <code>{type}</code>
      </label>
      <span class="hint" id={`event-type-${index}-hint`}>
        {EVENT_TYPE_DESCRIPTIONS[type as keyof typeof EVENT_TYPE_DESCRIPTIONS]}
      </span>
    </div>
  </div>
);

/**
 * Event subscriptions: one checkbox per contact event type, with what it means, then the operational
 * events (the service's own alerts about destinations) as a group apart.
 */
export const EventChoices = ({ chosen, error }: { chosen: string[]; error?: string }) => (
  <fieldset
    class={error ? "checks field-invalid" : "checks"}
    aria-describedby={error ? `event-types-hint ${EVENT_TYPES_INPUT}-error` : "event-types-hint"}
  >
    <legend>Event subscriptions</legend>
    <p class="hint" id="event-types-hint">
      The contact events this destination receives. A test (<code>webhook.test</code>) can be sent to any
      destination on request.
    </p>
    <FieldError id={EVENT_TYPES_INPUT} error={error} />
    <div class="check-list">
      {CONTACT_EVENT_TYPES.map((type, index) => (
        <EventCheck type={type} index={index} chosen={chosen} />
      ))}
    </div>
    <h3 class="check-group" id="operational-events">
      Operational events
    </h3>
    <p class="hint">
      Alerts about this workspace's destinations: when one starts failing, recovers, is disabled, or a
      delivery fails for good — for a chat channel or an incident tool. An alert about a destination is never
      sent to that destination itself.
    </p>
    <div class="check-list">
      {OPERATIONAL_EVENT_TYPES.map((type, index) => (
        <EventCheck type={type} index={CONTACT_EVENT_TYPES.length + index} chosen={chosen} />
      ))}
    </div>
  </fieldset>
);
