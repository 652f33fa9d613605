import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle handle over the request's D1 binding; made per request, never a module singleton. */
export const database = (d1: D1Database) => drizzle(d1, { schema });
export type Database = ReturnType<typeof database>;

/**
 * A D1 statement from a drizzle query, for `d1.batch([...])` next to hand-written SQL.
 * (drizzle 0.45's own `db.batch` cannot take `db.run(sql\`…\`)` items: it fails on `stmt.bind`.)
 */
export function statement(
  db: Database,
  query: { toSQL(): { sql: string; params: unknown[] } },
): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return db.$client.prepare(sql).bind(...params);
}
