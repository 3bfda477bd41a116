import { and, asc, eq } from "drizzle-orm";
import { type SmsSenderRow, smsSenders } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { normalisePhoneNumber } from "../recipients/phone";
import { defaultRegion } from "../send/defaults";
import { SenderIdSchema } from "../send/sender-id";
import { deleteSender, insertSender, uniqueViolation } from "./store";

export interface SmsSenderInput {
  sender: string;
  isDefault?: boolean;
  inbound?: boolean;
}

export interface SmsSenderView {
  id: string;
  sender: string;
  isDefault: boolean;
  inbound: boolean;
  createdAt: string;
}

export function toSmsSenderView(row: SmsSenderRow): SmsSenderView {
  return { id: row.id, sender: row.sender, isDefault: row.isDefault, inbound: row.inbound, createdAt: row.createdAt.toISOString() };
}

const SHORT_CODE = /^\d{3,8}$/;
/** What a written phone number may hold (phone.ts's own rule); anything else is read as an alphanumeric id. */
const PHONE_CHARACTERS = /^[\d\s()+\-.]+$/;

/**
 * A sender as it is stored: a number (anything written with digits and phone punctuation, other
 * than a 3–8 digit short code) through the recipients' phone normalisation to E.164, reading a
 * national number in the tenant's `defaultRegion`; then whatever it is must pass the same
 * SenderIdSchema as `sms.sender.senderId`, so a stored sender is always one a send accepts.
 * Problems are a 422 at `sender`.
 *
 * @example
 * ```ts
 * normaliseSmsSender(ctx, "(778) 700-1234") // "+17787001234" (defaultRegion CA)
 * normaliseSmsSender(ctx, "NotifyGC")       // "NotifyGC"
 * ```
 */
export function normaliseSmsSender(ctx: Pick<ServiceContext, "settings" | "env">, raw: string): string {
  let value = raw.trim();
  if (!SHORT_CODE.test(value) && PHONE_CHARACTERS.test(value)) {
    const phone = normalisePhoneNumber(value, defaultRegion(ctx));
    if (!phone.ok) throw fieldError("unprocessable", "sender", `${phone.message}: ${raw}`);
    value = phone.e164;
  }
  const parsed = SenderIdSchema.safeParse(value);
  if (!parsed.success) throw fieldError("unprocessable", "sender", parsed.error.issues[0]?.message ?? "Not a valid SMS sender");
  return value;
}

/** Why a tenant key may not set `inbound: true`: the refusal's message, at field `inbound`. */
export const INBOUND_IS_OPERATOR_ASSIGNED =
  "Inbound numbers are assigned by the operator of this deployment (POST /api/v1/tenants/{tenantId}/inbound-numbers), who holds the provider accounts the numbers belong to: ask them to assign one";

/**
 * Adds an outbound SMS sender (normalised by normaliseSmsSender). `inbound: true` is a 422 at
 * `inbound`: whoever holds an inbound number reads every text sent to it and takes its STOPs, so
 * only the operator assigns one (inbound-numbers.ts), never the first tenant to ask.
 * `isDefault: true` replaces the tenant's default in the same batch. The same sender twice is a
 * 409 at `sender`; past MAX_SENDERS_PER_TENANT a 409.
 *
 * @example
 * ```ts
 * await createSmsSender(ctx, { sender: "+17787001234", isDefault: true })
 * ```
 */
export async function createSmsSender(ctx: ServiceContext, input: SmsSenderInput): Promise<SmsSenderView> {
  if (input.inbound) throw fieldError("unprocessable", "inbound", INBOUND_IS_OPERATOR_ASSIGNED);
  const sender = normaliseSmsSender(ctx, input.sender);
  const row: SmsSenderRow = { id: uuidv7(ctx.now.getTime()), tenantId: ctx.tenant.id, sender, isDefault: input.isDefault ?? false, inbound: false, createdAt: ctx.now };
  try {
    await insertSender(ctx, smsSenders, "sms_senders", row, "SMS senders");
  } catch (err) {
    if (uniqueViolation(err)?.includes("sms_senders.tenant_id, sms_senders.sender")) throw fieldError("conflict", "sender", `${sender} is already one of your SMS senders`);
    throw err;
  }
  return toSmsSenderView(row);
}

/** This tenant's sender; another tenant's is indistinguishable from none (404). */
export async function getSmsSender(ctx: ServiceContext, id: string): Promise<SmsSenderRow> {
  const row = await ctx.db.query.smsSenders.findFirst({ where: and(eq(smsSenders.id, id.toLowerCase()), eq(smsSenders.tenantId, ctx.tenant.id)) });
  if (!row) throw new ApiError("not_found", { detail: `No SMS sender ${id}` });
  return row;
}

/** Every sender of the tenant, oldest first (bounded, so not paged). */
export async function listSmsSenders(ctx: ServiceContext): Promise<{ items: SmsSenderView[] }> {
  const rows = await ctx.db.select().from(smsSenders).where(eq(smsSenders.tenantId, ctx.tenant.id)).orderBy(asc(smsSenders.createdAt), asc(smsSenders.id));
  return { items: rows.map(toSmsSenderView) };
}

/**
 * Deleting an inbound sender releases its number: only the operator can assign it again.
 * Deleting the default leaves the tenant without one.
 */
export async function deleteSmsSender(ctx: ServiceContext, id: string): Promise<void> {
  if (!(await deleteSender(ctx.env.DB, "sms_senders", ctx.tenant.id, id.toLowerCase()))) throw new ApiError("not_found", { detail: `No SMS sender ${id}` });
}
