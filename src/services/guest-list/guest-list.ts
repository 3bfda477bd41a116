import type { CountryCode } from "libphonenumber-js/max";
import { asc, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type GuestListEntryRow, guestListEntries } from "../../db/schema";
import { chunk } from "../../lib/chunk";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import type { ServiceContext } from "../context";

/** Bounds a PUT so one request cannot make every later team or trial send load an unbounded list. */
export const MAX_GUEST_LIST_ENTRIES = 1000;

export interface GuestList {
  emails: string[];
  phones: string[];
}

/** D1 binds at most 100 parameters per statement; a row binds 4. */
const ROWS_PER_INSERT = 25;

/**
 * The key a guest address is compared by: the validated address, case-folded, because mailboxes
 * that differ only in case reach the same person in practice.
 *
 * @example
 * ```ts
 * guestEmailKey("Ann@Example.com") // "ann@example.com"
 * ```
 */
export function guestEmailKey(address: string): string {
  return address.toLowerCase();
}

/**
 * Normalises a guest list the way recipients are normalised (addresses validated and
 * case-folded, numbers to E.164 reading national ones in `region`), dropping repeats. Every
 * invalid entry is a 422 naming `emails[i]` or `phones[i]`.
 *
 * @example
 * ```ts
 * normaliseGuestList({ emails: ["Ann@Example.com"], phones: ["(778) 700-1234"] }, "CA")
 * // { emails: ["ann@example.com"], phones: ["+17787001234"] }
 * ```
 */
export function normaliseGuestList(input: GuestList, region: CountryCode): GuestList {
  const errors: FieldError[] = [];
  const emails = new Set<string>();
  input.emails.forEach((raw, i) => {
    const result = validateEmailAddress(raw);
    if (result.ok) emails.add(guestEmailKey(result.address));
    else errors.push({ path: `emails[${i}]`, message: `${result.message}: ${raw}` });
  });
  const phones = new Set<string>();
  input.phones.forEach((raw, i) => {
    const result = normalisePhoneNumber(raw, region);
    if (result.ok) phones.add(result.e164);
    else errors.push({ path: `phones[${i}]`, message: `${result.message}: ${raw}` });
  });
  if (errors.length > 0) {
    throw new ApiError("unprocessable", { detail: `${errors.length} guest list entr${errors.length === 1 ? "y is" : "ies are"} not valid`, errors });
  }
  return { emails: [...emails], phones: [...phones] };
}

/** The tenant's guest list in the order it was written: one D1 query. */
export async function readGuestList(ctx: Pick<ServiceContext, "db" | "tenant">): Promise<GuestList> {
  const rows = await ctx.db
    .select({ kind: guestListEntries.kind, value: guestListEntries.value })
    .from(guestListEntries)
    .where(eq(guestListEntries.tenantId, ctx.tenant.id))
    .orderBy(asc(guestListEntries.position));
  return {
    emails: rows.filter((r) => r.kind === "email").map((r) => r.value),
    phones: rows.filter((r) => r.kind === "phone").map((r) => r.value),
  };
}

/** Replaces the whole list in one D1 batch, so a reader sees the old list or the new one, never a mix. */
export async function replaceGuestList(ctx: ServiceContext, list: GuestList): Promise<GuestList> {
  const { db } = ctx;
  const tenantId = ctx.tenant.id;
  const rows: GuestListEntryRow[] = [
    ...list.emails.map((value) => ({ tenantId, kind: "email" as const, value })),
    ...list.phones.map((value) => ({ tenantId, kind: "phone" as const, value })),
  ].map((row, position) => ({ ...row, position }));
  const statements: BatchItem<"sqlite">[] = [
    db.delete(guestListEntries).where(eq(guestListEntries.tenantId, tenantId)),
    ...chunk(rows, ROWS_PER_INSERT).map((part) => db.insert(guestListEntries).values(part)),
  ];
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return list;
}
