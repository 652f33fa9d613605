// A schema as rows of fields (nested objects and arrays of objects indented under their parent), and
// an example value built from the schema's own examples and defaults.
import { constraints, type OpenApiDocument, refName, resolve, type Schema, typeLabel } from "./openapi";

export type FieldRow = {
  name: string;
  depth: number;
  type: string;
  required: boolean;
  description?: string;
  rules: string[];
};

// Deep enough for every schema we have (an attempt's request headers are three levels down).
const MAX_DEPTH = 5;

/** The schema whose fields a property's children are: the object itself, or an array's items. */
function childSchema(doc: OpenApiDocument, schema: Schema): Schema | null {
  const plain = resolve(doc, schema);
  if (plain.properties) return schema;
  if (plain.items && resolve(doc, plain.items).properties) return plain.items;
  return null;
}

/** The fields of an object schema (or of an array's items), depth first; a `$ref` cycle stops. */
export function fieldRows(doc: OpenApiDocument, schema: Schema, depth = 0, seen = new Set<string>()) {
  const rows: FieldRow[] = [];
  if (schema.$ref) seen = new Set([...seen, schema.$ref]);
  const plain = resolve(doc, schema);
  const properties = plain.properties ?? (plain.items ? resolve(doc, plain.items).properties : undefined);
  const required = new Set(
    plain.properties ? plain.required : plain.items && resolve(doc, plain.items).required,
  );
  for (const [name, property] of Object.entries(properties ?? {})) {
    const resolved = resolve(doc, property);
    rows.push({
      name,
      depth,
      type: typeLabel(doc, property),
      required: required.has(name),
      description: property.description ?? resolved.description,
      rules: constraints(resolved),
    });
    const child = childSchema(doc, property);
    const ref = child?.$ref;
    if (!child || depth + 1 > MAX_DEPTH || (ref && seen.has(ref))) continue;
    rows.push(...fieldRows(doc, child, depth + 1, ref ? new Set([...seen, ref]) : seen));
  }
  return rows;
}

/** The name to show for a body or response schema: its component name, or its type. */
export const schemaName = (doc: OpenApiDocument, schema: Schema) =>
  schema.$ref ? refName(schema.$ref) : typeLabel(doc, schema);

const firstType = (schema: Schema) =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;

function scalarExample(schema: Schema): unknown {
  switch (firstType(schema)) {
    case "string":
      if (schema.format === "date-time") return "2026-01-01T00:00:00Z";
      if (schema.format === "uuid") return "00000000-0000-4000-8000-000000000000";
      return "string";
    case "integer":
    case "number":
      return schema.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return null;
  }
}

/**
 * An example value: the schema's example, else its default, else its first allowed value, else one
 * made from its type. An object lists its required fields and those that have an example.
 */
export function exampleValue(doc: OpenApiDocument, schema: Schema, depth = 0): unknown {
  const plain = resolve(doc, schema);
  if (plain.example !== undefined) return plain.example;
  if (plain.default !== undefined) return plain.default;
  if (plain.enum?.length) return plain.enum[0];
  if (depth > MAX_DEPTH) return null;
  if (plain.properties) {
    const required = new Set(plain.required ?? []);
    const entries = Object.entries(plain.properties)
      .filter(([name, property]) => required.has(name) || resolve(doc, property).example !== undefined)
      .map(([name, property]) => [name, exampleValue(doc, property, depth + 1)]);
    return Object.fromEntries(entries);
  }
  if (firstType(plain) === "array") return plain.items ? [exampleValue(doc, plain.items, depth + 1)] : [];
  return scalarExample(plain);
}
