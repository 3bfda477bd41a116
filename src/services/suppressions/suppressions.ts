import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { preparedOnce, readRows } from "../../db/json-rows";
import { type SuppressionRow, type SuppressionSource, suppressions } from "../../db/schema";
import { chunk } from "../../lib/chunk";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import { defaultRegion } from "../send/defaults";

/** The channels a suppression applies to: people. Chat targets are the tenant's own configuration, not recipients. */
export const SUPPRESSIBLE_CHANNELS = ["email", "sms"] as const;
export type SuppressibleChannel = (typeof SUPPRESSIBLE_CHANNELS)[number];

export const DEFAULT_REASONS: Record<SuppressionSource, string> = {
  api: "Added through the API",
  unsubscribe: "Unsubscribed (one-click)",
  provider: "Reported by the provider",
};

export interface SuppressionView {
  id: string;
  channel: SuppressibleChannel;
  recipient: string;
  reason: string;
  source: SuppressionSource;
  createdAt: string;
}

export function toSuppressionView(row: SuppressionRow): SuppressionView {
  return { id: row.id, channel: row.channel as SuppressibleChannel, recipient: row.recipient, reason: row.reason, source: row.source, createdAt: row.createdAt.toISOString() };
}

/**
 * The key a recipient is suppressed under: an email address validated and case-folded (as the
 * guest list keeps them: `Ann@Example.com` and `ann@example.com` are one person), a phone number
 * in E.164 (national numbers read in the tenant's `defaultRegion`).
 *
 * @example
 * ```ts
 * suppressionKey("email", "Ann@EXAMPLE.com", "CA") // { ok: true, recipient: "ann@example.com" }
 * suppressionKey("sms", "(778) 700-1234", "CA")    // { ok: true, recipient: "+17787001234" }
 * ```
 */
export function suppressionKey(channel: SuppressibleChannel, raw: string, region: Parameters<typeof normalisePhoneNumber>[1]): { ok: true; recipient: string } | { ok: false; message: string } {
  if (channel === "email") {
    const result = validateEmailAddress(raw);
    return result.ok ? { ok: true, recipient: result.address.toLowerCase() } : { ok: false, message: `${result.message}: ${raw}` };
  }
  const result = normalisePhoneNumber(raw, region);
  return result.ok ? { ok: true, recipient: result.e164 } : { ok: false, message: `${result.message}: ${raw}` };
}

type SuppressionScope = Pick<ServiceContext, "db" | "tenant" | "now">;

/**
 * Adds a recipient to the tenant's suppression list. Idempotent: when the recipient is already
 * suppressed on that channel, the existing entry is answered unchanged (`created: false`).
 */
export async function addSuppression(
  ctx: SuppressionScope,
  input: { channel: SuppressibleChannel; recipient: string; reason?: string; source: SuppressionSource },
): Promise<{ created: boolean; suppression: SuppressionView }> {
  const row: SuppressionRow = {
    id: uuidv7(ctx.now.getTime()),
    tenantId: ctx.tenant.id,
    channel: input.channel,
    recipient: input.recipient,
    reason: input.reason ?? DEFAULT_REASONS[input.source],
    source: input.source,
    createdAt: ctx.now,
  };
  const inserted = await ctx.db.insert(suppressions).values(row).onConflictDoNothing().returning();
  if (inserted.length > 0) return { created: true, suppression: toSuppressionView(inserted[0]!) };
  const existing = await findSuppression(ctx, input.channel, input.recipient);
  if (!existing) throw new ApiError("conflict", { detail: "The suppression changed while it was being added; try again" });
  return { created: false, suppression: toSuppressionView(existing) };
}

