// Preparing a delivery's request: render the templates, then hold the rendered URL to the same policy
// as the saved template. The consumer and the preview route both prepare through here.
import type { ErrorClass } from "../db/history-schema";
import { type RenderableDestination, type RenderedRequest, renderRequest } from "./render";
import { TemplateError } from "./templates";
import { checkRenderedUrl, type UrlPolicyOptions } from "./url-policy";

/** A request ready to sign and send, or the configuration error that stops it (never retried). */
export type Prepared =
  | { ok: true; request: RenderedRequest }
  | {
      ok: false;
      errorClass: Extract<ErrorClass, "template_error" | "destination_blocked">;
      message: string;
      /** The rendered URL when rendering got that far, else the template. */
      url: string;
    };

export function prepareRequest(
  destination: RenderableDestination,
  payload: Record<string, unknown>,
  policy: UrlPolicyOptions,
): Prepared {
  let request: RenderedRequest;
  try {
    request = renderRequest(destination, payload);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return { ok: false, errorClass: "template_error", message: error.message, url: destination.urlTemplate };
  }
  const blocked = checkRenderedUrl(new URL(request.url), policy);
  if (blocked !== null)
    return { ok: false, errorClass: "destination_blocked", message: blocked, url: request.url };
  return { ok: true, request };
}
