// The local inbox's memory: one Durable Object per inbox name, holding its last INBOX_KEEP requests in its own
// SQLite. Development only — the routes that reach it (src/inbox/routes.ts) exist only where
// configOf(env).devTools; in production the class is deployed but nothing can address it.
import { DurableObject } from "cloudflare:workers";
import { INBOX_KEEP } from "../limits";
import type { SignatureVerdict } from "./verify";

/** One request as the inbox received it, as `GET /dev/inbox/{name}/requests` lists it. */
export type InboxRequest = {
  /** Increasing within one inbox: a newer request has a larger id. */
  id: number;
  received_at: string;
  method: string;
  url: string;
  headers: [string, string][];
  /** The body as UTF-8 text (at most INBOX_BODY_BYTES of it). */
  body: string;
  body_bytes: number;
  body_truncated: boolean;
  /** The status the inbox answered with (`?status=`, else 200). */
  answered_status: number;
} & SignatureVerdict;

export type NewInboxRequest = Omit<InboxRequest, "id">;

type Row = { id: number; request: string };

export class DevInbox extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, request TEXT NOT NULL)",
    );
  }

  /** Keeps a request and forgets what falls past the last INBOX_KEEP; returns its id. */
  record(request: NewInboxRequest): number {
    const sql = this.ctx.storage.sql;
    const { id } = sql
      .exec<{ id: number }>("INSERT INTO requests (request) VALUES (?) RETURNING id", JSON.stringify(request))
      .one();
    sql.exec("DELETE FROM requests WHERE id <= ?", id - INBOX_KEEP);
    return id;
  }

  /** Newest first; `after` lists only requests newer than that id. */
  list(limit = INBOX_KEEP, after = 0): InboxRequest[] {
    const rows = this.ctx.storage.sql
      .exec<Row>(
        "SELECT id, request FROM requests WHERE id > ? ORDER BY id DESC LIMIT ?",
        after,
        Math.min(Math.max(1, limit), INBOX_KEEP),
      )
      .toArray();
    return rows.map((row) => ({ id: row.id, ...(JSON.parse(row.request) as NewInboxRequest) }));
  }

  clear(): void {
    this.ctx.storage.sql.exec("DELETE FROM requests");
  }
}