/** POST /api/v1/suppressions: the recipient normalised for its channel (422 naming `recipient`), then added. */
export async function suppressRecipient(
  ctx: ServiceContext,
  input: { channel: SuppressibleChannel; recipient: string; reason?: string },
): Promise<{ created: boolean; suppression: SuppressionView }> {
  const key = suppressionKey(input.channel, input.recipient, defaultRegion(ctx));
  if (!key.ok) throw fieldError("unprocessable", "recipient", key.message);
  return addSuppression(ctx, { channel: input.channel, recipient: key.recipient, reason: input.reason, source: "api" });
}

async function findSuppression(ctx: Pick<ServiceContext, "db" | "tenant">, channel: SuppressibleChannel, recipient: string): Promise<SuppressionRow | undefined> {
  return ctx.db.query.suppressions.findFirst({
    where: and(eq(suppressions.tenantId, ctx.tenant.id), eq(suppressions.channel, channel), eq(suppressions.recipient, recipient)),
  });
}

/**
 * The list, newest first, optionally for one channel and one recipient. The recipient filter is
 * normalised like the entries when it is a valid address or number for the channel (an email if
 * it holds `@` and no channel is given), and otherwise matches nothing.
 */
export async function listSuppressions(
  ctx: ServiceContext,
  page: PageRequest,
  filter: { channel?: SuppressibleChannel; recipient?: string },
): Promise<Page<SuppressionView>> {
  let recipient: string | undefined;
  if (filter.recipient !== undefined) {
    const channel = filter.channel ?? (filter.recipient.includes("@") ? "email" : "sms");
    const key = suppressionKey(channel, filter.recipient, defaultRegion(ctx));
    if (!key.ok) return { items: [], nextCursor: null };
    recipient = key.recipient;
  }
  const rows = await ctx.db
    .select()
    .from(suppressions)
    .where(
      and(
        eq(suppressions.tenantId, ctx.tenant.id),
        filter.channel ? eq(suppressions.channel, filter.channel) : inArray(suppressions.channel, [...SUPPRESSIBLE_CHANNELS]),
        recipient !== undefined ? eq(suppressions.recipient, recipient) : undefined,
        olderThan(suppressions.createdAt, suppressions.id, page.cursor),
      ),
    )
    .orderBy(desc(suppressions.createdAt), desc(suppressions.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toSuppressionView);
}

/** One entry by id (the admin UI's confirmation page); another tenant's is indistinguishable from none (404). */
export async function getSuppression(ctx: ServiceContext, suppressionId: string): Promise<SuppressionView> {
  const row = await ctx.db.query.suppressions.findFirst({ where: and(eq(suppressions.id, suppressionId.toLowerCase()), eq(suppressions.tenantId, ctx.tenant.id)) });
  if (!row) throw new ApiError("not_found", { detail: `No suppression ${suppressionId}` });
  return toSuppressionView(row);
}

/** Removes one entry by id; another tenant's entry is indistinguishable from none (404). */
export async function removeSuppression(ctx: ServiceContext, suppressionId: string): Promise<void> {
  const deleted = await ctx.db
    .delete(suppressions)
    .where(and(eq(suppressions.id, suppressionId.toLowerCase()), eq(suppressions.tenantId, ctx.tenant.id)))
    .returning({ id: suppressions.id });
  if (deleted.length === 0) throw new ApiError("not_found", { detail: `No suppression ${suppressionId}` });
}

/** Removes the entry of one recipient on one channel (the recipient normalised first); 404 when it is not suppressed. */
export async function removeSuppressionOf(ctx: ServiceContext, channel: SuppressibleChannel, raw: string): Promise<void> {
  const key = suppressionKey(channel, raw, defaultRegion(ctx));
  if (!key.ok) throw fieldError("invalid_request", "query.recipient", key.message);
  const deleted = await ctx.db
    .delete(suppressions)
    .where(and(eq(suppressions.tenantId, ctx.tenant.id), eq(suppressions.channel, channel), eq(suppressions.recipient, key.recipient)))
    .returning({ id: suppressions.id });
  if (deleted.length === 0) throw new ApiError("not_found", { detail: `${key.recipient} is not suppressed on ${channel}` });
}

/** Recipients per statement: their JSON stays well inside D1's 2 MB bound value (addresses are at most 320 characters). */
const RECIPIENTS_PER_QUERY = 2_000;

/**
 * The suppressed recipients among these, per channel, keyed by suppression key: one D1 round trip,
 * none when there is nothing to look up. Every send asks, so the statement has one shape whatever
 * the recipients (they travel as one JSON parameter) and its SQL is built once per isolate.
 */
export async function findSuppressed(
  ctx: Pick<ServiceContext, "db" | "env" | "tenant">,
  keys: { channel: SuppressibleChannel; recipient: string }[],
): Promise<Map<string, SuppressionRow>> {
  const pairs = suppressionPairs(keys);
  if (pairs.length === 0) return new Map();
  const statements = chunk(pairs, RECIPIENTS_PER_QUERY).map((part) => suppressedLookup(ctx, part));
  return suppressedFound((await ctx.env.DB.batch<Record<string, unknown>>(statements)).flatMap((r) => r.results));
}

/** The distinct (channel, recipient) pairs of `keys`, each as JSON. */
function suppressionPairs(keys: { channel: SuppressibleChannel; recipient: string }[]): string[] {
  return [...new Set(keys.map((k) => JSON.stringify([k.channel, k.recipient])))];
}

const SUPPRESSED_PAIRS = "(channel, recipient) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))";

/** The one lookup statement (its SQL built once per isolate) for at most RECIPIENTS_PER_QUERY pairs. */
function suppressedLookup(ctx: Pick<ServiceContext, "db" | "env" | "tenant">, pairs: string[]): D1PreparedStatement {
  const params = [ctx.tenant.id, `[${pairs.join(",")}]`];
  return preparedOnce(
    ctx.env.DB,
    "findSuppressed",
    () =>
      ctx.db
        .select()
        .from(suppressions)
        .where(
          and(
            eq(suppressions.tenantId, params[0]!),
            sql`(${suppressions.channel}, ${suppressions.recipient}) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${params[1]}))`,
          ),
        ),
    params,
  );
}

function suppressedFound(rows: Record<string, unknown>[]): Map<string, SuppressionRow> {
  const found = new Map<string, SuppressionRow>();
  for (const row of readRows(suppressions, rows)) found.set(`${row.channel}:${row.recipient}`, row);
  return found;
}

/**
 * The suppression check of a send folded into the batch that stores it, saving the round trip
 * findSuppressed would make before it: `condition` (with `params`) holds only while none of these
 * recipients is suppressed, so rows inserted under it are written only then; `lookup`, put last
 * in that batch, reads the ones that are, and `found` reads its results. Null when there is
 * nothing to look up, or more than one lookup's worth (a large inline merge checks first instead).
 *
 * @example
 * ```ts
 * const check = suppressionCheck(ctx, keys);
 * const results = await env.DB.batch([...jsonInsertIf(env.DB, messages, rows, check.condition, check.params), check.lookup]);
 * const found = check.found(results.at(-1)!.results); // empty: the rows were written
 * ```
 */
export function suppressionCheck(
  ctx: Pick<ServiceContext, "db" | "env" | "tenant">,
  keys: { channel: SuppressibleChannel; recipient: string }[],
): { condition: string; params: unknown[]; lookup: D1PreparedStatement; found: (rows: Record<string, unknown>[]) => Map<string, SuppressionRow> } | null {
  const pairs = suppressionPairs(keys);
  if (pairs.length === 0 || pairs.length > RECIPIENTS_PER_QUERY) return null;
  const json = `[${pairs.join(",")}]`;
  return {
    condition: `NOT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = ? AND ${SUPPRESSED_PAIRS})`,
    params: [ctx.tenant.id, json],
    lookup: suppressedLookup(ctx, pairs),
    found: suppressedFound,
  };
}

