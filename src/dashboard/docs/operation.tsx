// One operation of the API reference: what it does, how to authenticate, its parameters, request
// body and responses, a curl line, and a "Try it" form (revealed by /assets docs script).
import { exampleValue, schemaName } from "./fields";
import { constraints, type OpenApiDocument, type Operation, resolve, type Schema } from "./openapi";
import { Prose, SchemaTable } from "./schema-table";

type OperationProps = { doc: OpenApiDocument; op: Operation; origin: string };

const jsonSchemaOf = (content: Record<string, { schema?: Schema }> | undefined) =>
  content?.["application/json"]?.schema ?? Object.values(content ?? {})[0]?.schema;

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function curlLine(op: Operation, origin: string, body: string | null): string {
  const parts = [`curl -sS -X ${op.method.toUpperCase()} ${shellQuote(origin + op.path)}`];
  if (op.auth.length) parts.push(`-H "Authorization: Bearer $LEADPUSH_API_KEY"`);
  if (body !== null) parts.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(body)}`);
  return parts.join(" \\\n  ");
}

const Parameters = ({ doc, op }: { doc: OpenApiDocument; op: Operation }) =>
  op.parameters?.length ? (
    <>
      <h4>Parameters</h4>
      <div class="table-scroll">
        <table class="fields params">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {op.parameters.map((p) => {
              const rules = p.schema ? constraints(resolve(doc, p.schema)) : [];
              return (
                <tr>
                  <td class="field-name">
                    <code>{p.name}</code>
                    {p.required ? <span class="required">required</span> : null}
                  </td>
                  <td>{p.in}</td>
                  <td class="field-type">
                    <code>{p.schema ? schemaName(doc, p.schema) : "string"}</code>
                  </td>
                  <td class="field-about">
                    {p.description ? (
                      <p>
                        <Prose text={p.description} />
                      </p>
                    ) : null}
                    {rules.length ? <p class="rules">{rules.join(" · ")}</p> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  ) : null;

const Responses = ({ doc, op }: { doc: OpenApiDocument; op: Operation }) => {
  const entries = Object.entries(op.responses ?? {});
  const success = entries.filter(([status]) => Number(status) < 400);
  const errors = entries.filter(([status]) => Number(status) >= 400);
  return (
    <>
      <h4>Responses</h4>
      {success.map(([status, response]) => {
        const schema = jsonSchemaOf(response.content);
        return (
          <div class="response">
            <p>
              <span class="status status-ok">{status}</span> <Prose text={response.description ?? ""} />
              {schema ? <span class="muted"> · {schemaName(doc, schema)}</span> : null}
            </p>
            {schema ? (
              <SchemaTable doc={doc} schema={schema} label={`Fields of the ${status} response`} />
            ) : null}
          </div>
        );
      })}
      {errors.length ? (
        <ul class="error-list" aria-label="Error responses">
          {errors.map(([status, response]) => (
            <li>
              <span class="status status-error">{status}</span> <Prose text={response.description ?? ""} />
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
};

const TryIt = ({ op, body }: { op: Operation; body: string | null }) => {
  const inputs = (op.parameters ?? []).filter((p) => p.in === "path" || p.in === "query");
  return (
    <div class="try-it" data-try-panel hidden>
      <h4>Try it</h4>
      <form
        data-try
        data-method={op.method.toUpperCase()}
        data-path={op.path}
        data-auth={String(op.auth.length > 0)}
      >
        {inputs.map((p) => (
          <div class="field">
            <label for={`${op.id}-${p.name}`}>
              <code>{p.name}</code> <span class="muted">({p.in})</span>
            </label>
            <input
              class="input mono"
              id={`${op.id}-${p.name}`}
              data-in={p.in}
              data-name={p.name}
              autocomplete="off"
              spellcheck={false}
              placeholder={p.in === "path" && p.name === "ws" ? "the workspace uuid above" : undefined}
            />
          </div>
        ))}
        {body !== null ? (
          <div class="field">
            <label for={`${op.id}-body`}>Request body (JSON)</label>
            <textarea class="input mono" id={`${op.id}-body`} data-in="body" rows={8} spellcheck={false}>
              {body}
            </textarea>
          </div>
        ) : null}
        <div>
          <button type="submit" class="button button-small">
            Send request
          </button>
        </div>
      </form>
      <div class="try-result" data-try-result hidden aria-live="polite">
        <p class="try-status" data-try-status />
        <details>
          <summary>Response headers</summary>
          <pre data-try-headers />
        </details>
        <pre class="try-body" data-try-body />
      </div>
    </div>
  );
};

export const OperationBlock = ({ doc, op, origin }: OperationProps) => {
  const bodySchema = jsonSchemaOf(op.requestBody?.content);
  const body = bodySchema ? JSON.stringify(exampleValue(doc, bodySchema), null, 2) : null;
  const schemes = doc.components?.securitySchemes ?? {};
  return (
    <article class="op card" id={op.id} aria-labelledby={`${op.id}-title`}>
      <header class="op-header">
        <h3 id={`${op.id}-title`}>
          <span class={`verb verb-${op.method}`}>{op.method.toUpperCase()}</span>
          <code class="op-path">{op.path}</code>
        </h3>
        {op.summary ? <p class="op-summary">{op.summary}</p> : null}
      </header>
      {op.description ? (
        <p class="op-description">
          <Prose text={op.description} />
        </p>
      ) : null}
      <p class="op-auth">
        <strong>Authentication: </strong>
        {op.auth.length
          ? op.auth.map((name) => <Prose text={`Bearer token — ${schemes[name]?.description ?? name}`} />)
          : "none"}
      </p>
      <Parameters doc={doc} op={op} />
      {bodySchema ? (
        <>
          <h4>
            Request body <span class="muted">· application/json · {schemaName(doc, bodySchema)}</span>
          </h4>
          <SchemaTable doc={doc} schema={bodySchema} label="Fields of the request body" />
        </>
      ) : null}
      <Responses doc={doc} op={op} />
      <details class="curl">
        <summary>Example with curl</summary>
        <pre>{curlLine(op, origin, body)}</pre>
      </details>
      <TryIt op={op} body={body} />
    </article>
  );
};
