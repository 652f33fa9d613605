// A schema as a readable table of fields, nested fields indented under their parent.
import { type FieldRow, fieldRows } from "./fields";
import type { OpenApiDocument, Schema } from "./openapi";

/** Text with `code` spans, as the document's descriptions write them; every part is escaped text. */
export const Prose = ({ text }: { text: string }) => (
  <>{text.split("`").map((part, index) => (index % 2 ? <code>{part}</code> : part))}</>
);

const FieldLine = ({ row }: { row: FieldRow }) => (
  <tr>
    <td class={`field-name depth-${Math.min(row.depth, 5)}`}>
      <code>{row.name}</code>
      {row.required ? <span class="required">required</span> : null}
    </td>
    <td class="field-type">
      <code>{row.type}</code>
    </td>
    <td class="field-about">
      {row.description ? (
        <p>
          <Prose text={row.description} />
        </p>
      ) : null}
      {row.rules.length ? <p class="rules">{row.rules.join(" · ")}</p> : null}
    </td>
  </tr>
);

export const SchemaTable = ({
  doc,
  schema,
  label,
}: {
  doc: OpenApiDocument;
  schema: Schema;
  label: string;
}) => {
  const rows = fieldRows(doc, schema);
  if (!rows.length) return null;
  return (
    <div class="table-scroll">
      <table class="fields">
        <caption class="visually-hidden">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <FieldLine row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
};
