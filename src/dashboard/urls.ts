// Every dashboard URL in one place, named in the documentation's words.
const webhooks = (ws: string) => `/w/${ws}/integrations/webhooks`;
const destinations = (ws: string) => `${webhooks(ws)}/destinations`;
const destination = (ws: string, id: string) => `${destinations(ws)}/${id}`;
const delivery = (ws: string, id: string, deliveryId: string) =>
  `${destination(ws, id)}/deliveries/${deliveryId}`;

export const urls = {
  home: "/",
  signIn: "/sign-in",
  signOut: "/sign-out",
  docs: "/docs",
  /** The troubleshooting page, or one of its sections (src/deliveries/troubleshooting.ts). */
  troubleshooting: (anchor?: string) => `/docs/troubleshooting${anchor ? `#${anchor}` : ""}`,
  workspace: (ws: string) => `/w/${ws}`,
  integrations: (ws: string) => `/w/${ws}/integrations`,
  webhooks,
  /** The workspace's operational events, and one event's page (why each destination got it or not). */
  activity: (ws: string) => `/w/${ws}/activity`,
  event: (ws: string, eventId: string) => `/w/${ws}/events/${encodeURIComponent(eventId)}`,
  newDestination: (ws: string) => `${destinations(ws)}/new`,
  /** Renders a form's unsaved values; answers the Preview panel's script with a fragment. */
  previewDestination: (ws: string) => `${destinations(ws)}/preview`,
  destination,
  editDestination: (ws: string, id: string) => `${destination(ws, id)}/edit`,
  /** POST targets on a destination's page. */
  destinationAction: (ws: string, id: string, action: "enable" | "disable" | "rotate" | "test" | "delete") =>
    `${destination(ws, id)}/${action}`,
  deleteDestination: (ws: string, id: string) => `${destination(ws, id)}/delete`,
  /** Recover deliveries…: the form (GET, with a count when it has values) and its start (POST). */
  recover: (ws: string, id: string, query?: { since?: string; statuses?: string }) => {
    const params = new URLSearchParams();
    if (query?.since) params.set("since", query.since);
    if (query?.statuses) params.set("statuses", query.statuses);
    const search = params.toString();
    return `${destination(ws, id)}/recover${search ? `?${search}` : ""}`;
  },
  recovery: (ws: string, id: string, recoveryId: string) => `${destination(ws, id)}/recoveries/${recoveryId}`,
  delivery,
  redeliver: (ws: string, id: string, deliveryId: string) => `${delivery(ws, id, deliveryId)}/redeliver`,
  /** Development only: the local inbox's page, its live list (a fragment) and its Clear button. */
  inbox: (ws: string, name?: string) => `/w/${ws}/inbox${name ? `?name=${encodeURIComponent(name)}` : ""}`,
  inboxRequests: (ws: string) => `/w/${ws}/inbox/requests`,
  clearInbox: (ws: string) => `/w/${ws}/inbox/clear`,
};
