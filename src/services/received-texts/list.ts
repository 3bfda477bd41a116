import { and, desc, eq, sql } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { type ReceivedTextRow, receivedTexts } from "../../db/schema";
import { isUuid } from "../../lib/ids";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { notifyTime } from "../notify-v2/time";

export interface ReceivedTextView {
  id: string;
  /** The inbound SMS sender that received it (null once that sender is deleted). */
  smsSenderId: string | null;
  notifyNumber: string;
  userNumber: string;
  content: string;
  provider: string;
  createdAt: string;
}

export function toReceivedTextView(row: ReceivedTextRow): ReceivedTextView {
  return {
    id: row.id,
    smsSenderId: row.smsSenderId,
    notifyNumber: row.notifyNumber,
    userNumber: row.userNumber,
    content: row.content,
    provider: row.provider,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The tenant's received texts, newest first, a page at a time (the cursor of every list). Every
 * key type reads them all, test keys included: texts are not sent by a key, and GOV.UK Notify
 * shows them to any key.
 *
 * @example
 * ```ts
 * await listReceivedTexts(ctx, { limit: 50 }) // { items: [{ id, userNumber: "+447700900123", content: "STOP", … }], nextCursor: "…" }
 * ```
 */
export async function listReceivedTexts(ctx: ServiceContext, page: PageRequest): Promise<Page<ReceivedTextView>> {
  const rows = await ctx.db
    .select()
    .from(receivedTexts)
    .where(and(eq(receivedTexts.tenantId, ctx.tenant.id), olderThan(receivedTexts.createdAt, receivedTexts.id, page.cursor)))
    .orderBy(desc(receivedTexts.createdAt), desc(receivedTexts.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toReceivedTextView);
}

/** GOV.UK Notify's page size for received texts (`API_PAGE_SIZE`). */
export const V2_RECEIVED_TEXTS_PAGE_SIZE = 250;

/** One received text as GOV.UK Notify's `InboundSms.serialize` writes it (`service_id` is the tenant). */
export interface V2ReceivedText {
  id: string;
  created_at: string;
  service_id: string;
  notify_number: string;
  user_number: string;
  content: string;
}

/**
 * GET /v2/received-text-messages: the tenant's texts newest first, 250 a page, after the text
 * `olderThan` names. As Notify, an id that is not one of the tenant's texts (unknown, deleted,
 * another tenant's) gives an empty page rather than an error. One D1 round trip: the position of
 * `olderThan` is read by the query itself.
 *
 * @example
 * ```ts
 * await listV2ReceivedTexts(ctx, lastIdOfThePreviousPage) // [{ id, created_at: "2024-05-17T15:58:38.342000Z", service_id, notify_number, user_number, content }]
 * ```
 */
export async function listV2ReceivedTexts(ctx: ServiceContext, olderThanId?: string): Promise<V2ReceivedText[]> {
  if (olderThanId !== undefined && !isUuid(olderThanId)) return [];
  // A row-value comparison with no row to compare against is NULL: the empty page Notify answers.
  const after =
    olderThanId === undefined
      ? undefined
      : sql`(${receivedTexts.createdAt}, ${receivedTexts.id}) < (SELECT anchor.created_at, anchor.id FROM ${receivedTexts} AS anchor WHERE anchor.id = ${olderThanId.toLowerCase()} AND anchor.tenant_id = ${ctx.tenant.id})`;
  const rows = await ctx.db
    .select()
    .from(receivedTexts)
    .where(and(eq(receivedTexts.tenantId, ctx.tenant.id), after))
    .orderBy(desc(receivedTexts.createdAt), desc(receivedTexts.id))
    .limit(V2_RECEIVED_TEXTS_PAGE_SIZE);
  return rows.map((row) => ({
    id: row.id,
    created_at: notifyTime(row.createdAt),
    service_id: row.tenantId,
    notify_number: row.notifyNumber,
    user_number: row.userNumber,
    content: row.content,
  }));
}
