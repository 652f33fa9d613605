// Lookups the workspace's routes share: the destination or delivery a URL names, looked up in the URL's
// workspace only (an id of another workspace, a malformed id and an unknown id all get the same 404
// page, src/dashboard/answers.tsx), and the session's id.
import { readDestination } from "../destinations/store";
import type { DashboardContext } from "./types";

const DESTINATION_ID = /^dst_[0-9a-f]{32}$/;
const DELIVERY_ID = /^dlv_[0-9a-f]{32}$/;

/** The destination named by the URL's :id, in the URL's workspace; null for anything else. */
export async function destinationOf(c: DashboardContext) {
  const id = c.req.param("id") ?? "";
  if (!DESTINATION_ID.test(id)) return null;
  return readDestination(c.env, c.var.workspace.uuid, id);
}

/** The URL's :deliveryId when it is well formed. */
export function deliveryIdOf(c: DashboardContext): string | null {
  const id = c.req.param("deliveryId") ?? "";
  return DELIVERY_ID.test(id) ? id : null;
}

export function sessionId(c: DashboardContext): string {
  const session = c.var.session;
  if (!session) throw new Error("requireWorkspace lets no signed-out request through");
  return session.id;
}
