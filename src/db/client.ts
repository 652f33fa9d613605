import { drizzle } from "drizzle-orm/d1";

/**
 * A drizzle handle over the request's D1 binding; made per request, never a module singleton. Without
 * the schema object: the relational query API (`db.query`) is not used, and building its configuration
 * cost every request a fraction of a millisecond.
 */
export const database = (d1: D1Database) => drizzle(d1);
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
