// What a lane keeps (SQLite in its object): the ids of the deliveries it holds and when each is due.
// Everything else about them stays in their history partitions.

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS waiting (delivery_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID",
  "CREATE INDEX IF NOT EXISTS waiting_due ON waiting (due_at, delivery_id)",
];

export class Waiting {
  constructor(private readonly sql: SqlStorage) {
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** Takes ids due at `at`; an id held already keeps its place. */
  add(ids: readonly string[], at: number): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO waiting (delivery_id, due_at) SELECT value, ? FROM json_each(?)",
      at,
      JSON.stringify(ids),
    );
  }

  count(): number {
    return Number(this.sql.exec("SELECT count(*) AS n FROM waiting").one().n);
  }

  earliestDue(): number | null {
    const row = this.sql.exec("SELECT min(due_at) AS at FROM waiting").one();
    return row.at === null ? null : Number(row.at);
  }

  /** Up to `limit` ids due by `now`, oldest first. */
  due(now: number, limit: number): string[] {
    return this.sql
      .exec(
        "SELECT delivery_id FROM waiting WHERE due_at <= ? ORDER BY due_at, delivery_id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((r) => String(r.delivery_id));
  }

  /** The first `limit` ids, whenever due. */
  first(limit: number): string[] {
    return this.sql
      .exec("SELECT delivery_id FROM waiting ORDER BY due_at, delivery_id LIMIT ?", limit)
      .toArray()
      .map((r) => String(r.delivery_id));
  }

  dueAt(id: string, at: number): void {
    this.sql.exec("UPDATE waiting SET due_at = ? WHERE delivery_id = ?", at, id);
  }

  /** Everything due later goes now (the first success after an outage). */
  releaseAll(now: number): void {
    this.sql.exec("UPDATE waiting SET due_at = ? WHERE due_at > ?", now, now);
  }

  forget(ids: readonly string[]): void {
    if (ids.length)
      this.sql.exec(
        "DELETE FROM waiting WHERE delivery_id IN (SELECT value FROM json_each(?))",
        JSON.stringify(ids),
      );
  }

  clear(): void {
    this.sql.exec("DELETE FROM waiting");
  }
}
