import { and, asc, eq } from "drizzle-orm";
import { type ReplyToAddressRow, replyToAddresses } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { ServiceContext } from "../context";
import { validateEmailAddress } from "../recipients/email";
import { deleteSender, insertSender, uniqueViolation } from "./store";

export interface ReplyToInput {
  email: string;
  isDefault?: boolean;
}

export interface ReplyToView {
  id: string;
  email: string;
  isDefault: boolean;
  createdAt: string;
}

export function toReplyToView(row: ReplyToAddressRow): ReplyToView {
  return { id: row.id, email: row.email, isDefault: row.isDefault, createdAt: row.createdAt.toISOString() };
}

/**
 * Adds a reply-to address, validated and normalised as recipients are (422 at `email`). With
 * `isDefault: true` it replaces the tenant's default in the same batch. The same address twice is
 * a 409 at `email`; past MAX_SENDERS_PER_TENANT a 409.
 *
 * @example
 * ```ts
 * await createReplyTo(ctx, { email: "Help@EXAMPLE.gov", isDefault: true }) // { id, email: "Help@example.gov", isDefault: true, … }
 * ```
 */
export async function createReplyTo(ctx: ServiceContext, input: ReplyToInput): Promise<ReplyToView> {
  const check = validateEmailAddress(input.email);
  if (!check.ok) throw fieldError("unprocessable", "email", check.message);
  const row: ReplyToAddressRow = { id: uuidv7(ctx.now.getTime()), tenantId: ctx.tenant.id, email: check.address, isDefault: input.isDefault ?? false, createdAt: ctx.now };
  try {
    await insertSender(ctx, replyToAddresses, "reply_to_addresses", row, "reply-to addresses");
  } catch (err) {
    if (uniqueViolation(err)?.includes("reply_to_addresses.email")) throw fieldError("conflict", "email", `${check.address} is already one of your reply-to addresses`);
    throw err;
  }
  return toReplyToView(row);
}

/** This tenant's address; another tenant's is indistinguishable from none (404). */
export async function getReplyTo(ctx: ServiceContext, id: string): Promise<ReplyToAddressRow> {
  const row = await ctx.db.query.replyToAddresses.findFirst({ where: and(eq(replyToAddresses.id, id.toLowerCase()), eq(replyToAddresses.tenantId, ctx.tenant.id)) });
  if (!row) throw new ApiError("not_found", { detail: `No reply-to address ${id}` });
  return row;
}

/** Every address of the tenant, oldest first (the bound keeps it one short read, so it is not paged). */
export async function listReplyTos(ctx: ServiceContext): Promise<{ items: ReplyToView[] }> {
  const rows = await ctx.db.select().from(replyToAddresses).where(eq(replyToAddresses.tenantId, ctx.tenant.id)).orderBy(asc(replyToAddresses.createdAt), asc(replyToAddresses.id));
  return { items: rows.map(toReplyToView) };
}

/**
 * Deleting the default leaves the tenant without one (sends then use none, unless the tenant
 * defaults give `email.replyTo`); sends already stored keep the address they resolved.
 */
export async function deleteReplyTo(ctx: ServiceContext, id: string): Promise<void> {
  if (!(await deleteSender(ctx.env.DB, "reply_to_addresses", ctx.tenant.id, id.toLowerCase()))) throw new ApiError("not_found", { detail: `No reply-to address ${id}` });
}
