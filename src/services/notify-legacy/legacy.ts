import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { deliveries, type MessageStatus, messages, type NotificationRow, type NotificationStatus, notifications } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { isUuid } from "../../lib/ids";
import { fromEmailChannel, fromSmsChannel, type SendRequest } from "../send/plan";

/**
 * The seed's early GOV.UK Notify API (`/notifications…`) mapped onto our notifications. One of
 * its notifications is one recipient on one channel; ours may hold many messages, so a legacy
 * view shows a notification's first email or SMS message (a legacy send only ever makes one).
 */

/** The seed's status vocabulary: a notification is on its way, arrived, or will not arrive. */
export type LegacyStatus = "sending" | "delivered" | "failed";

export type LegacyMethod = "sms" | "email";

export interface LegacyNotification {
  status: LegacyStatus;
  createdAt: string;
  to: string | null;
  method: LegacyMethod;
  sentAt: string | null;
  id: string;
  message: string | null;
  job_id: string | null;
  sender: string | null;
}

/** The seed's page size is not stated; 50 is GOV.UK Notify's later default and ours. */
export const LEGACY_PAGE_SIZE = 50;

/**
 * Deepest page served: offset paging reads every earlier row, so it stops at the newest
 * 50,000 notifications; older history is read through `GET /api/v1/notify` and its cursor.
 */
export const LEGACY_MAX_PAGE = 1000;

const MESSAGE_STATUS_MAP: Record<MessageStatus, LegacyStatus> = {
  scheduled: "sending",
  created: "sending",
  sending: "sending",
  delivered: "delivered",
  "permanent-failure": "failed",
  "temporary-failure": "failed",
  "technical-failure": "failed",
  // The seed has no word for it, and a cancelled message will never arrive.
  cancelled: "failed",
};

const NOTIFICATION_STATUS_MAP: Record<NotificationStatus, LegacyStatus> = {
  accepted: "sending",
  scheduled: "sending",
  sending: "sending",
  delivered: "delivered",
  "partially-failed": "failed",
  failed: "failed",
  cancelled: "failed",
};

/**
 * Our message status in the seed's three words.
 *
 * @example
 * ```ts
 * legacyStatus("technical-failure") // "failed"
 * legacyStatus("scheduled")         // "sending"
 * ```
 */
export function legacyStatus(status: MessageStatus): LegacyStatus {
  return MESSAGE_STATUS_MAP[status];
}

/**
 * A timestamp as the seed writes them: ISO 8601 UTC with six fractional digits
 * (`2016-01-01T09:00:00.999999Z`); ours are kept to the millisecond.
 *
 * @example
 * ```ts
 * legacyTime(new Date("2016-01-01T09:00:00.999Z")) // "2016-01-01T09:00:00.999000Z"
 * ```
 */
export function legacyTime(date: Date | null): string | null {
  return date ? date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") : null;
}

export interface LegacySendInput {
  to: string;
  template: string | number;
  personalisation?: Record<string, unknown>;
}

/**
 * A seed-shaped send as the request of our own send path, so the checks, limits, duplicate
 * window and Idempotency-Key apply unchanged. `template` must be one of the tenant's template
 * ids; the seed's numeric example cannot be one, and is refused as an unknown template.
 *
 * @example
 * ```ts
 * const request = legacySendRequest("sms", { to: "+447700900404", template: templateId, personalisation: { name: "myname" } });
 * const receipt = await sendNotification(ctx, request, "notify-legacy");
 * ```
 */
export function legacySendRequest(method: LegacyMethod, input: LegacySendInput): SendRequest {
  const templateId = String(input.template);
  if (!isUuid(templateId)) {
    throw new ApiError("unprocessable", {
      detail: `Template ${templateId} not found: template ids are the UUIDs that POST /api/v1/templates answers`,
      errors: [{ path: "template", message: "Not one of your template ids" }],
    });
  }
  const content = { templateId };
  const recipients = { to: [input.to] };
  const params = input.personalisation;
  return method === "sms"
    ? fromSmsChannel({ recipients, content, ...(params ? { params } : {}) } as Parameters<typeof fromSmsChannel>[0])
    : fromEmailChannel({ recipients, content, ...(params ? { params } : {}) } as Parameters<typeof fromEmailChannel>[0]);
}

/** Our request paths in the seed's field names, so an error names what the caller wrote. */
function legacyPath(path: string): string {
  return path
    .replace(/^recipients\.to(\[0\])?/, "to")
    .replace(/^content\.(template\.)?templateId/, "template")
    .replace(/^content$/, "template")
    .replace(/^params\b/, "personalisation");
}

