// Opaque keyset cursors: the cursor names the last id of a page, so page N costs what page 1 costs.

import { z } from "@hono/zod-openapi";
import { bytesToBase64Url } from "../encoding";
import { ID_PATTERN } from "../ids";
import { PAGE_SIZE } from "../limits";

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int("limit must be a whole number")
    .min(1, `limit must be between 1 and ${PAGE_SIZE.max}`)
    .max(PAGE_SIZE.max, `limit must be between 1 and ${PAGE_SIZE.max}`)
    .default(PAGE_SIZE.default),
  cursor: z
    .string()
    .optional()
    .transform((cursor, ctx) => {
      if (cursor === undefined) return undefined;
      const id = decodeCursor(cursor);
      if (!id) {
        ctx.addIssue({ code: "custom", message: "cursor is not one this API returned" });
        return z.NEVER;
      }
      return id;
    }),
});

export const encodeCursor = (id: string) => bytesToBase64Url(new TextEncoder().encode(id));

function decodeCursor(cursor: string): string | null {
  try {
    const id = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    return ID_PATTERN.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Given up to limit+1 rows, the page and the cursor for the next one. */
export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });
