// The Preview panel of the destination form: the exact request the unsaved values render for a sample
// event, as the API's preview route renders it. The same markup is the answer to the panel's script
// (a fragment) and part of the page re-rendered by the Preview button without script.
import type { PreviewedRequest } from "../../destinations/preview";
import { CONTACT_EVENT_TYPES, TEST_EVENT_TYPE } from "../../events/catalog";
import { HeaderList } from "../components";
import type { FormPreview } from "../destination-save";

export const PREVIEW_EVENT_TYPES = [TEST_EVENT_TYPE, ...CONTACT_EVENT_TYPES] as const;

const RequestView = ({ request }: { request: PreviewedRequest }) => {
  const { method, url, headers, body } = request;
  return (
    <div class="preview-request">
      <p class="request-line">
        <span class="method">{method}</span> <span class="url">{url}</span>
      </p>
      <h3 class="preview-subtitle">Headers</h3>
      <HeaderList headers={headers} />
      <h3 class="preview-subtitle">Body</h3>
      {body === null ? (
        <p class="muted">No body: a GET request carries none.</p>
      ) : (
        <pre class="code-block">{body}</pre>
      )}
      <p class="side-note">
        The signature is computed when each delivery is sent; the id and timestamp are then the delivery's
        own.
      </p>
    </div>
  );
};

/** What the Preview button produced: nothing yet, the errors that stop it, or the request. */
export const PreviewResultView = ({ preview }: { preview?: FormPreview }) => (
  <div id="preview-result" class="preview-result" data-preview-result>
    {!preview ? (
      <p class="muted">Preview the request before you save: nothing is sent.</p>
    ) : !preview.ok ? (
      <div class="alert alert-error">
        <div>
          <p>Fix these first to see a preview:</p>
          <ul>
            {preview.errors.fields.map((error) => (
              <li>
                <a href={`#${error.inputId}`}>{error.label}</a>: {error.message}
              </li>
            ))}
          </ul>
        </div>
      </div>
    ) : !preview.result.ok ? (
      <div class="alert alert-error" role="status">
        <p>
          This request could not be sent ({preview.result.errorClass}): {preview.result.detail}
        </p>
      </div>
    ) : (
      <>
        {preview.result.filter &&
          (preview.result.filter.matches ? (
            <p class="alert alert-success" role="status" data-filter-verdict="matches">
              The filter matches this event: it would be delivered.
            </p>
          ) : (
            <p class="alert alert-warning" role="status" data-filter-verdict="filtered">
              The filter does not match this event, so it would not be delivered:{" "}
              {preview.result.filter.failed} did not hold. The request it would send otherwise:
            </p>
          ))}
        <RequestView request={preview.result.request} />
      </>
    )}
  </div>
);

export const PreviewPanel = ({ preview, eventType }: { preview?: FormPreview; eventType: string }) => (
  <section class="card side-card" aria-labelledby="preview-title">
    <h2 id="preview-title">Preview</h2>
    <div class="preview-controls">
      <div class="field">
        <label for="preview_event_type">Sample event</label>
        <select class="input" id="preview_event_type" name="preview_event_type">
          {PREVIEW_EVENT_TYPES.map((type) => (
            <option value={type} selected={type === eventType}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" name="_action" value="preview" class="button button-secondary" data-preview>
        Preview request
      </button>
    </div>
    <div aria-live="polite">
      <PreviewResultView preview={preview} />
    </div>
  </section>
);
