import { and, eq, isNull } from "drizzle-orm";
import { templates } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { normalisePhoneNumber } from "../recipients/phone";
import type { EmailPayload, SmsPayload } from "../send/payloads";
import { fromEmailChannel, fromSmsChannel, planRequest, type SendRequest } from "../send/plan";
import { RATE_LIMIT_HEADERS, sendNotification, type SendReceipt } from "../send/send";
import { NotifyV2Error } from "./errors";
import { fromAddress, readV2Row, templateUri } from "./notifications";
import { notifyTime } from "./time";

/**
 * `POST /v2/notifications/email` and `/sms` on our own send path (sendNotification), so limits,
 * the duplicate window, Idempotency-Key, suppressions, the guest list of team keys and the
 * simulator of test keys all apply as on every other send.
 *
 * Decisions:
 * - `reference` is stored as the notification's correlation id (searchable with
 *   `GET /v2/notifications?reference=` and `GET /api/v1/notify?correlationId=`); without one the
 *   correlation id is empty, read back as null.
 * - `scheduled_for` is honoured (Notify accepts and ignores it): the send waits until then, as a
 *   `delayedSend` does, and the answer's `scheduled_for` is the time; as Notify validates it, it
 *   may be at most 24 hours ahead and not in the past.
 * - `one_click_unsubscribe_url` becomes the email's List-Unsubscribe (with List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click, as Notify sends it) instead of our own signed link for that send;
 *   it is stored in the delivery's payload, so the GET reads it back. Without it, the email
 *   carries our own one-click link when the tenant has it enabled (services/unsubscribe).
 * - Notify's smoke-test recipients (SMOKE_TEST_NUMBERS, SMOKE_TEST_EMAILS) are validated and
 *   answered 201 with any key type, but nothing is admitted, stored or sent: the answer's id is a
 *   fresh one that no GET finds, as Notify does.
 */

export type V2SendType = "email" | "sms";

export interface V2SendInput {
  template_id: string;
  email_address?: string;
  phone_number?: string;
  personalisation?: Record<string, unknown>;
  reference?: string;
  email_reply_to_id?: string;
  sms_sender_id?: string;
  one_click_unsubscribe_url?: string;
  sanitise_content_for?: string[] | null;
  scheduled_for?: string | null;
}

/** Scheduling bound Notify's `datetime_within_next_day` checks. */
const MAX_SCHEDULE_MS = 24 * 60 * 60 * 1000;

/**
 * `scheduled_for` read as Notify's validator does: an ISO 8601 date-time (no zone: UTC), not in
 * the past, at most 24 hours ahead. Null or absent: send now.
 *
 * @example
 * ```ts
 * parseScheduledFor("2030-01-01T10:00:00", now) // Date, or throws 400 ValidationError
 * ```
 */
export function parseScheduledFor(value: string | null | undefined, now: Date): Date | null {
  if (value === null || value === undefined) return null;
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value);
  const at = iso ? new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value.replace(" ", "T") : `${value.replace(" ", "T")}Z`) : new Date(NaN);
  if (Number.isNaN(at.getTime())) {
    throw NotifyV2Error.validation(["scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, https://en.wikipedia.org/wiki/ISO_8601"]);
  }
  if (at.getTime() < now.getTime() - 60_000) throw NotifyV2Error.validation(["scheduled_for datetime can not be in the past"]);
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_MS) throw NotifyV2Error.validation(["scheduled_for datetime can only be 24 hours in the future"]);
  return at;
}

