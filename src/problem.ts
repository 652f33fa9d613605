// Every error leaves the API as application/problem+json (RFC 9457), with one shape. Any layer may
// raise a ProblemError (a use case refusing a request); src/http maps it to the response.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type FieldError = { field: string; pointer: string; detail: string };

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
};

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
};

export type ProblemOptions = {
  /** Per-field errors of a validation failure. */
  errors?: FieldError[];
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** Names the problem type: `https://leadpush.io/problems/{slug}`; without it the type is `about:blank`. */
  slug?: string;
};

/** An error that is the client's to fix; `app.onError` renders it as problem+json. */
export class ProblemError extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly slug?: string;

  constructor(
    readonly status: ContentfulStatusCode,
    detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail);
    this.errors = options.errors;
    this.headers = options.headers;
    this.slug = options.slug;
  }
}

/** A validation failure on named fields: 400 with per-field errors. */
export function invalid(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const detail = first
    ? `${first.field}: ${first.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`
    : "The request is invalid.";
  return new ProblemError(400, detail, { errors, slug: "validation-error" });
}

export function fieldError(path: ReadonlyArray<PropertyKey>, detail: string): FieldError {
  let field = "";
  for (const part of path) {
    field += typeof part === "number" ? `[${part}]` : `${field ? "." : ""}${String(part)}`;
  }
  const pointer = `/${path.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;
  return { field: field || "(body)", pointer: path.length ? pointer : "", detail };
}

export function problemResponse(error: ProblemError): Response {
  const status = error.status;
  const body: Problem = {
    type: error.slug ? `https://leadpush.io/problems/${error.slug}` : "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    detail: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", ...error.headers },
  });
}

export const notFound = (what = "resource") => new ProblemError(404, `No such ${what}.`);