/**
 * An error of the send path with its field paths renamed to the seed's (`recipients.to[0]` →
 * `to`, `content.templateId` → `template`, `params.x` → `personalisation.x`); others unchanged.
 *
 * @example
 * ```ts
 * try { await sendNotification(ctx, request, "notify-legacy"); } catch (err) { throw inLegacyTerms(err); }
 * ```
 */
export function inLegacyTerms(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.errors) return err;
  const errors: FieldError[] = err.errors.map((e) => ({ ...e, path: legacyPath(e.path) }));
  const detail = err.detail?.replace(/^([\w.[\]]+):/, (_all, path: string) => `${legacyPath(path)}:`);
  return new ApiError(err.code, { detail, errors, headers: err.headers, cause: err.cause });
}

interface FirstMessage {
  notificationId: string;
  channel: string;
  recipient: string;
  status: MessageStatus;
  sentAt: Date | null;
  body: string | null;
  from: string | null;
}

/** The first email or SMS message of each notification, with what the seed shows of it. */
async function firstMessages(ctx: ServiceContext, notificationIds: string[]): Promise<Map<string, FirstMessage>> {
  if (notificationIds.length === 0) return new Map();
  const rows = await ctx.db
    .select({
      notificationId: messages.notificationId,
      channel: messages.channel,
      recipient: messages.recipient,
      status: messages.status,
      sentAt: messages.sentAt,
      // Only the two fields shown: an email's payload may be megabytes of other things.
      body: sql<string | null>`json_extract(${deliveries.payload}, '$.content.body')`,
      from: sql<string | null>`json_extract(${deliveries.payload}, '$.from')`,
    })
    .from(messages)
    .innerJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(
      and(
        inArray(messages.notificationId, notificationIds),
        eq(messages.tenantId, ctx.tenant.id),
        // One row per notification, however many messages a merge has (messages_page_idx).
        sql`${messages.id} = (SELECT m2.id FROM messages m2 WHERE m2.notification_id = ${messages.notificationId} AND m2.channel IN ('sms', 'email') ORDER BY m2.created_at, m2.id LIMIT 1)`,
      ),
    );
  return new Map(rows.map((r) => [r.notificationId, r]));
}

function toLegacy(row: NotificationRow, first: FirstMessage | undefined): LegacyNotification {
  const method = (first?.channel ?? row.channels.find((c) => c === "sms" || c === "email") ?? "email") as LegacyMethod;
  return {
    status: first ? legacyStatus(first.status) : NOTIFICATION_STATUS_MAP[row.status],
    createdAt: legacyTime(row.createdAt)!,
    to: first?.recipient ?? null,
    method,
    sentAt: legacyTime(first?.sentAt ?? null),
    id: row.id,
    message: first?.body ?? null,
    // The seed's job is a process sending many notifications: here a notification of several messages.
    job_id: row.messageCount > 1 ? row.id : null,
    sender: first?.from ?? null,
  };
}

/** Notifications with an email or SMS: the only ones the seed's API can describe. */
const hasLegacyChannel = sql`EXISTS (SELECT 1 FROM json_each(${notifications.channels}) WHERE value IN ('sms', 'email'))`;

/**
 * One of the tenant's notifications in the seed's shape; another tenant's id, an unknown one and
 * a chat-only notification are all 404.
 *
 * @example
 * ```ts
 * const { status, to, message } = await getLegacyNotification(ctx, notifyId);
 * ```
 */
export async function getLegacyNotification(ctx: ServiceContext, id: string): Promise<LegacyNotification> {
  const notifyId = id.toLowerCase();
  const found = isUuid(notifyId)
    ? await ctx.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.id, notifyId), eq(notifications.tenantId, ctx.tenant.id), hasLegacyChannel))
        .limit(1)
    : [];
  const row = found[0];
  if (!row) throw new ApiError("not_found", { detail: `No notification ${id}` });
  return toLegacy(row, (await firstMessages(ctx, [row.id])).get(row.id));
}

/**
 * Page `page` (1-based, LEGACY_PAGE_SIZE each) of the tenant's email and SMS notifications,
 * newest first. A page past the last is empty.
 *
 * @example
 * ```ts
 * const second = await listLegacyNotifications(ctx, 2);
 * ```
 */
export async function listLegacyNotifications(ctx: ServiceContext, page: number): Promise<LegacyNotification[]> {
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.tenantId, ctx.tenant.id), hasLegacyChannel))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(LEGACY_PAGE_SIZE)
    .offset((page - 1) * LEGACY_PAGE_SIZE);
  const first = await firstMessages(ctx, rows.map((r) => r.id));
  return rows.map((r) => toLegacy(r, first.get(r.id)));
}
