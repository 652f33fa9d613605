// Every dashboard URL in one place, named in the documentation's words.
const webhooks = (ws: string) => `/w/${ws}/integrations/webhooks`;

export const urls = {
  home: "/",
  signIn: "/sign-in",
  signOut: "/sign-out",
  docs: "/docs",
  workspace: (ws: string) => `/w/${ws}`,
  integrations: (ws: string) => `/w/${ws}/integrations`,
  webhooks,
  newDestination: (ws: string) => `${webhooks(ws)}/destinations/new`,
  destination: (ws: string, id: string) => `${webhooks(ws)}/destinations/${id}`,
};
