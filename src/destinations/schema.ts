// The destination as the API takes and gives it. Routes validate with these schemas and
// /openapi.json is generated from them, so the document cannot drift from the behaviour.
import { z } from "@hono/zod-openapi";
import { DESTINATION_METHODS } from "../db/schema";
import { SUBSCRIBABLE_EVENT_TYPES } from "../events/catalog";
import { isEmptyFilter, parseFilter } from "../filters/filter";
import { DESTINATION_LIMITS, FAILING_AFTER } from "../limits";
import { headerValueProblem } from "../rules/escape";
import { templatedAuthorityError } from "../rules/url-policy";
import { reservedHeaderReason, templateSyntaxError } from "./rules";

const template = (max: number, what: string) =>
  z
    .string()
    .max(max, `${what} must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const error = templateSyntaxError(value);
      if (error) ctx.addIssue({ code: "custom", message: error });
    });

const HeaderPair = z
  .object({
    key: z.string().superRefine((name, ctx) => {
      const reason = reservedHeaderReason(name);
      if (reason) ctx.addIssue({ code: "custom", message: reason });
    }),
    value: template(DESTINATION_LIMITS.headerValueLength, "a header value").superRefine((value, ctx) => {
      const problem = headerValueProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: `header values must not contain ${problem}` });
    }),
  })
  .strict()
  .openapi("HeaderTemplate", { example: { key: "X-Contact", value: "{{ contact.attributes.email }}" } });

const KeyValue = z.object({ key: z.string(), value: z.string() });

const QueryPair = z
  .object({
    key: z.string().min(1, "a query key must not be empty").max(DESTINATION_LIMITS.queryKeyLength),
    value: template(DESTINATION_LIMITS.queryValueLength, "a query value"),
  })
  .strict()
  .openapi("QueryTemplate", { example: { key: "event", value: "{{ event.type }}" } });

const headerList = z
  .array(HeaderPair)
  .max(DESTINATION_LIMITS.pairs, `at most ${DESTINATION_LIMITS.pairs} headers`)
  .superRefine((pairs, ctx) => {
    const seen = new Set<string>();
    pairs.forEach((pair, index) => {
      const lower = pair.key.toLowerCase();
      if (seen.has(lower)) {
        ctx.addIssue({
          code: "custom",
          path: [index, "key"],
          message: `header ${pair.key} is configured twice`,
        });
      }
      seen.add(lower);
    });
  });

const queryList = z
  .array(QueryPair)
  .max(DESTINATION_LIMITS.pairs, `at most ${DESTINATION_LIMITS.pairs} query parameters`);

const urlTemplate = z
  .string()
  .min(1, "the URL template is required")
  .max(
    DESTINATION_LIMITS.urlLength,
    `the URL template must be at most ${DESTINATION_LIMITS.urlLength} characters`,
  )
  .superRefine((value, ctx) => {
    const error = templateSyntaxError(value) ?? templatedAuthorityError(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  })
  .openapi({ example: "https://example.com/contacts/{{ contact._id }}/events" });

const bodyTemplate = z
  .string()
  .refine((value) => new TextEncoder().encode(value).length <= DESTINATION_LIMITS.bodyBytes, {
    message: `the body template must be at most ${DESTINATION_LIMITS.bodyBytes} bytes`,
  })
  .superRefine((value, ctx) => {
    const error = templateSyntaxError(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  })
  .nullable()
  // A blank template means "send the full payload"; store it as null so there is one spelling of it.
  .transform((value) => (value === null || value.trim() === "" ? null : value));

const eventTypes = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES))
  .max(SUBSCRIBABLE_EVENT_TYPES.length)
  .superRefine((types, ctx) => {
    if (new Set(types).size !== types.length)
      ctx.addIssue({ code: "custom", message: "event types must be unique" });
  })
  .openapi({ example: ["contact.created", "contact.updated"] });

const filter = z
  .record(z.string(), z.unknown(), { error: "filter must be a JSON object, or null for none" })
  .nullable()
  .superRefine((value, ctx) => {
    if (isEmptyFilter(value)) return;
    const parsed = parseFilter(value);
    if (!parsed.ok)
      ctx.addIssue({ code: "custom", message: `${parsed.error.where}: ${parsed.error.reason}` });
  })
  // {} and null both mean "no filter": store null, so there is one spelling of it.
  .transform((value) => (isEmptyFilter(value) ? null : value))
  .openapi({
    description:
      "Only events whose payload matches are delivered (docs/filters.md): dotted paths, literals for equality, $eq $neq $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith, $and $or $not. null: every event of the subscribed types.",
    example: { "contact.attributes.plan": { $in: ["pro", "enterprise"] } },
  });

const fields = {
  name: z
    .string()
    .trim()
    .min(1, "the name must not be blank")
    .max(
      DESTINATION_LIMITS.nameLength,
      `the name must be at most ${DESTINATION_LIMITS.nameLength} characters`,
    )
    .openapi({ example: "CRM Intake" }),
  enabled: z.boolean(),
  method: z.enum(DESTINATION_METHODS),
  url_template: urlTemplate,
  headers_template: headerList,
  query_template: queryList,
  body_template: bodyTemplate,
  timeout_seconds: z
    .number()
    .int("timeout_seconds must be a whole number")
    .min(1, `timeout_seconds must be between 1 and ${DESTINATION_LIMITS.timeoutSecondsMax}`)
    .max(
      DESTINATION_LIMITS.timeoutSecondsMax,
      `timeout_seconds must be between 1 and ${DESTINATION_LIMITS.timeoutSecondsMax}`,
    ),
  event_types: eventTypes,
  rate_limit_per_second: z
    .number()
    .int("rate_limit_per_second must be a whole number")
    .min(
      1,
      `rate_limit_per_second must be between 1 and ${DESTINATION_LIMITS.rateLimitPerSecond}, or null for no limit`,
    )
    .max(
      DESTINATION_LIMITS.rateLimitPerSecond,
      `rate_limit_per_second must be between 1 and ${DESTINATION_LIMITS.rateLimitPerSecond}, or null for no limit`,
    )
    .nullable()
    .openapi({
      description: "At most this many requests start per second; over it deliveries wait. null: no limit.",
      example: 50,
    }),
  filter,
};

export const DestinationCreate = z
  .object({
    ...fields,
    enabled: fields.enabled.default(true),
    headers_template: fields.headers_template.default([]),
    query_template: fields.query_template.default([]),
    body_template: fields.body_template.optional().transform((v) => v ?? null),
    timeout_seconds: fields.timeout_seconds.default(DESTINATION_LIMITS.timeoutSecondsDefault),
    rate_limit_per_second: fields.rate_limit_per_second.default(null),
    filter: fields.filter.default(null),
  })
  .strict()
  .openapi("DestinationCreate");

export const DestinationUpdate = z.object(fields).partial().strict().openapi("DestinationUpdate");

export type DestinationCreateInput = z.infer<typeof DestinationCreate>;
export type DestinationUpdateInput = z.infer<typeof DestinationUpdate>;

export const Destination = z
  .object({
    id: z.string().openapi({ example: "dst_019abcde0123456789abcdef01234567" }),
    name: z.string(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    method: fields.method,
    url_template: z.string(),
    headers_template: z.array(KeyValue),
    query_template: z.array(KeyValue),
    body_template: z.string().nullable(),
    timeout_seconds: z.number().int(),
    event_types: z.array(z.string()),
    rate_limit_per_second: z.number().int().nullable(),
    filter: z.record(z.string(), z.unknown()).nullable(),
    failing_since: z
      .string()
      .nullable()
      .openapi({
        description: `Set while the destination is failing (${FAILING_AFTER} failed attempts in a row): when the first of them started.`,
      }),
    consecutive_failures: z.number().int(),
    next_probe_at: z
      .string()
      .nullable()
      .openapi({ description: "While failing: when the next probe is sent." }),
    secret_hint: z.string().openapi({ example: "whsec_…f3Qk" }),
    secret_version: z.number().int(),
    previous_secret_expires_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Destination");

export type DestinationJson = z.infer<typeof Destination>;

export const DestinationWithSecret = Destination.extend({
  secret: z.string().openapi({ description: "The signing secret. Shown only in this response." }),
}).openapi("DestinationWithSecret");

export const RotateSecretRequest = z
  .object({
    grace_seconds: z
      .number()
      .int("grace_seconds must be a whole number")
      .min(0, `grace_seconds must be between 0 and ${DESTINATION_LIMITS.graceSecondsMax} (7 days)`)
      .max(
        DESTINATION_LIMITS.graceSecondsMax,
        `grace_seconds must be between 0 and ${DESTINATION_LIMITS.graceSecondsMax} (7 days)`,
      )
      .default(0),
  })
  .strict()
  .openapi("RotateSecretRequest");

export const RotateSecretResponse = z
  .object({
    secret: z.string(),
    secret_version: z.number().int(),
    previous_secret_expires_at: z.string().nullable(),
  })
  .openapi("RotateSecretResponse");

export type RotatedSecretJson = z.infer<typeof RotateSecretResponse>;
