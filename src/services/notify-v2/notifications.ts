import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { deliveries, type MessageStatus, messages, type NotificationRow, notifications } from "../../db/schema";
import { parseMailbox } from "../../lib/mailbox";
import type { ServiceContext } from "../context";
import { NotifyV2Error } from "./errors";
import { notifyTime } from "./time";

/**
 * GOV.UK Notify's notification (`GET /v2/notifications/{id}`, `api/app/models.py::serialize`)
 * over ours. One Notify notification is one recipient on one channel; one of ours may hold many
 * messages, so the v2 view of a notification is its first email or SMS message (a v2 send makes
 * exactly one). The v2 id is our notification id (`notifyId`).
 *
 * Decisions where Notify and we differ:
 * - status: our `scheduled` (a send waiting for `scheduled_for`) is Notify's `created` (accepted,
 *   not yet handed to a provider); our `cancelled` is Notify's `cancelled` (in Notify's status
 *   list, used for letters). Notify's `pending` and `sent` are never answered: our SMS stays
 *   `sending` until its receipt.
 * - reference: our correlation id; a v2 send without `reference` stores an empty one, read as null.
 * - cost: not tracked, so `is_cost_data_ready` is false, `cost_in_pounds` null, `cost_details` {}.
 * - jobs: a notification with several messages (a mail merge, a GC Notify bulk send) is a job;
 *   the list leaves them out unless `include_jobs=true`.
 */

export type NotifyStatus = "created" | "sending" | "delivered" | "permanent-failure" | "temporary-failure" | "technical-failure" | "cancelled";

const STATUS: Record<MessageStatus, NotifyStatus> = {
  scheduled: "created",
  created: "created",
  sending: "sending",
  delivered: "delivered",
  "permanent-failure": "permanent-failure",
  "temporary-failure": "temporary-failure",
  "technical-failure": "technical-failure",
  cancelled: "cancelled",
};

/** Every status the list accepts (Notify's enum, `failed` the alias of the three failures). */
export const NOTIFY_LIST_STATUSES = [
  "cancelled",
  "created",
  "sending",
  "sent",
  "delivered",
  "pending",
  "failed",
  "technical-failure",
  "temporary-failure",
  "permanent-failure",
  "pending-virus-check",
  "validation-failed",
  "virus-scan-failed",
  "returned-letter",
  "accepted",
  "received",
] as const;
export type NotifyListStatus = (typeof NOTIFY_LIST_STATUSES)[number];

/** Our message statuses a Notify status filter selects; letter-only and never-used ones select none. */
function messageStatusesFor(status: NotifyListStatus): MessageStatus[] {
  if (status === "failed") return ["permanent-failure", "temporary-failure", "technical-failure"];
  return (Object.keys(STATUS) as MessageStatus[]).filter((s) => STATUS[s] === status);
}

/**
 * Our message status in Notify's words.
 *
 * @example
 * ```ts
 * notifyStatus("scheduled") // "created"
 * ```
 */
export function notifyStatus(status: MessageStatus): NotifyStatus {
  return STATUS[status];
}

export interface V2Notification {
  id: string;
  reference: string | null;
  email_address: string | null;
  phone_number: string | null;
  line_1: null;
  line_2: null;
  line_3: null;
  line_4: null;
  line_5: null;
  line_6: null;
  postcode: null;
  type: "sms" | "email";
  status: NotifyStatus;
  template: { version: number; id: string; uri: string } | null;
  body: string;
  subject: string | null;
  created_at: string;
  created_by_name: null;
  sent_at: string | null;
  completed_at: string | null;
  scheduled_for: string | null;
  postage: null;
  one_click_unsubscribe_url: string | null;
  is_cost_data_ready: boolean;
  cost_in_pounds: number | null;
  cost_details: Record<string, never>;
}

/** One notification and what its first email or SMS message shows. */
export interface V2Row {
  notification: NotificationRow;
  channel: "sms" | "email";
  recipient: string;
  status: MessageStatus;
  sentAt: Date | null;
  completedAt: Date | null;
  body: string | null;
  subject: string | null;
  from: string | null;
  unsubscribe: string | null;
  templateId: string | null;
  templateVersion: number | null;
}

/** The first email or SMS message of the notification (messages_page_idx), as one correlated subquery. */
const firstMessage = sql`${messages.id} = (SELECT m2.id FROM messages m2 WHERE m2.notification_id = ${notifications.id} AND m2.channel IN ('sms', 'email') ORDER BY m2.created_at, m2.id LIMIT 1)`;

/** Notifications and their first message in one D1 query. */
async function readRows(ctx: ServiceContext, where: SQL[], limit: number): Promise<V2Row[]> {
  const rows = await ctx.db
    .select({
      notification: notifications,
      channel: messages.channel,
      recipient: messages.recipient,
      status: messages.status,
      sentAt: messages.sentAt,
      completedAt: messages.completedAt,
      // Only the fields shown: an email's payload may be megabytes of other things.
      body: sql<string | null>`json_extract(${deliveries.payload}, '$.content.body')`,
      subject: sql<string | null>`json_extract(${deliveries.payload}, '$.content.subject')`,
      from: sql<string | null>`json_extract(${deliveries.payload}, '$.from')`,
      unsubscribe: sql<string | null>`json_extract(${deliveries.payload}, '$.headers."List-Unsubscribe"')`,
      templateId: deliveries.templateId,
      templateVersion: deliveries.templateVersion,
    })
    .from(notifications)
    .innerJoin(messages, and(eq(messages.notificationId, notifications.id), firstMessage))
    .innerJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(and(eq(notifications.tenantId, ctx.tenant.id), ...where))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
  return rows as V2Row[];
}

