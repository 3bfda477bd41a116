import { and, count, desc, eq, gte, lt, sql } from "drizzle-orm";
import { type Channel, deliveries, messages, tenants } from "../../db/schema";
import { fieldError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { OperatorContext } from "../context";

/**
 * The status condition as a literal, not a bound parameter: a partial index
 * `messages_technical_failure_idx ON messages (id) WHERE status = 'technical-failure'` (migration
 * 0018) serves only
 * queries whose WHERE names the same literal.
 */
const TECHNICAL_FAILURE = sql`${messages.status} = 'technical-failure'`;

/** How far back the operator's failures list looks: messages created in the last 7 days. */
export const FAILURES_WINDOW_DAYS = 7;
/** Error codes are short snake_case words (`dead_lettered`, `fanout_failed`, `provider_unavailable`…). */
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ERROR_MESSAGE = 500;
const DAY_MS = 86_400_000;

/** One message that ended as a technical failure, as the operator sees it (no recipient: the operator needs the why, not who). */
export interface TechnicalFailureView {
  messageId: string;
  notifyId: string;
  tenantId: string;
  /** Null only when the tenant went away mid-read. */
  tenantName: string | null;
  channel: Channel;
  /** The provider the error names, else the one the delivery last used (`simulator` for test keys). */
  provider: string | null;
  code: string;
  message: string;
  createdAt: string;
  /** When it became a technical failure (the message's last change). */
  failedAt: string;
}

export interface TechnicalFailureFilter {
  tenantId?: string;
  channel?: Channel;
  /** An error code, matched exactly (`dead_lettered` for the queue's dead letters). */
  code?: string;
}

/**
 * The lowest message id created at or after `ms`. Message ids start with their creation
 * millisecond (uuidv7, and fan-out ids take their notification's), so a range on the primary key
 * is a range in creation time: the only index on `messages` that spans tenants.
 */
function idFloor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}

function checkFilter(filter: TechnicalFailureFilter): void {
  if (filter.tenantId !== undefined && !UUID.test(filter.tenantId)) throw fieldError("invalid_request", "query.tenant", "Enter a tenant id (a UUID)");
  if (filter.code !== undefined && !CODE.test(filter.code)) throw fieldError("invalid_request", "query.code", "Enter an error code in lower case, like dead_lettered");
}

/**
 * Technical failures across every tenant (operator only), newest first: messages whose status is
 * `technical-failure` created in the last FAILURES_WINDOW_DAYS days, each with its tenant, the
 * provider, the error's code and message. Dead letters are those with code `dead_lettered`
 * (the queue gave up, services/delivery/process.ts failUndeliverable); a merge's rows that could
 * not be stored or rendered are `fanout_failed` and `merge_row_failed`. Filters: tenant,
 * channel, error code. Keyset paged by message id (creation order). Bounded by the window: the
 * query walks the partial index of failures over the window's id range (so it reads only
 * failures), stops at `limit + 1` matches and looks each one's tenant and delivery up by key.
 *
 * @example
 * ```ts
 * const page = await listTechnicalFailures(operatorCtx, { code: "dead_lettered" }, { limit: 50 });
 * ```
 */
export async function listTechnicalFailures(ctx: Pick<OperatorContext, "db" | "now">, filter: TechnicalFailureFilter, page: PageRequest): Promise<Page<TechnicalFailureView>> {
  checkFilter(filter);
  const limit = Math.min(Math.max(Math.trunc(page.limit), 1), 200);
  const rows = await ctx.db
    .select({
      id: messages.id,
      notificationId: messages.notificationId,
      tenantId: messages.tenantId,
      tenantName: tenants.name,
      channel: messages.channel,
      error: messages.error,
      deliveryProvider: deliveries.provider,
      createdAt: messages.createdAt,
      updatedAt: messages.updatedAt,
    })
    .from(messages)
    .leftJoin(tenants, eq(tenants.id, messages.tenantId))
    .leftJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(
      and(
        gte(messages.id, idFloor(ctx.now.getTime() - FAILURES_WINDOW_DAYS * DAY_MS)),
        page.cursor ? lt(messages.id, page.cursor.id) : undefined,
        TECHNICAL_FAILURE,
        filter.tenantId ? eq(messages.tenantId, filter.tenantId) : undefined,
        filter.channel ? eq(messages.channel, filter.channel) : undefined,
        filter.code ? sql`json_extract(${messages.error}, '$.code') = ${filter.code}` : undefined,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  return pageOf(
    rows,
    limit,
    (r) => ({ t: r.createdAt.getTime(), id: r.id }),
    (r) => ({
      messageId: r.id,
      notifyId: r.notificationId,
      tenantId: r.tenantId,
      tenantName: r.tenantName,
      channel: r.channel,
      provider: r.error?.provider ?? r.deliveryProvider ?? null,
      code: r.error?.code ?? "unknown",
      message: (r.error?.message ?? "").slice(0, MAX_ERROR_MESSAGE),
      createdAt: r.createdAt.toISOString(),
      failedAt: r.updatedAt.toISOString(),
    }),
  );
}

/**
 * How many messages created in the last 24 hours the queue dead-lettered (technical failures
 * with code `dead_lettered`), across tenants. One count over the failures index's last-day range.
 *
 * @example
 * ```ts
 * const n = await countRecentDeadLetters(operatorCtx); // 3
 * ```
 */
export async function countRecentDeadLetters(ctx: Pick<OperatorContext, "db" | "now">): Promise<number> {
  const [row] = await ctx.db
    .select({ n: count() })
    .from(messages)
    .where(and(gte(messages.id, idFloor(ctx.now.getTime() - DAY_MS)), TECHNICAL_FAILURE, sql`json_extract(${messages.error}, '$.code') = 'dead_lettered'`));
  return row?.n ?? 0;
}
