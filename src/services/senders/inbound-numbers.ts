import { and, asc, eq } from "drizzle-orm";
import { type SmsSenderRow, type TenantRow, smsSenders } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { OperatorContext } from "../context";
import type { TenantSettings } from "../tenants/settings";
import { normaliseSmsSender, type SmsSenderView, toSmsSenderView } from "./sms-senders";
import { forgetCredentials } from "../auth/credential-cache";
import { deleteSender, insertSender, syncDefaultCopy, uniqueViolation } from "./store";

export interface InboundNumberInput {
  number: string;
  isDefault?: boolean;
}

/** The number as sms_senders stores it (the tenant's sender rules), refused at `number` unless it is a phone number. */
function inboundNumber(ctx: OperatorContext, tenant: TenantRow, raw: string): string {
  let number: string;
  try {
    number = normaliseSmsSender({ env: ctx.env, settings: tenant.settings as TenantSettings }, raw);
  } catch (err) {
    if (err instanceof ApiError && err.errors?.[0]) throw fieldError(err.code, "number", err.errors[0].message);
    throw err;
  }
  if (!number.startsWith("+")) throw fieldError("unprocessable", "number", "Only a phone number can receive texts, not an alphanumeric sender id or a short code");
  return number;
}

/** The 409 for a number another tenant receives on, naming that tenant (the operator sees every tenant). */
async function takenBy(ctx: OperatorContext, number: string): Promise<ApiError> {
  const holder = await ctx.db.query.smsSenders.findFirst({ where: and(eq(smsSenders.sender, number), eq(smsSenders.inbound, true)), columns: { tenantId: true } });
  const who = holder ? `tenant ${holder.tenantId}` : "another tenant";
  return fieldError("conflict", "number", `${number} already receives texts for ${who}: release it there first`);
}

/**
 * Assigns an inbound number to a tenant: the operator's act, since the provider accounts and their
 * numbers are the deployment's, and whoever holds a number reads every text sent to it and takes
 * its STOPs. The number becomes one of the tenant's SMS senders with `inbound: true`; when the
 * tenant already sends from it, that sender (and its id, which sends may name) becomes inbound
 * rather than a second row being made (`created: false`). The global partial unique index on
 * inbound numbers keeps one tenant per number whatever races: another tenant's number is a 409 at
 * `number`. `isDefault: true` makes it the tenant's only default in the same batch (and its copy
 * on the tenant row, which sends use).
 *
 * @example
 * ```ts
 * const { sender, created } = await assignInboundNumber(ctx, tenant, { number: "+447700900123" })
 * ```
 */
export async function assignInboundNumber(ctx: OperatorContext, tenant: TenantRow, input: InboundNumberInput): Promise<{ sender: SmsSenderView; created: boolean }> {
  const number = inboundNumber(ctx, tenant, input.number);
  const isDefault = input.isDefault ?? false;
  const existing = await ctx.db.query.smsSenders.findFirst({ where: and(eq(smsSenders.tenantId, tenant.id), eq(smsSenders.sender, number)) });
  try {
    if (existing) {
      const statements: D1PreparedStatement[] = [];
      if (isDefault) statements.push(ctx.env.DB.prepare("UPDATE sms_senders SET is_default = 0 WHERE tenant_id = ? AND is_default = 1 AND id <> ?").bind(tenant.id, existing.id));
      statements.push(ctx.env.DB.prepare("UPDATE sms_senders SET inbound = 1, is_default = (is_default OR ?) WHERE id = ?").bind(isDefault ? 1 : 0, existing.id));
      if (isDefault) statements.push(syncDefaultCopy(ctx.env.DB, "sms_senders", tenant.id));
      const results = await ctx.env.DB.batch(statements);
      if (isDefault) forgetCredentials();
      if (results[isDefault ? 1 : 0]!.meta.changes === 0) throw fieldError("conflict", "number", `The tenant deleted its sender ${number} meanwhile: assign it again`);
      return { sender: toSmsSenderView({ ...existing, inbound: true, isDefault: existing.isDefault || isDefault }), created: false };
    }
    const row: SmsSenderRow = { id: uuidv7(ctx.now.getTime()), tenantId: tenant.id, sender: number, isDefault, inbound: true, createdAt: ctx.now };
    await insertSender({ env: ctx.env, tenant }, smsSenders, "sms_senders", row, "SMS senders");
    return { sender: toSmsSenderView(row), created: true };
  } catch (err) {
    const columns = uniqueViolation(err);
    // The inbound index is on the number alone: the holder is another tenant (this one's row was found above).
    if (columns === "sms_senders.sender") throw await takenBy(ctx, number);
    if (columns?.includes("sms_senders.tenant_id, sms_senders.sender")) throw fieldError("conflict", "number", `The tenant added ${number} as a sender meanwhile: assign it again`);
    throw err;
  }
}

/** The tenant's inbound numbers, oldest first (a subset of its bounded senders, so not paged). */
export async function listInboundNumbers(ctx: OperatorContext, tenantId: string): Promise<{ items: SmsSenderView[] }> {
  const rows = await ctx.db
    .select()
    .from(smsSenders)
    .where(and(eq(smsSenders.tenantId, tenantId), eq(smsSenders.inbound, true)))
    .orderBy(asc(smsSenders.createdAt), asc(smsSenders.id));
  return { items: rows.map(toSmsSenderView) };
}

/**
 * Releases an inbound number: its sender row goes (received texts keep their copy of the number),
 * so texts to it are stored nowhere until the operator assigns it again. Not one of the tenant's
 * inbound senders is a 404.
 */
export async function releaseInboundNumber(ctx: OperatorContext, tenantId: string, senderId: string): Promise<void> {
  const gone = await deleteSender(ctx.env.DB, "sms_senders", tenantId.toLowerCase(), senderId.toLowerCase(), "AND inbound = 1");
  if (!gone) throw new ApiError("not_found", { detail: `Tenant ${tenantId} has no inbound number ${senderId}` });
}
