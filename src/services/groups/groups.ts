import { and, desc, eq } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { type GroupMember, type RecipientGroupRow, recipientGroups } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import { defaultRegion } from "../send/defaults";

/**
 * At most this many members per group. A group is read whole (one JSON column) by every send that
 * names it, and an expanded email still holds at most 50 recipients, so the bound is generous.
 */
export const MAX_GROUP_MEMBERS = 1000;

/** What a group name may be: it is written as `group:<name>` in recipient lists, so no spaces, commas or braces. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const GROUP_NAME_RULE = "A letter or digit, then letters, digits, _ - or ., at most 64 characters";

export interface GroupInput {
  name: string;
  description?: string | null;
  members: GroupMember[];
}

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  members: GroupMember[];
  /** Members a send reaches by email / by SMS (opted-out members excluded). */
  counts: { members: number; email: number; sms: number; optedOut: number };
  createdAt: string;
  updatedAt: string;
}

export function toGroupView(row: RecipientGroupRow): GroupView {
  const members = row.members;
  const active = members.filter((m) => !m.optedOut);
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    members,
    counts: {
      members: members.length,
      email: active.filter((m) => m.email).length,
      sms: active.filter((m) => m.phone).length,
      optedOut: members.length - active.length,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Members normalised the way recipients are: addresses validated (domain in canonical Unicode
 * form, local part as given; repeats compared case-insensitively), numbers in E.164 reading
 * national ones in the tenant's `defaultRegion`. A member needs an email or a phone; the same
 * address or number twice is refused (which of the two rows' `optedOut` would count?). Every
 * problem is a 422 naming `members[i].email` / `members[i].phone` / `members[i]`.
 *
 * @example
 * ```ts
 * normaliseMembers(ctx, [{ name: "Ann", email: "Ann@Example.COM", phone: "(778) 700-1234" }])
 * // [{ name: "Ann", email: "Ann@example.com", phone: "+17787001234" }]
 * ```
 */
export function normaliseMembers(ctx: Pick<ServiceContext, "settings" | "env">, members: GroupMember[]): GroupMember[] {
  const region = defaultRegion(ctx);
  const errors: FieldError[] = [];
  const emails = new Map<string, number>();
  const phones = new Map<string, number>();
  const out = members.map((member, i) => {
    const normalised: GroupMember = {};
    if (member.name !== undefined) normalised.name = member.name;
    if (member.email === undefined && member.phone === undefined) {
      errors.push({ path: `members[${i}]`, message: "A member needs an email or a phone" });
    }
    if (member.email !== undefined) {
      const result = validateEmailAddress(member.email);
      if (!result.ok) errors.push({ path: `members[${i}].email`, message: `${result.message}: ${member.email}` });
      else {
        const key = result.address.toLowerCase();
        const first = emails.get(key);
        if (first !== undefined) errors.push({ path: `members[${i}].email`, message: `${result.address} is already members[${first}]` });
        else emails.set(key, i);
        normalised.email = result.address;
      }
    }
    if (member.phone !== undefined) {
      const result = normalisePhoneNumber(member.phone, region);
      if (!result.ok) errors.push({ path: `members[${i}].phone`, message: `${result.message}: ${member.phone}` });
      else {
        const first = phones.get(result.e164);
        if (first !== undefined) errors.push({ path: `members[${i}].phone`, message: `${result.e164} is already members[${first}]` });
        else phones.set(result.e164, i);
        normalised.phone = result.e164;
      }
    }
    if (member.optedOut) normalised.optedOut = true;
    return normalised;
  });
  if (errors.length > 0) {
    throw new ApiError("unprocessable", { detail: `${errors.length} group member problem${errors.length === 1 ? "" : "s"}`, errors });
  }
  return out;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(`${err.message} ${String(err.cause ?? "")}`);
}

function nameTaken(name: string): ApiError {
  return new ApiError("conflict", { detail: `A group named "${name}" already exists`, errors: [{ path: "name", message: "Already used by another group" }] });
}

export async function createGroup(ctx: ServiceContext, input: GroupInput): Promise<GroupView> {
  const members = normaliseMembers(ctx, input.members);
  const row: RecipientGroupRow = {
    id: uuidv7(ctx.now.getTime()),
    tenantId: ctx.tenant.id,
    name: input.name,
    description: input.description ?? null,
    members,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await ctx.db.insert(recipientGroups).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return toGroupView(row);
}

/** This tenant's group; another tenant's is indistinguishable from none (404). */
export async function getGroup(ctx: ServiceContext, groupId: string): Promise<RecipientGroupRow> {
  const row = await ctx.db.query.recipientGroups.findFirst({
    where: and(eq(recipientGroups.id, groupId.toLowerCase()), eq(recipientGroups.tenantId, ctx.tenant.id)),
  });
  if (!row) throw new ApiError("not_found", { detail: `No group ${groupId}` });
  return row;
}

export async function listGroups(ctx: ServiceContext, page: PageRequest, filter: { name?: string } = {}): Promise<Page<GroupView>> {
  const rows = await ctx.db
    .select()
    .from(recipientGroups)
    .where(
      and(
        eq(recipientGroups.tenantId, ctx.tenant.id),
        filter.name !== undefined ? eq(recipientGroups.name, filter.name) : undefined,
        olderThan(recipientGroups.createdAt, recipientGroups.id, page.cursor),
      ),
    )
    .orderBy(desc(recipientGroups.createdAt), desc(recipientGroups.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toGroupView);
}

/**
 * Replaces the fields given (`members` whole); `description: null` clears it. With
 * `unchangedSince` (the `updatedAt` the caller read) the write happens only if nobody has saved
 * the group since, else a 409 at `members`: an edit form replaces the whole member list.
 *
 * @example
 * ```ts
 * await updateGroup(ctx, id, { members }, { unchangedSince: new Date(view.updatedAt) });
 * ```
 */
export async function updateGroup(ctx: ServiceContext, groupId: string, patch: Partial<GroupInput>, options: { unchangedSince?: Date } = {}): Promise<GroupView> {
  const members = patch.members !== undefined ? normaliseMembers(ctx, patch.members) : undefined;
  // Only the fields given are written, in one statement that answers the row as it now is, so
  // concurrent patches of different fields (description, members) never undo each other.
  let rows: RecipientGroupRow[];
  try {
    rows = await ctx.db
      .update(recipientGroups)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(members !== undefined ? { members } : {}),
        updatedAt: ctx.now,
      })
      .where(
        and(
          eq(recipientGroups.id, groupId.toLowerCase()),
          eq(recipientGroups.tenantId, ctx.tenant.id),
          options.unchangedSince ? eq(recipientGroups.updatedAt, options.unchangedSince) : undefined,
        ),
      )
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(patch.name ?? "");
    throw err;
  }
  const row = rows[0];
  if (!row && options.unchangedSince) {
    // Still there: someone saved it after the caller read it, and a whole-list edit would undo that.
    await getGroup(ctx, groupId);
    throw new ApiError("conflict", {
      detail: "The group was changed after it was read",
      errors: [{ path: "members", message: "Someone else saved this group after you opened it: reload it and make your change again" }],
    });
  }
  if (!row) throw new ApiError("not_found", { detail: `No group ${groupId}` });
  return toGroupView(row);
}

export async function deleteGroup(ctx: ServiceContext, groupId: string): Promise<void> {
  const current = await getGroup(ctx, groupId);
  await ctx.db.delete(recipientGroups).where(and(eq(recipientGroups.id, current.id), eq(recipientGroups.tenantId, ctx.tenant.id)));
}
