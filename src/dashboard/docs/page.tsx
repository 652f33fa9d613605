// /docs: the API reference, rendered from the same OpenAPI document /openapi.json serves. Readable
// without script; with it, each operation gets a "Try it" form that calls this server.
import { Brand } from "../components";
import { urls } from "../urls";
import { groupOperations, type OpenApiDocument, type TagGroup } from "./openapi";
import { OperationBlock } from "./operation";
import { Prose, SchemaTable } from "./schema-table";

const Contents = ({ groups }: { groups: TagGroup[] }) => (
  <nav class="docs-toc" aria-label="API reference contents">
    <a class="toc-top" href="#overview">
      Overview
    </a>
    {groups.map((group) => (
      <div class="toc-group">
        <a class="toc-tag" href={`#${group.id}`}>
          {group.tag}
        </a>
        <ul>
          {group.operations.map((op) => (
            <li>
              <a href={`#${op.id}`}>
                <span class={`verb verb-${op.method}`}>{op.method.toUpperCase()}</span>
                <span>{op.summary ?? op.path}</span>
              </a>
            </li>
          ))}
        </ul>
      </div>
    ))}
  </nav>
);

const Authorize = () => (
  <section class="card authorize" data-try-panel hidden aria-labelledby="authorize-title">
    <h2 id="authorize-title">Try requests from this page</h2>
    <p class="muted">
      Requests go to this server with the token below. The token stays in this page's memory only: it is never
      saved, and it is gone when you leave or reload the page.
    </p>
    <div class="authorize-fields">
      <div class="field">
        <label for="try-token">Bearer token</label>
        <input
          class="input mono"
          id="try-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="lpk_…"
        />
        <p class="hint">A workspace API key, or the operator token for operator routes.</p>
      </div>
      <div class="field">
        <label for="try-workspace">Workspace uuid</label>
        <input class="input mono" id="try-workspace" autocomplete="off" spellcheck={false} />
        <p class="hint">
          Used for every <code>ws</code> path parameter you leave empty.
        </p>
      </div>
    </div>
  </section>
);

const Overview = ({ doc }: { doc: OpenApiDocument }) => {
  const schemes = Object.entries(doc.components?.securitySchemes ?? {});
  const problem = doc.components?.schemas?.Problem;
  return (
    <section id="overview" class="docs-intro" aria-labelledby="overview-title">
      <h1 id="overview-title">{doc.info?.title ?? "API"} reference</h1>
      {doc.info?.description ? (
        <p class="lead">
          <Prose text={doc.info.description} />
        </p>
      ) : null}
      <p class="muted">
        Version {doc.info?.version ?? "1"} · generated from <a href="/openapi.json">/openapi.json</a>
      </p>
      <h2>Authentication</h2>
      <dl class="schemes">
        {schemes.map(([name, scheme]) => (
          <>
            <dt>
              <code>{name}</code> <span class="muted">({scheme.scheme ?? scheme.type} token)</span>
            </dt>
            <dd>
              <Prose text={scheme.description ?? ""} /> Send it as <code>Authorization: Bearer …</code>.
            </dd>
          </>
        ))}
      </dl>
      {problem ? (
        <>
          <h2>Errors</h2>
          <p>
            Every error response is <code>application/problem+json</code> with these fields:
          </p>
          <SchemaTable doc={doc} schema={problem} label="Fields of an error response" />
        </>
      ) : null}
      <Authorize />
    </section>
  );
};

/**
 * The header of the public pages (/docs, /docs/troubleshooting): a skip link, the brand, the page's name,
 * one link beside it, and the way back to the dashboard.
 */
export const PublicHeader = ({ title, link }: { title: string; link: { href: string; label: string } }) => (
  <>
    <a class="skip-link" href="#main">
      Skip to content
    </a>
    <header class="app-header">
      <Brand href={urls.home} />
      <span class="header-divider" aria-hidden="true" />
      <span class="header-title">{title}</span>
      <span class="header-spacer" />
      <a class="header-link" href={link.href}>
        {link.label}
      </a>
      <a class="button button-secondary button-small" href={urls.home}>
        Dashboard
      </a>
    </header>
  </>
);

export const DocsPage = ({ doc, origin }: { doc: OpenApiDocument; origin: string }) => {
  const groups = groupOperations(doc);
  return (
    <>
      <PublicHeader title="API reference" link={{ href: "/openapi.json", label: "OpenAPI JSON" }} />
      <div class="docs-layout">
        <Contents groups={groups} />
        <main id="main" class="docs-main" tabindex={-1}>
          <Overview doc={doc} />
          {groups.map((group) => (
            <section class="docs-tag" id={group.id} aria-labelledby={`${group.id}-title`}>
              <h2 id={`${group.id}-title`}>{group.tag}</h2>
              {group.operations.map((op) => (
                <OperationBlock doc={doc} op={op} origin={origin} />
              ))}
            </section>
          ))}
        </main>
      </div>
    </>
  );
};