/** A template's URI as the GET answers it (Notify: `/v2/template/<id>/version/<n>`). */
export function templateUri(origin: string, id: string, version: number): string {
  return `${origin}/v2/template/${id}/version/${version}`;
}

/** `<https://…>` of a List-Unsubscribe header → the URL. */
function unsubscribeUrl(header: string | null): string | null {
  const match = header ? /<([^>]+)>/.exec(header) : null;
  return match ? match[1]! : null;
}

/** The address of a From mailbox (`Name <a@b>` → `a@b`). */
export function fromAddress(from: string | null): string | null {
  return from ? parseMailbox(from).email : null;
}

function toV2(ctx: ServiceContext, row: V2Row): V2Notification {
  const n = row.notification;
  const final = !["scheduled", "created", "sending"].includes(row.status);
  return {
    id: n.id,
    reference: n.correlationId || null,
    email_address: row.channel === "email" ? row.recipient : null,
    phone_number: row.channel === "sms" ? row.recipient : null,
    line_1: null,
    line_2: null,
    line_3: null,
    line_4: null,
    line_5: null,
    line_6: null,
    postcode: null,
    type: row.channel,
    status: notifyStatus(row.status),
    template: row.templateId && row.templateVersion !== null ? { version: row.templateVersion, id: row.templateId, uri: templateUri(ctx.origin, row.templateId, row.templateVersion) } : null,
    body: row.body ?? "",
    subject: row.channel === "email" ? (row.subject ?? null) : null,
    created_at: notifyTime(n.createdAt),
    created_by_name: null,
    sent_at: notifyTime(row.sentAt),
    completed_at: final ? notifyTime(row.completedAt ?? n.updatedAt) : null,
    scheduled_for: notifyTime(n.scheduledFor),
    postage: null,
    one_click_unsubscribe_url: unsubscribeUrl(row.unsubscribe),
    is_cost_data_ready: false,
    cost_in_pounds: null,
    cost_details: {},
  };
}

/** The first message of one notification, or undefined (another tenant's, unknown, chat only). */
export async function readV2Row(ctx: ServiceContext, id: string): Promise<V2Row | undefined> {
  return (await readRows(ctx, [eq(notifications.id, id.toLowerCase())], 1))[0];
}

/**
 * `GET /v2/notifications/{id}`: any key of the tenant reads any of its notifications (as Notify);
 * unknown, another tenant's and chat-only ids are 404 NoResultFound.
 *
 * @example
 * ```ts
 * const { status, body } = await getV2Notification(ctx, id);
 * ```
 */
export async function getV2Notification(ctx: ServiceContext, id: string): Promise<V2Notification> {
  const row = await readV2Row(ctx, id);
  if (!row) throw NotifyV2Error.notFound();
  return toV2(ctx, row);
}

/** Notify's page size (`API_PAGE_SIZE`). */
export const V2_PAGE_SIZE = 250;

export interface V2ListQuery {
  template_type?: ("sms" | "email" | "letter")[];
  status?: NotifyListStatus[];
  reference?: string;
  older_than?: string;
  include_jobs?: boolean;
}

/**
 * `GET /v2/notifications`: the calling key's type's notifications (a test key sees test sends
 * only, as Notify), newest first, V2_PAGE_SIZE a page, one D1 query. `older_than` pages from a
 * notification's `(created_at, id)`; an unknown one gives an empty page.
 *
 * @example
 * ```ts
 * const page = await listV2Notifications(ctx, { status: ["failed"], older_than: lastId });
 * ```
 */
export async function listV2Notifications(ctx: ServiceContext, query: V2ListQuery): Promise<V2Notification[]> {
  const where: SQL[] = [eq(notifications.keyType, ctx.principal.keyType)];
  if (query.template_type?.length) {
    const channels = query.template_type.filter((t): t is "sms" | "email" => t !== "letter");
    if (channels.length === 0) return [];
    where.push(inArray(messages.channel, channels));
  }
  if (query.status?.length) {
    const statuses = [...new Set(query.status.flatMap(messageStatusesFor))];
    if (statuses.length === 0) return [];
    where.push(inArray(messages.status, statuses));
  }
  if (query.reference !== undefined) where.push(eq(notifications.correlationId, query.reference));
  if (!query.include_jobs) where.push(sql`${notifications.messageCount} <= 1`);
  if (query.older_than !== undefined) {
    where.push(
      sql`(${notifications.createdAt}, ${notifications.id}) < (SELECT o.created_at, o.id FROM notifications o WHERE o.id = ${query.older_than.toLowerCase()} AND o.tenant_id = ${ctx.tenant.id})`,
    );
  }
  return (await readRows(ctx, where, V2_PAGE_SIZE)).map((r) => toV2(ctx, r));
}
