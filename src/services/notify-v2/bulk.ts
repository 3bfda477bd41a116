import { and, eq, isNull } from "drizzle-orm";
import { templates } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { parseMergeCsv } from "../send/merge/csv";
import { fromEmailChannel, fromSmsChannel } from "../send/plan";
import { RATE_LIMIT_HEADERS, sendNotification } from "../send/send";
import { NotifyV2Error } from "./errors";
import { notifyTime } from "./time";

/**
 * GC Notify's `POST /gcnotify/v2/notifications/bulk` mapped onto our mail merge: `rows` (a header
 * row, then values) or `csv` become the channel's `recipients.mergeArray`, so the merge's bounds
 * (50,000 rows, 100 columns, 10,000 characters a cell), its checks of every row before anything
 * is sent, suppressions and limits all apply. GC Notify's header names work as they are
 * (`email address`, `phone number`, then one column per placeholder). The job is our notification.
 */

export interface BulkInput {
  name: string;
  template_id: string;
  rows?: string[][];
  csv?: string;
  scheduled_for?: string | null;
  reply_to_id?: string | null;
}

/**
 * The job GC Notify answers, in the fields we can fill: `id` is our notification id (the
 * `notifyId` of `/api/v1/notify/{id}`, and GET /v2/notifications/{id} shows its first message),
 * `notification_count` the rows that will be sent, `job_status` `scheduled` or `in progress`.
 */
export interface BulkJob {
  id: string;
  original_file_name: string;
  service: string;
  template: string;
  template_version: number;
  template_type: "email" | "sms";
  notification_count: number;
  job_status: "scheduled" | "in progress";
  scheduled_for: string | null;
  created_at: string;
  sender_id: string | null;
}

/**
 * @example
 * ```ts
 * const { job } = await sendBulk(ctx, { name: "march", template_id, rows: [["phone number", "name"], ["+16135550123", "Ann"]] });
 * ```
 */
export async function sendBulk(ctx: ServiceContext, input: BulkInput): Promise<{ job: BulkJob; headers: Record<string, string>; duplicate: boolean }> {
  if ((input.rows === undefined) === (input.csv === undefined)) throw NotifyV2Error.badRequest("You should specify either rows or csv");
  const [template] = await ctx.db
    .select({ channel: templates.channel, version: templates.currentVersion })
    .from(templates)
    .where(and(eq(templates.id, input.template_id.toLowerCase()), eq(templates.tenantId, ctx.tenant.id), isNull(templates.deletedAt)))
    .limit(1);
  if (!template) throw NotifyV2Error.badRequest("Template not found");
  if (template.channel !== "email" && template.channel !== "sms") throw NotifyV2Error.badRequest(`${template.channel} template is not suitable for bulk sending`);
  const rows = input.rows ?? parseMergeCsv(input.csv!, "csv");
  const channel = {
    recipients: { mergeArray: rows },
    content: { templateId: input.template_id },
    ...(input.reply_to_id ? { sender: template.channel === "email" ? { replyToId: input.reply_to_id } : { senderIdRef: input.reply_to_id } } : {}),
  };
  const request = template.channel === "email" ? fromEmailChannel(channel as Parameters<typeof fromEmailChannel>[0]) : fromSmsChannel(channel as Parameters<typeof fromSmsChannel>[0]);
  const withSchedule = input.scheduled_for ? { ...request, delayedSend: input.scheduled_for } : request;
  let receipt;
  try {
    receipt = await sendNotification({ ...ctx, correlationId: input.name.slice(0, 1000) }, withSchedule, "gcnotify-bulk");
  } catch (err) {
    if (err instanceof ApiError && err.errors?.some((e) => e.row !== undefined)) {
      throw NotifyV2Error.badRequest(err.errors.map((e) => `Row ${e.row}${e.column ? ` (${e.column})` : ""}: ${e.message}`).join("; "));
    }
    throw err;
  }
  const count = receipt.merge?.[template.channel]?.sent ?? receipt.channels[template.channel] ?? 0;
  return {
    job: {
      id: receipt.notifyId,
      original_file_name: input.name,
      service: ctx.tenant.id,
      template: input.template_id.toLowerCase(),
      template_version: template.version,
      template_type: template.channel,
      notification_count: count,
      job_status: receipt.status === "scheduled" ? "scheduled" : "in progress",
      scheduled_for: receipt.scheduledFor ? notifyTime(new Date(receipt.scheduledFor)) : null,
      created_at: notifyTime(new Date(receipt.createdAt)),
      sender_id: input.reply_to_id ?? null,
    },
    headers: receipt[RATE_LIMIT_HEADERS] ?? {},
    // The same job within the duplicate window: the first one, answered as every send answers a duplicate.
    duplicate: receipt.duplicate === true,
  };
}
