// A destination's settings (what a person sets) as the API names them and as the row stores them,
// written once. Create, update, preview and the API's JSON all map through here, so a setting added to
// the table (src/db/schema.ts) and to the API's schema (./schema.ts) is added to this list and nowhere
// else; tsc refuses a column that does not exist or a value whose type differs between the two.
import type { DestinationRow } from "../db/schema";

/** API field → row column, for every setting. */
const SETTINGS = {
  name: "name",
  enabled: "enabled",
  method: "method",
  url_template: "urlTemplate",
  headers_template: "headersTemplate",
  query_template: "queryTemplate",
  body_template: "bodyTemplate",
  timeout_seconds: "timeoutSeconds",
  rate_limit_per_second: "rateLimitPerSecond",
  filter: "filter",
} as const satisfies Record<string, keyof DestinationRow>;

type Settings = typeof SETTINGS;
type Field = keyof Settings;

/** The settings as the API's JSON has them. */
type SettingsJson = { [F in Field]: DestinationRow[Settings[F]] };
/** The settings as the row has them. */
type SettingsColumns = { [F in Field as Settings[F]]: DestinationRow[Settings[F]] };

const FIELDS = Object.keys(SETTINGS) as Field[];

/** The columns of the settings `input` holds; a field that is absent or undefined (a PATCH) is left out. */
export function settingsColumns(input: SettingsJson): SettingsColumns;
export function settingsColumns(input: Partial<SettingsJson>): Partial<SettingsColumns>;
export function settingsColumns(input: Partial<SettingsJson>): Partial<SettingsColumns> {
  const columns: Record<string, unknown> = {};
  for (const field of FIELDS) if (input[field] !== undefined) columns[SETTINGS[field]] = input[field];
  return columns as Partial<SettingsColumns>;
}

/** The row's settings as the API shows them. */
export function settingsJson(row: SettingsColumns): SettingsJson {
  const json: Record<string, unknown> = {};
  for (const field of FIELDS) json[field] = row[SETTINGS[field]];
  return json as SettingsJson;
}
