// How an inbox is named and reached (docs/inbox.md).

const INBOX_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const inboxName = (name: string | undefined): string | null =>
  name !== undefined && INBOX_NAME.test(name) ? name : null;

/** The inbox `npm run dev` prints and the dashboard opens and offers first. */
export const DEFAULT_INBOX = "demo";

/** Where a destination sends to reach the inbox `name` of the worker at `origin`. */
export const inboxUrl = (origin: string, name: string) => `${origin}/dev/inbox/${name}`;
