// Turns zod failures into problem+json that names each field and why, and maps the
// validator's own failures (bad JSON, wrong media type) onto the same shape.
import type { Hook } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import { type FieldError, fieldError, invalid, notFound } from "../problem";
import type { AppEnv } from "./types";

export function zodFieldErrors(error: ZodError, prefix: PropertyKey[] = []): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors.push(fieldError([...path, key], "is not a known field"));
    } else {
      errors.push(fieldError(path, issue.message));
    }
  }
  return errors;
}

/** The validation hook every route shares. Path parameters that fail are a 404: the id names nothing. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input and output type
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  if (result.target === "param") throw notFound();
  const prefix = result.target === "query" ? ["query"] : [];
  throw invalid(zodFieldErrors(result.error as ZodError, prefix));
};
