// Reading the app's own OpenAPI 3.1 document for the API reference: operations grouped by tag,
// `$ref`s resolved, schemas flattened into rows of fields, and example values for "Try it".
export type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  prefixItems?: Schema[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
};

type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema };
type Media = { schema?: Schema };
type Response = { description?: string; content?: Record<string, Media> };
type RawOperation = {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, Media> };
  responses?: Record<string, Response>;
};
type SecurityScheme = { type?: string; scheme?: string; description?: string };

export type OpenApiDocument = {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> };
};

export type Operation = RawOperation & { id: string; method: string; path: string; auth: string[] };
export type TagGroup = { tag: string; id: string; operations: Operation[] };

const METHODS = ["get", "post", "put", "patch", "delete"];

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Every operation, grouped by its first tag, tags in the order the document first names them. */
export function groupOperations(doc: OpenApiDocument): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const tag = raw.tags?.[0] ?? "Other";
      const group = groups.get(tag) ?? { tag, id: `tag-${slug(tag)}`, operations: [] };
      groups.set(tag, group);
      const auth = (raw.security ?? []).flatMap((requirement) => Object.keys(requirement));
      group.operations.push({ ...raw, id: slug(`${method} ${path}`), method, path, auth });
    }
  }
  return [...groups.values()];
}

/** The name a `$ref` points at (`#/components/schemas/Destination` → `Destination`). */
export const refName = (ref: string) => ref.split("/").pop() ?? ref;

/** Follows local `$ref`s and merges `allOf` parts, so callers see one plain schema. */
export function resolve(doc: OpenApiDocument, schema: Schema, depth = 0): Schema {
  if (depth > 16) return {};
  if (schema.$ref) {
    const target = doc.components?.schemas?.[refName(schema.$ref)];
    return target ? resolve(doc, target, depth + 1) : {};
  }
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map((part) => resolve(doc, part, depth + 1));
  return {
    ...schema,
    allOf: undefined,
    type: "object",
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => p.required ?? []),
  };
}

/** A schema's type in words: `string | null`, `array of Destination`, `object`. */
export function typeLabel(doc: OpenApiDocument, schema: Schema): string {
  if (schema.$ref) return refName(schema.$ref);
  const plain = resolve(doc, schema);
  const types = Array.isArray(plain.type) ? plain.type : plain.type ? [plain.type] : [];
  const label = types
    .map((type) => {
      if (type === "array" && plain.prefixItems) {
        return `[${plain.prefixItems.map((s) => typeLabel(doc, s)).join(", ")}]`;
      }
      if (type === "array" && plain.items) return `array of ${typeLabel(doc, plain.items)}`;
      return type;
    })
    .join(" | ");
  return label || (plain.properties ? "object" : "any");
}

const shown = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** The rules a value must keep, in short words, for the fields table. */
export function constraints(schema: Schema): string[] {
  const rules: string[] = [];
  const values = schema.enum ?? schema.items?.enum;
  if (values)
    rules.push(
      `one of: ${values
        .filter((v) => v !== null)
        .map(shown)
        .join(", ")}`,
    );
  if (schema.format) rules.push(`format: ${schema.format}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    rules.push(`${schema.minLength ?? 0}–${schema.maxLength ?? "∞"} characters`);
  }
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    rules.push(`${schema.minimum ?? "−∞"} to ${schema.maximum ?? "∞"}`);
  }
  if (schema.maxItems !== undefined) rules.push(`at most ${schema.maxItems} items`);
  if (schema.pattern) rules.push(`pattern: ${schema.pattern}`);
  if (schema.default !== undefined) rules.push(`default: ${shown(schema.default)}`);
  return rules;
}
