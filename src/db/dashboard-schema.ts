// The dashboard's own records: sign-in sessions, the workspaces each holds, and secrets waiting to be
// shown once. Migrations are generated from this file together with schema.ts.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { apiKeys, destinations, workspaces } from "./schema";

const createdAt = () => integer("created_at").notNull();

// Dashboard sign-in sessions. The cookie carries a random 256-bit token; only its SHA-256 is stored,
// so a copy of this table cannot be replayed as a cookie.
export const dashboardSessions = sqliteTable(
  "dashboard_sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at").notNull(),
    // Absolute end of the session, whatever its activity.
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    // The workspace the user last chose; GET / returns to it.
    currentWorkspaceUuid: text("current_workspace_uuid"),
  },
  (t) => [
    uniqueIndex("dashboard_sessions_token_hash").on(t.tokenHash),
    index("dashboard_sessions_expires").on(t.expiresAt),
  ],
);

// The workspaces a session holds, each with the API key that proved it: revoking that key (or deleting
// the workspace) ends the session's access to the workspace on the next request.
export const dashboardSessionWorkspaces = sqliteTable(
  "dashboard_session_workspaces",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => dashboardSessions.id, { onDelete: "cascade" }),
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    apiKeyId: text("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    addedAt: integer("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.workspaceUuid] })],
);

// A signing secret waiting to be shown once in the dashboard, after a create or a rotation: the POST
// stores it here and redirects; the destination's page deletes it as it shows it. Encrypted, bound to
// the session and the destination; one per (session, destination); kept for minutes, never in a URL.
export const dashboardReveals = sqliteTable(
  "dashboard_reveals",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => dashboardSessions.id, { onDelete: "cascade" }),
    destinationId: text("destination_id")
      .notNull()
      .references(() => destinations.id, { onDelete: "cascade" }),
    // Why there is a new secret: the dialog's words depend on it.
    reason: text("reason", { enum: ["created", "rotated"] }).notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.destinationId] }),
    // The cascade from a deleted destination.
    index("dashboard_reveals_destination").on(t.destinationId),
  ],
);
