// Small pieces every screen is built from. Values are passed as JSX children or attributes, so Hono
// escapes them: nothing a user typed is ever written into the page as markup.
import type { Child, PropsWithChildren } from "hono/jsx";
import type { DeliveryStatus } from "../db/history-schema";
import { assetPath } from "./assets";
import { useCsrfToken } from "./request-context";

export { ActivityIcon, BookIcon, ChevronDown, InboxIcon, IntegrationsIcon, WebhookIcon } from "./icons";

export const Brand = ({ href }: { href: string }) => (
  <a class="brand" href={href}>
    <img src={assetPath("icon")} alt="" width="24" height="24" />
    <span class="brand-name">Leadpush</span>
  </a>
);

export type Crumb = { label: string; href?: string };

/** The trail to this page; the last crumb is the page itself. */
export const Breadcrumbs = ({ trail }: { trail: Crumb[] }) => (
  <nav class="breadcrumbs" aria-label="Breadcrumb">
    <ol>
      {trail.map((crumb, index) =>
        index === trail.length - 1 || !crumb.href ? (
          <li>
            <span aria-current={index === trail.length - 1 ? "page" : undefined}>{crumb.label}</span>
          </li>
        ) : (
          <li>
            <a href={crumb.href}>{crumb.label}</a>
          </li>
        ),
      )}
    </ol>
  </nav>
);

export type Tone = "ok" | "bad" | "wait" | "off";

/** A status in words; the colour only repeats what the word says. */
export const Pill = ({ tone, children }: PropsWithChildren<{ tone: Tone }>) => (
  <span class={`pill pill-${tone}`}>{children}</span>
);

/** A delivery's status as every screen shows it: its word, and its tone. */
export const STATUS_LOOK: Record<DeliveryStatus, { tone: Tone; label: string }> = {
  succeeded: { tone: "ok", label: "Succeeded" },
  failed: { tone: "bad", label: "Failed" },
  pending: { tone: "wait", label: "Pending" },
  skipped: { tone: "off", label: "Skipped" },
};

export const StatusPill = ({ status }: { status: DeliveryStatus }) => (
  <Pill tone={STATUS_LOOK[status].tone}>{STATUS_LOOK[status].label}</Pill>
);

/** Whether a destination is on. */
export const EnabledPill = ({ enabled }: { enabled: boolean }) =>
  enabled ? <Pill tone="ok">Enabled</Pill> : <Pill tone="off">Disabled</Pill>;

type DataTableProps = PropsWithChildren<{
  /** The extra class of the table (its columns' widths). */
  className?: string;
  /** Read by screen readers only. */
  caption?: string;
  /** The header cells. */
  head: Child;
  /** In its own card (the lists), or bare inside one (the event's page). */
  card?: boolean;
}>;

/** A table of rows; the stacked layout on narrow screens reads each cell's data-label. */
export const DataTable = ({ className, caption, head, card = true, children }: DataTableProps) => {
  const table = (
    <table class={className ? `data-table ${className}` : "data-table"}>
      {caption ? <caption class="visually-hidden">{caption}</caption> : null}
      <thead>
        <tr>{head}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return card ? <div class="card table-card">{table}</div> : table;
};

type PageLink = { href: string; label: string };

/** The way back to the first page and on to the next; nothing when there is only one page. */
export const Pagination = ({ label, first, next }: { label: string; first?: PageLink; next?: PageLink }) =>
  first || next ? (
    <nav class="pagination" aria-label={label}>
      {first ? (
        <a class="button button-secondary button-small" href={first.href}>
          {first.label}
        </a>
      ) : (
        <span />
      )}
      {next ? (
        <a class="button button-secondary button-small" href={next.href}>
          {next.label}
        </a>
      ) : null}
    </nav>
  ) : null;

type EmptyStateProps = PropsWithChildren<{
  icon?: Child;
  title?: string;
  actions?: Child;
  /** The short form, inside a section (no icon or title). */
  small?: boolean;
  /** A data-* attribute a script looks for. */
  marker?: string;
}>;

/** What an empty list says instead, and what to do about it. */
export const EmptyState = ({ icon, title, actions, small, marker, children }: EmptyStateProps) => (
  <div class={small ? "empty-state empty-small" : "empty-state"} {...(marker ? { [marker]: true } : {})}>
    {icon ? <span class="icon-tile">{icon}</span> : null}
    {title ? <h3>{title}</h3> : null}
    <p>{children}</p>
    {actions ? <div class="empty-actions">{actions}</div> : null}
  </div>
);

export const PageHeader = ({
  title,
  description,
  actions,
}: {
  title: string;
  description?: Child;
  actions?: Child;
}) => (
  <div class="page-header">
    <div>
      <h1>{title}</h1>
      {description ? <p>{description}</p> : null}
    </div>
    {actions ? <div>{actions}</div> : null}
  </div>
);

/** What the last action did, in a sentence. */
export const Notice = ({ children }: { children: Child }) => (
  <div class="alert alert-success" role="status">
    <p>{children}</p>
  </div>
);

/** Why the last action was refused; focused when the page loads, so it is read first. */
export const Refusal = ({ children }: { children: Child }) => (
  <div class="alert alert-error" role="alert" tabindex={-1} data-focus-on-load>
    <p>{children}</p>
  </div>
);

/** Request headers as a definition list, each name and value as text. */
export const HeaderList = ({ headers }: { headers: [string, string][] }) => (
  <dl class="header-list">
    {headers.map(([name, value]) => (
      <div>
        <dt>{name}</dt>
        <dd>{value}</dd>
      </div>
    ))}
  </dl>
);

/** The hidden field that proves a form was served by us to this session (its token from the request). */
export const CsrfField = () => {
  const token = useCsrfToken();
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
};

/** Up to two letters for a workspace's avatar (whole characters, never half an emoji). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (word: string | undefined) => Array.from(word ?? "")[0] ?? "";
  const letters =
    words.length > 1
      ? first(words[0]) + first(words[1])
      : Array.from(words[0] ?? "")
          .slice(0, 2)
          .join("");
  return letters.toUpperCase() || "?";
}
