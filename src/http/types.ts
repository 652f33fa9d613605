export type AppEnv = {
  Bindings: Env;
  Variables: { workspaceUuid: string };
};
