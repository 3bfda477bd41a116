import { z } from "@hono/zod-openapi";
import { fromBase64Url, toBase64Url } from "./crypto/encoding";
import { fieldError } from "./errors/api-error";

/**
 * Keyset position: lists are ordered newest first by (time, id), and a cursor is the last item's
 * key. Items created after the first page was read never shift later pages.
 */
export interface CursorKey {
  t: number;
  id: string;
}

export interface PageRequest {
  limit: number;
  cursor?: CursorKey;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Items per page (1–200)", example: 50 }),
  cursor: z.string().max(512).optional().openapi({ description: "Opaque cursor from a previous page's nextCursor" }),
});

export function pageListSchema<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` to read the next page; null on the last page" }),
    })
    .openapi(name);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCursor(key: CursorKey): string {
  return toBase64Url(encoder.encode(JSON.stringify([key.t, key.id])));
}

/** Reads `limit` and `cursor`; a cursor that was not produced by us is a 400 on `query.cursor`. */
export function toPageRequest(query: { limit: number; cursor?: string }): PageRequest {
  if (!query.cursor) return { limit: query.limit };
  try {
    const parsed: unknown = JSON.parse(decoder.decode(fromBase64Url(query.cursor)));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { limit: query.limit, cursor: { t: parsed[0], id: parsed[1] } };
    }
  } catch {
    // fall through to the error below
  }
  throw fieldError("invalid_request", "query.cursor", "Not a cursor returned by this API");
}

/**
 * Turns `limit + 1` rows into a page: the extra row only signals that another page exists.
 *
 * @example
 * ```ts
 * const rows = await query.limit(page.limit + 1);
 * return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toView);
 * ```
 */
export function pageOf<R, T>(rows: R[], limit: number, keyOf: (row: R) => CursorKey, view: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null,
  };
}
