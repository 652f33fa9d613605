// The workspace object's outbox, drained: each announcement its transactions decided is carried out
// (src/lifecycle/announce.ts) and deleted once done; one that fails stays for the object's next try.
import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { type OutboxRow, outbox } from "../db/workspace-schema";
import type { OutboxBody } from "./announce";

export class OutboxDrain {
  #running: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly db: DrizzleSqliteDODatabase,
    private readonly carryOut: (row: OutboxRow) => Promise<"done" | OutboxBody>,
  ) {}

  /**
   * Carries out what the outbox holds, oldest first; one drain at a time, which goes round again for rows
   * added while it ran (so every caller's row is tried before its call returns), each row once.
   */
  drain(): Promise<void> {
    this.#again = true;
    this.#running ??= (async () => {
      const tried = new Set<string>();
      try {
        while (this.#again) {
          this.#again = false;
          await this.#once(tried);
        }
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #once(tried: Set<string>): Promise<void> {
    for (const row of this.db.select().from(outbox).orderBy(outbox.createdAt, outbox.id).all()) {
      if (tried.has(row.id)) continue;
      tried.add(row.id);
      const result = await this.carryOut(row).catch((error: unknown) => {
        console.error("an announcement waits in the outbox", String(error));
        return null;
      });
      if (result === "done") this.db.delete(outbox).where(eq(outbox.id, row.id)).run();
      else if (result)
        this.db
          .update(outbox)
          .set({ action: "announce", body: result as unknown as Record<string, unknown> })
          .where(eq(outbox.id, row.id))
          .run();
    }
  }
}