const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s<>"()]+|\bwww\.[^\s<>"()]+/gi;
const BARE_DOMAIN = /\b([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z]{2,63})\b/gi;
const MARKDOWN_CHARS = /[`*_()\\{}[\]<>#+\-.!|]/g;

/**
 * Notify's `sanitise_content_for` treatment of one personalisation value: URLs removed, bare
 * domains broken (`example.com` → `example. com`) so no mail client links them, then every
 * markdown character backslash-escaped.
 *
 * @example
 * ```ts
 * sanitiseValue("User, [click here](https://evil.link)") // "User, \\[click here\\]\\(\\)"
 * ```
 */
export function sanitiseValue(value: string): string {
  return value.replace(URL_PATTERN, "").replace(BARE_DOMAIN, "$1. $2").replace(MARKDOWN_CHARS, (c) => `\\${c}`);
}

/** The personalisation with the named keys sanitised, and Notify's report of what changed. */
export function sanitisePersonalisation(
  personalisation: Record<string, unknown> | undefined,
  keys: string[] | null | undefined,
): { personalisation: Record<string, unknown> | undefined; report: Record<string, { unsanitised: string; sanitised: string }> } {
  const report: Record<string, { unsanitised: string; sanitised: string }> = {};
  if (!personalisation || !keys?.length) return { personalisation, report };
  const out = { ...personalisation };
  for (const key of new Set(keys)) {
    const value = out[key];
    if (typeof value !== "string") continue;
    const sanitised = sanitiseValue(value);
    if (sanitised !== value) {
      report[key] = { unsanitised: value, sanitised };
      out[key] = sanitised;
    }
  }
  return { personalisation: out, report };
}

/** Our send request for a v2 send; `template_id` has been checked to be the tenant's template of this type. */
function v2SendRequest(type: V2SendType, input: V2SendInput, personalisation: Record<string, unknown> | undefined, scheduledFor: Date | null): SendRequest {
  const content = { templateId: input.template_id };
  const params = personalisation ? { params: personalisation } : {};
  const base = scheduledFor ? { delayedSend: scheduledFor.toISOString() } : {};
  const request =
    type === "sms"
      ? fromSmsChannel({ recipients: { to: [input.phone_number!] }, content, ...params, ...(input.sms_sender_id ? { sender: { senderIdRef: input.sms_sender_id } } : {}) } as Parameters<typeof fromSmsChannel>[0])
      : fromEmailChannel({ recipients: { to: [input.email_address!] }, content, ...params, ...(input.email_reply_to_id ? { sender: { replyToId: input.email_reply_to_id } } : {}) } as Parameters<typeof fromEmailChannel>[0]);
  return {
    ...request,
    ...base,
    ...(input.reference !== undefined ? { correlationId: input.reference } : {}),
    ...(type === "email" && input.one_click_unsubscribe_url ? { oneClickUnsubscribeUrl: input.one_click_unsubscribe_url } : {}),
  };
}

/** Notify's `Template not found` and `<type> template is not suitable for <type> notification`, before anything is planned. */
async function checkTemplate(ctx: ServiceContext, type: V2SendType, templateId: string): Promise<void> {
  const [found] = await ctx.db
    .select({ channel: templates.channel })
    .from(templates)
    .where(and(eq(templates.id, templateId.toLowerCase()), eq(templates.tenantId, ctx.tenant.id), isNull(templates.deletedAt)))
    .limit(1);
  if (!found) throw NotifyV2Error.badRequest("Template not found");
  if (found.channel !== type) throw NotifyV2Error.badRequest(`${found.channel} template is not suitable for ${type} notification`);
}

/** Notify's refusal of a file personalisation on SMS (`process_document_uploads`), which plan.ts words as Notify does. */
const FILE_BY_EMAIL_ONLY = "Can only send a file by email";

/** Messages of email-files/validate.ts that are Notify's own sentences: Notify answers them as they are, without a field. */
const NOTIFY_FILE_SENTENCE = /^(Unsupported file type '|Unsupported value for (retention_period|confirm_email_before_download)|`filename` )/;

/** Our path of a template parameter (`params.doc.file`) as the v2 request names it (`personalisation.doc.file`). */
function personalisationPath(path: string): string {
  return path.replace(/^params(?=$|[.[])/, "personalisation");
}

/** An error of our send path in Notify's words, where Notify has words for it; others pass to the boundary. */
function inNotifyTerms(err: unknown, type: V2SendType, input: V2SendInput, tenantId: string): unknown {
  if (!(err instanceof ApiError) || !err.errors?.length) return err;
  const missing = err.errors.filter((e) => e.path.startsWith("params.") && /Required by the template/.test(e.message)).map((e) => e.path.slice("params.".length));
  if (missing.length > 0) return NotifyV2Error.badRequest(`Missing personalisation: ${missing.join(", ")}`);
  const at = (prefix: string) => err.errors!.find((e) => e.path.startsWith(prefix));
  const recipient = at("recipients.to");
  const field = type === "email" ? "email_address" : "phone_number";
  // A suppressed recipient (suppressions/apply.ts) is a fine address the send refused: saying
  // "Not a valid email address" would send clients fixing an address that needs no fixing.
  if (recipient && /^All recipients are suppressed/.test(err.detail ?? "")) return NotifyV2Error.badRequest(`${field} ${recipient.message}`);
  if (recipient && err.code !== "recipient_not_allowed") {
    return type === "email" ? NotifyV2Error.validation(["email_address Not a valid email address"]) : NotifyV2Error.validation([`phone_number ${recipient.message}`]);
  }
  if (at("sender.replyToId")) return NotifyV2Error.badRequest(`email_reply_to_id ${input.email_reply_to_id} does not exist in database for service id ${tenantId}`);
  if (at("sender.senderIdRef")) return NotifyV2Error.badRequest(`sms_sender_id ${input.sms_sender_id} does not exist in database for service id ${tenantId}`);
  if (at("content")) return NotifyV2Error.badRequest(err.errors.map((e) => e.message).join("; "));
  if (err.errors.some((e) => e.message === FILE_BY_EMAIL_ONLY)) return NotifyV2Error.badRequest(FILE_BY_EMAIL_ONLY);
  if (at("params")) {
    // A file's faults (email-files/validate.ts): Notify's sentences as Notify answers them, ours
    // naming the field as the request does, never our `params.` paths.
    if (err.errors.every((e) => NOTIFY_FILE_SENTENCE.test(e.message))) return new NotifyV2Error(400, err.errors.map((e) => ({ error: "BadRequestError", message: e.message })));
    const messages = err.errors.map((e) => (e.path.startsWith("(") ? e.message : `${personalisationPath(e.path)} ${e.message}`));
    return err.code === "invalid_request" ? NotifyV2Error.validation(messages) : new NotifyV2Error(400, messages.map((message) => ({ error: "BadRequestError", message })));
  }
  return err;
}

/** Notify's smoke-test numbers (`api/app/config.py` `SIMULATED_SMS_NUMBERS`), as E.164. */
export const SMOKE_TEST_NUMBERS: readonly string[] = ["+447700900000", "+447700900111", "+447700900222"];

/** Notify's smoke-test email addresses (`SIMULATED_EMAIL_ADDRESSES`). */
export const SMOKE_TEST_EMAILS: readonly string[] = [
  "simulate-delivered@notifications.service.gov.uk",
  "simulate-delivered-2@notifications.service.gov.uk",
  "simulate-delivered-3@notifications.service.gov.uk",
];

/**
 * The smoke-test recipient a v2 send names, in the form to plan with, or null. The numbers are UK
 * ones whatever the tenant's default region (`07700900000` is Notify's own), so they are read as
 * such and planned in E.164.
 *
 * @example
 * ```ts
 * smokeTestRecipient("sms", { phone_number: "07700 900111" }) // "+447700900111"
 * smokeTestRecipient("email", { email_address: "a@example.com" }) // null
 * ```
 */
export function smokeTestRecipient(type: V2SendType, input: Pick<V2SendInput, "phone_number" | "email_address">): string | null {
  if (type === "email") {
    const address = input.email_address?.trim().toLowerCase() ?? "";
    return SMOKE_TEST_EMAILS.includes(address) ? address : null;
  }
  const phone = normalisePhoneNumber(input.phone_number ?? "", "GB");
  return phone.ok && SMOKE_TEST_NUMBERS.includes(phone.e164) ? phone.e164 : null;
}

/**
 * A send to a smoke-test recipient: planned as any send is (template, personalisation, files,
 * sender), so it is refused as any send would be, then answered in the usual shape under a fresh
 * id. No admission (limits, duplicate window, Idempotency-Key, guest list), no storage, no send.
 */
async function smokeTestSend(ctx: ServiceContext, type: V2SendType, input: V2SendInput, request: SendRequest, sanitised: Record<string, { unsanitised: string; sanitised: string }>): Promise<V2SendResult> {
  let delivery;
  try {
    delivery = (await planRequest(ctx, request)).deliveries.find((d) => d.channel === type);
  } catch (err) {
    throw inNotifyTerms(err, type, input, ctx.tenant.id);
  }
  const id = crypto.randomUUID();
  const templateId = input.template_id.toLowerCase();
  const version = delivery?.template?.version ?? 1;
  const common = { id, reference: input.reference || null };
  const tail = {
    uri: `${ctx.origin}/v2/notifications/${id}`,
    template: { id: templateId, version, uri: templateUri(ctx.origin, templateId, version) },
    scheduled_for: notifyTime(delivery?.scheduledFor ?? null),
  };
  if (type === "sms") {
    const sms = delivery?.payload as SmsPayload | undefined;
    return { status: 201, body: { ...common, content: { body: sms?.content.body ?? "", from_number: sms?.from ?? "" }, ...tail }, headers: {} };
  }
  const email = delivery?.payload as EmailPayload | undefined;
  const content = { from_email: fromAddress(email?.from ?? null) ?? "", body: email?.content.body ?? "", subject: email?.content.subject ?? "", one_click_unsubscribe_url: input.one_click_unsubscribe_url ?? null };
  return { status: 201, body: { ...common, content, ...tail, sanitised_content: sanitised }, headers: {} };
}

export interface V2SendResult {
  status: 201 | 200;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * A v2 send answered in Notify's 201 shape (`create_response.py`): email
 * `{id, reference, content: {from_email, body, subject, one_click_unsubscribe_url}, uri, template, scheduled_for, sanitised_content}`,
 * SMS `{id, reference, content: {body, from_number}, uri, template, scheduled_for}`. The body is
 * the stored rendered one, so the answer shows what is sent. A duplicate within the window (or a
 * replayed Idempotency-Key) answers the first notification with 200.
 *
 * @example
 * ```ts
 * const { status, body, headers } = await sendV2(ctx, "sms", { template_id, phone_number: "07700900123" });
 * ```
 */
export async function sendV2(ctx: ServiceContext, type: V2SendType, input: V2SendInput): Promise<V2SendResult> {
  const scheduledFor = parseScheduledFor(input.scheduled_for, ctx.now);
  await checkTemplate(ctx, type, input.template_id);
  const sanitised = type === "email" ? sanitisePersonalisation(input.personalisation, input.sanitise_content_for) : { personalisation: input.personalisation, report: {} };
  // No reference: an empty correlation id (read back as null), not the request's X-Correlation-Id.
  const sendCtx = { ...ctx, correlationId: "" };
  const smokeTest = smokeTestRecipient(type, input);
  if (smokeTest !== null) {
    const planned = { ...input, ...(type === "sms" ? { phone_number: smokeTest } : { email_address: smokeTest }) };
    return smokeTestSend(sendCtx, type, input, v2SendRequest(type, planned, sanitised.personalisation, scheduledFor), sanitised.report);
  }
  let receipt: SendReceipt;
  try {
    receipt = await sendNotification(sendCtx, v2SendRequest(type, input, sanitised.personalisation, scheduledFor), "notify-v2");
  } catch (err) {
    throw inNotifyTerms(err, type, input, ctx.tenant.id);
  }
  const row = await readV2Row(ctx, receipt.notifyId);
  const n = row?.notification;
  const version = row?.templateVersion ?? 1;
  const common = {
    id: receipt.notifyId,
    reference: n?.correlationId || null,
  };
  const tail = {
    uri: `${ctx.origin}/v2/notifications/${receipt.notifyId}`,
    template: { id: input.template_id.toLowerCase(), version, uri: templateUri(ctx.origin, input.template_id.toLowerCase(), version) },
    scheduled_for: notifyTime(n?.scheduledFor ?? null),
  };
  const body =
    type === "email"
      ? {
          ...common,
          content: {
            from_email: fromAddress(row?.from ?? null) ?? "",
            body: row?.body ?? "",
            subject: row?.subject ?? "",
            one_click_unsubscribe_url: input.one_click_unsubscribe_url ?? null,
          },
          ...tail,
          sanitised_content: sanitised.report,
        }
      : { ...common, content: { body: row?.body ?? "", from_number: row?.from ?? "" }, ...tail };
  return { status: receipt.duplicate ? 200 : 201, body, headers: receipt[RATE_LIMIT_HEADERS] ?? {} };
}
