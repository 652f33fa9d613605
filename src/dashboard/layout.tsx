// The page frame, as the dashboard's jsxRenderer layout: the HTML document, and for a workspace screen
// the signed-in shell (header with the workspace chooser and sign-out, sidebar, main, footer). Landmarks:
// header, nav, main, footer; a skip link comes first. A route says which frame with c.render's props.
import type { PropsWithChildren } from "hono/jsx";
import { jsxRenderer } from "hono/jsx-renderer";
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
import { useDevTools, useSession, useWorkspace } from "./request-context";
import type { Session, SessionWorkspace } from "./session";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";

export type Section = "integrations" | "activity" | "inbox";

/** What a route tells the layout about its page (the second argument of c.render). */
export type PageFrame = {
  /** The document's title: in full for a public or message page; the screen's own name in a workspace. */
  title: string;
  /** A workspace screen: framed by the shell, with this section current in the sidebar. */
  section?: Section;
  /** True on the section's own page, false on a page below it. */
  sectionPage?: boolean;
  /** Where the chooser sends each workspace: the same screen of that workspace where there is one. */
  switchTo?: (uuid: string) => string;
  /** The page's scripts; the dashboard's own by default. */
  scripts?: string[];
};

declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: only an interface merges with Hono's declaration.
    (content: string | Promise<string>, frame: PageFrame): Response | Promise<Response>;
  }
}

type DocumentProps = PropsWithChildren<{ title: string; scripts?: string[] }>;

const Document = ({ title, scripts = [assetPath("js")], children }: DocumentProps) => (
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
    <body>{children}</body>
  </html>
);

type ShellProps = PropsWithChildren<
  Omit<PageFrame, "section" | "scripts"> & { section: Section; session: Session; workspace: SessionWorkspace }
>;

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
      <CsrfField />
      <button type="submit" class="button button-secondary button-small">
        Sign out
      </button>
    </form>
  </header>
);

/** A signed-in screen: skip link, header, sidebar, the screen's content in <main>, footer. */
const AppShell = (props: Omit<ShellProps, "session" | "workspace">) => {
  const session = useSession();
  if (!session) throw new Error("requireWorkspace lets no signed-out request through");
  const framed = { ...props, session, workspace: useWorkspace() };
  return (
    <Document title={`${props.title} · ${framed.workspace.name} · Leadpush`}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader {...framed} />
      <div class="app-body">
        <Sidebar {...framed} />
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
};

/**
 * The dashboard's renderer: `c.render(<Screen />, frame)` sends the screen in its frame, with the
 * status set before (`c.status(400)`). The lower-case doctype is the one the pages always had.
 */
export const pageRenderer = jsxRenderer<DashboardEnv>(
  ({ children, section, ...frame }) =>
    section ? (
      <AppShell section={section} {...frame}>
        {children}
      </AppShell>
    ) : (
      <Document title={frame.title} scripts={frame.scripts}>
        {children}
      </Document>
    ),
  { docType: "<!doctype html>" },
);
