import { app } from "./app";

export { WorkspaceCoordinator } from "./workspace/coordinator";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
