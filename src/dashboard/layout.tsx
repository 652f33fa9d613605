// The page frame: the HTML document, and the signed-in shell (header with the workspace chooser and
// sign-out, sidebar, main, footer). Landmarks: header, nav, main, footer; a skip link comes first.

import type { Context } from "hono";
import { html } from "hono/html";
import { type Child, createContext, type PropsWithChildren, useContext } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { configOf } from "../config";
import { assetPath } from "./assets";
import {
  ActivityIcon,
  BookIcon,
  Brand,
  ChevronDown,
  CsrfField,
  InboxIcon,
  IntegrationsIcon,
  initials,
} from "./components";
import type { Session, SessionWorkspace } from "./session";
import { urls } from "./urls";

/** In development (configOf(env).devTools), the origin the local inbox is reached at; null in production,
 * where no screen shows the inbox or a way to it. */
export const DevTools = createContext<{ origin: string } | null>(null);

/** What the screens of this request know about the development tools. */
export const useDevTools = () => useContext(DevTools);

/** Sends a page: a doctype, then the JSX tree rendered (and escaped) by Hono. */
export const renderPage = <E extends { Bindings: Env }>(
  c: Context<E>,
  page: Child,
  status: ContentfulStatusCode = 200,
) =>
  c.html(
    html`<!doctype html>${<DevTools.Provider value={configOf(c.env).devTools ? { origin: new URL(c.req.url).origin } : null}>{page}</DevTools.Provider>}`,
    status,
  );

type DocumentProps = PropsWithChildren<{ title: string; scripts?: string[]; bodyClass?: string }>;

export const Document = ({ title, scripts = [assetPath("js")], bodyClass, children }: DocumentProps) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{title}</title>
      <link rel="icon" href={assetPath("icon")} type="image/svg+xml" />
      <link rel="stylesheet" href={assetPath("css")} />
      {scripts.map((src) => (
        <script src={src} defer />
      ))}
    </head>
    <body class={bodyClass}>{children}</body>
  </html>
);

export type Section = "integrations" | "activity" | "inbox";

type ShellProps = PropsWithChildren<{
  title: string;
  session: Session;
  workspace: SessionWorkspace;
  csrf: string | null;
  section: Section;
  /** True on the section's own page, false on a page below it. */
  sectionPage?: boolean;
  /** Where the chooser sends each workspace: the same screen of that workspace where there is one. */
  switchTo?: (uuid: string) => string;
}>;

const WorkspaceMenu = ({
  session,
  workspace,
  switchTo,
}: Required<Pick<ShellProps, "switchTo">> & ShellProps) => (
  <details class="ws-menu">
    <summary>
      <span class="ws-avatar" aria-hidden="true">
        {initials(workspace.name)}
      </span>
      <span class="ws-name">
        <span class="visually-hidden">Workspace: </span>
        {workspace.name}
      </span>
      <ChevronDown />
    </summary>
    <div class="ws-panel">
      <p class="ws-panel-title">Choose a workspace</p>
      <ul class="ws-list">
        {session.workspaces.map((w) => (
          <li>
            <a
              class="ws-option"
              href={switchTo(w.uuid)}
              aria-current={w.uuid === workspace.uuid ? "true" : undefined}
            >
              <span class="ws-avatar" aria-hidden="true">
                {initials(w.name)}
              </span>
              <span class="ws-text">
                <span class="ws-name">{w.name}</span>
                <span class="ws-uuid">{w.uuid}</span>
              </span>
              {w.uuid === workspace.uuid ? <span class="ws-check">Current</span> : null}
            </a>
          </li>
        ))}
      </ul>
      <div class="ws-panel-footer">
        <a class="ws-option" href={urls.signIn}>
          Add a workspace…
        </a>
      </div>
    </div>
  </details>
);

/** The workspace's sections in the sidebar; the documentation's walk-through starts at Integrations. */
const SECTIONS: { section: Section; label: string; href: (ws: string) => string; Icon: typeof BookIcon }[] = [
  { section: "integrations", label: "Integrations", href: urls.integrations, Icon: IntegrationsIcon },
  { section: "activity", label: "Activity", href: urls.activity, Icon: ActivityIcon },
];

const current = (here: boolean, sectionPage: boolean) => (!here ? undefined : sectionPage ? "page" : "true");

const Sidebar = ({ workspace, section, sectionPage = true }: ShellProps) => (
  <aside class="sidebar">
    <nav class="sidebar-nav" aria-label="Main">
      <div class="nav-group">
        <p class="nav-heading">Workspace</p>
        <ul class="nav-list">
          {SECTIONS.map(({ section: name, label, href, Icon }) => (
            <li>
              <a
                class="nav-link"
                href={href(workspace.uuid)}
                aria-current={current(name === section, sectionPage)}
              >
                <Icon />
                {label}
              </a>
            </li>
          ))}
        </ul>
      </div>
      <div class="nav-group">
        <p class="nav-heading">Developers</p>
        <ul class="nav-list">
          <li>
            <a class="nav-link" href={urls.docs}>
              <BookIcon />
              API reference
            </a>
          </li>
          <li>
            <a class="nav-link" href={urls.troubleshooting()}>
              <BookIcon />
              Troubleshooting
            </a>
          </li>
          {useDevTools() ? (
            <li>
              <a
                class="nav-link"
                href={urls.inbox(workspace.uuid)}
                aria-current={current(section === "inbox", sectionPage)}
              >
                <InboxIcon />
                Inbox
              </a>
            </li>
          ) : null}
        </ul>
      </div>
    </nav>
  </aside>
);

const AppHeader = (props: ShellProps) => (
  <header class="app-header">
    <Brand href={urls.integrations(props.workspace.uuid)} />
    <span class="header-divider" aria-hidden="true" />
    <WorkspaceMenu {...props} switchTo={props.switchTo ?? urls.integrations} />
    <span class="header-spacer" />
    <a class="header-link" href={urls.docs}>
      API reference
    </a>
    <form class="inline-form" method="post" action={urls.signOut}>
      <CsrfField token={props.csrf} />
      <button type="submit" class="button button-secondary button-small">
        Sign out
      </button>
    </form>
  </header>
);

/** A signed-in screen: skip link, header, sidebar, the screen's content in <main>, footer. */
export const AppShell = (props: ShellProps) => (
  <Document title={`${props.title} · ${props.workspace.name} · Leadpush`}>
    <a class="skip-link" href="#main">
      Skip to content
    </a>
    <AppHeader {...props} />
    <div class="app-body">
      <Sidebar {...props} />
      <div class="main">
        <main id="main" class="main-inner" tabindex={-1}>
          {props.children}
        </main>
        <footer class="app-footer">
          <span>Leadpush Webhooks</span>
          <a href={urls.docs}>API reference</a>
          <a href={urls.troubleshooting()}>Troubleshooting</a>
          <a href="/openapi.json">OpenAPI document</a>
        </footer>
      </div>
    </div>
  </Document>
);
