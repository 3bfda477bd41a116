import { and, desc, eq, sql } from "drizzle-orm";
import { insertRowIf } from "../../db/json-rows";
import { olderThan } from "../../db/keyset";
import { type CallbackChannelType, type CallbackRow, type CallbackTrigger, callbacks, type MessageStatus } from "../../db/schema";
import { open, seal } from "../../lib/crypto/secret-box";
import { hasUnsafeText } from "../../lib/display-name";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { forgetTenantCallbacks } from "./directory";
import { newSigningSecret, ROTATION_WINDOW_MS } from "./secrets";

/** Registrations a tenant may keep: each active one is a POST per matching status change. */
export const MAX_CALLBACKS_PER_TENANT = 50;

/** The statuses each trigger stands for. */
export const TRIGGER_STATUSES: Record<CallbackTrigger, readonly MessageStatus[]> = {
  success: ["delivered"],
  failure: ["permanent-failure", "temporary-failure", "technical-failure"],
};

/** What is written in place of a header's value: values are secrets, stored sealed and never answered. */
export const REDACTED = "[redacted]";

export interface CallbackInput {
  url: string;
  headers?: Record<string, string> | null;
  channelType: CallbackChannelType[];
  trigger: CallbackTrigger[];
  statuses?: MessageStatus[];
  active?: boolean;
  description?: string | null;
}

export interface CallbackView {
  callbackId: string;
  url: string;
  /** Header names with their values redacted. */
  headers: Record<string, string>;
  channelType: CallbackChannelType[];
  trigger: CallbackTrigger[];
  statuses: MessageStatus[];
  active: boolean;
  /** Why the service switched it off (a receiver answering 410 Gone); null otherwise. */
  disabledReason: string | null;
  description: string | null;
  /** Until when the secret replaced by the last rotation still signs; null outside a rotation window. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const secretContext = (tenantId: string, id: string) => `callback/${tenantId}/${id}/secret`;
const headersContext = (tenantId: string, id: string) => `callback/${tenantId}/${id}/headers`;

export function toCallbackView(row: CallbackRow, now = new Date()): CallbackView {
  const windowOpen = row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
  return {
    callbackId: row.id,
    url: row.url,
    headers: Object.fromEntries(row.headerNames.map((name) => [name, REDACTED])),
    channelType: row.channelTypes,
    trigger: row.triggers,
    statuses: row.statuses,
    active: row.active,
    disabledReason: row.disabledReason,
    description: row.description,
    previousSecretExpiresAt: windowOpen ? row.previousSecretExpiresAt!.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every status that fires a registration: its triggers' statuses and the ones it names. */
export function firesOn(trigger: readonly CallbackTrigger[], statuses: readonly MessageStatus[]): MessageStatus[] {
  return [...new Set([...trigger.flatMap((t) => TRIGGER_STATUSES[t]), ...statuses])];
}

/** The URL against the one outbound-URL policy (again at each delivery), and at least one status to fire on. */
function checkInput(ctx: ServiceContext, input: Partial<CallbackInput>, merged: { trigger: CallbackTrigger[]; statuses: MessageStatus[]; channelType: CallbackChannelType[] }): void {
  const errors: FieldError[] = [];
  if (input.url !== undefined) {
    // The URL is kept as given and shown as given: no control or bidi character may make it read as another.
    const check = hasUnsafeText(input.url) ? { ok: false as const, reason: "Must not contain control characters, line breaks or bidirectional controls" } : checkOutboundUrl(input.url, outboundPolicy(ctx.env));
    if (!check.ok) errors.push({ path: "url", message: check.reason });
  }
  // Shown on the admin pages and in the audit log: no NUL, line breaks or bidi controls that make it read as something else.
  if (typeof input.description === "string" && hasUnsafeText(input.description)) errors.push({ path: "description", message: "Must not contain control characters, line breaks or bidirectional controls" });
  // A registration for received texts alone has no message statuses to be told of.
  const forMessages = merged.channelType.some((ch) => ch !== "received-text");
  if (forMessages && merged.trigger.length === 0 && merged.statuses.length === 0) errors.push({ path: "trigger", message: "Give at least one trigger (success, failure) or status" });
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The callback cannot be used as given", errors });
}

async function sealHeaders(ctx: ServiceContext, id: string, headers: Record<string, string> | null | undefined): Promise<{ headersSealed: string | null; headerNames: string[] }> {
  if (!headers || Object.keys(headers).length === 0) return { headersSealed: null, headerNames: [] };
  return { headersSealed: await seal(ctx.env.API_KEY_ENCRYPTION_KEY, JSON.stringify(headers), headersContext(ctx.tenant.id, id)), headerNames: Object.keys(headers) };
}

/** The signing secret and the registration, answered once: only its creator ever sees the secret. */
export interface CreatedCallback extends CallbackView {
  secret: string;
}

/**
 * Registers a status callback: the URL must pass the outbound-URL policy (422 at `url`), header
 * values and a new `whsec_` signing secret are sealed bound to the row, and the secret is
 * answered this once. At most MAX_CALLBACKS_PER_TENANT registrations (409). `newUrlOnly` (the
 * admin form) also refuses a URL the tenant has registered already (409 at `url`), so a form
 * posted twice adds one callback whose secret the person saw, not two.
 *
 * @example
 * ```ts
 * const { callbackId, secret } = await createCallback(ctx, { url: "https://app.example.gov/notify-status", channelType: ["email"], trigger: ["failure"] });
 * ```
 */
export async function createCallback(ctx: ServiceContext, input: CallbackInput, options: { newUrlOnly?: boolean } = {}): Promise<CreatedCallback> {
  const statuses = input.statuses ?? [];
  checkInput(ctx, input, { trigger: input.trigger, statuses, channelType: input.channelType });
  const id = uuidv7(ctx.now.getTime());
  const secret = newSigningSecret();
  const row: CallbackRow = {
    id,
    tenantId: ctx.tenant.id,
    url: input.url,
    ...(await sealHeaders(ctx, id, input.headers)),
    channelTypes: [...new Set(input.channelType)],
    triggers: [...new Set(input.trigger)],
    statuses: [...new Set(statuses)],
    firesOn: firesOn(input.trigger, statuses),
    active: input.active ?? true,
    disabledReason: null,
    description: input.description ?? null,
    secretSealed: await seal(ctx.env.API_KEY_ENCRYPTION_KEY, secret, secretContext(ctx.tenant.id, id)),
    previousSecretSealed: null,
    previousSecretExpiresAt: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  // The bound is checked by the insert itself: concurrent registrations cannot all pass a count read first.
  // With newUrlOnly the same statement refuses a URL already registered: a form posted twice at once adds one.
  const bound = "(SELECT COUNT(*) FROM callbacks WHERE tenant_id = ?) < ?";
  const { meta } = await (options.newUrlOnly
    ? insertRowIf(ctx.env.DB, callbacks, row, `${bound} AND NOT EXISTS (SELECT 1 FROM callbacks WHERE tenant_id = ? AND url = ?)`, [ctx.tenant.id, MAX_CALLBACKS_PER_TENANT, ctx.tenant.id, input.url])
    : insertRowIf(ctx.env.DB, callbacks, row, bound, [ctx.tenant.id, MAX_CALLBACKS_PER_TENANT])
  ).run();
  if (meta.changes === 0) {
    if (options.newUrlOnly && (await ctx.db.select({ id: callbacks.id }).from(callbacks).where(and(eq(callbacks.tenantId, ctx.tenant.id), eq(callbacks.url, input.url))).get())) {
      throw new ApiError("conflict", { detail: "This URL already has a status callback", errors: [{ path: "url", message: "Already has a status callback: rotate its secret or delete it instead" }] });
    }
    throw new ApiError("conflict", { detail: `A tenant may have at most ${MAX_CALLBACKS_PER_TENANT} callbacks; delete one first` });
  }
  forgetTenantCallbacks(ctx.tenant.id);
  return { ...toCallbackView(row, ctx.now), secret };
}

/** This tenant's registration; another tenant's is indistinguishable from none (404). */
export async function getCallback(ctx: ServiceContext, id: string): Promise<CallbackRow> {
  const row = await ctx.db.query.callbacks.findFirst({ where: and(eq(callbacks.id, id.toLowerCase()), eq(callbacks.tenantId, ctx.tenant.id)) });
  if (!row) throw new ApiError("not_found", { detail: `No callback ${id}` });
  return row;
}

export async function listCallbacks(ctx: ServiceContext, page: PageRequest): Promise<Page<CallbackView>> {
  const rows = await ctx.db
    .select()
    .from(callbacks)
    .where(and(eq(callbacks.tenantId, ctx.tenant.id), olderThan(callbacks.createdAt, callbacks.id, page.cursor)))
    .orderBy(desc(callbacks.createdAt), desc(callbacks.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), (r) => toCallbackView(r, ctx.now));
}

/**
 * Applies a patch: given fields replace (`headers` as a whole set, `null` clears it), the URL is
 * checked again, and setting `active: true` clears a reason the service had for switching it off.
 */
export async function updateCallback(ctx: ServiceContext, id: string, patch: Partial<CallbackInput>): Promise<CallbackView> {
  // `firesOn` is derived from triggers and statuses together, so a patch of one is computed from
  // the row as read: written only if no other patch landed since (updatedAt unchanged), else
  // read again and recomputed, so two patches at once both land.
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const current = await getCallback(ctx, id);
    const trigger = patch.trigger ?? current.triggers;
    const statuses = patch.statuses ?? current.statuses;
    checkInput(ctx, patch, { trigger, statuses, channelType: patch.channelType ?? current.channelTypes });
    const rows = await ctx.db
      .update(callbacks)
      .set({
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.headers !== undefined ? await sealHeaders(ctx, current.id, patch.headers) : {}),
        ...(patch.channelType !== undefined ? { channelTypes: [...new Set(patch.channelType)] } : {}),
        triggers: [...new Set(trigger)],
        statuses: [...new Set(statuses)],
        firesOn: firesOn(trigger, statuses),
        ...(patch.active !== undefined ? { active: patch.active, disabledReason: null } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        // Strictly increasing, so two writes in the same millisecond still tell apart.
        updatedAt: sql`max(${callbacks.updatedAt} + 1, ${ctx.now.getTime()})`,
      })
      .where(and(eq(callbacks.id, current.id), eq(callbacks.tenantId, ctx.tenant.id), eq(callbacks.updatedAt, current.updatedAt)))
      .returning();
    if (rows[0]) {
      forgetTenantCallbacks(ctx.tenant.id);
      return toCallbackView(rows[0], ctx.now);
    }
  }
  throw new ApiError("conflict", { detail: `Callback ${id} is being changed by other requests right now; retry`, headers: { "Retry-After": "1" } });
}

/** Reads and writes of one patch before it gives up to concurrent patches (409). */
const UPDATE_ATTEMPTS = 5;

/** Deletes a registration. Its events already owed are marked failed when their turn comes. */
export async function deleteCallback(ctx: ServiceContext, id: string): Promise<void> {
  const deleted = await ctx.db
    .delete(callbacks)
    .where(and(eq(callbacks.id, id.toLowerCase()), eq(callbacks.tenantId, ctx.tenant.id)))
    .returning({ id: callbacks.id });
  if (deleted.length === 0) throw new ApiError("not_found", { detail: `No callback ${id}` });
  forgetTenantCallbacks(ctx.tenant.id);
}

export interface RotatedSecret {
  callbackId: string;
  secret: string;
  /** Until then events are signed with both secrets; after it, with the new one only. */
  previousSecretExpiresAt: string;
}

/**
 * Replaces the signing secret. The one replaced keeps signing (a second `v1,` signature) for
 * ROTATION_WINDOW_MS; rotating again within that window drops the oldest, so at most two sign.
 *
 * @example
 * ```ts
 * const { secret, previousSecretExpiresAt } = await rotateCallbackSecret(ctx, callbackId);
 * ```
 */
export async function rotateCallbackSecret(ctx: ServiceContext, id: string): Promise<RotatedSecret> {
  const current = await getCallback(ctx, id);
  const secret = newSigningSecret();
  const expires = new Date(ctx.now.getTime() + ROTATION_WINDOW_MS);
  // The old secret is re-sealed under its new role, so a ciphertext is only ever valid in one column.
  const previous = await open(ctx.env.API_KEY_ENCRYPTION_KEY, current.secretSealed, secretContext(current.tenantId, current.id));
  const rows = await ctx.db
    .update(callbacks)
    .set({
      secretSealed: await seal(ctx.env.API_KEY_ENCRYPTION_KEY, secret, secretContext(current.tenantId, current.id)),
      previousSecretSealed: await seal(ctx.env.API_KEY_ENCRYPTION_KEY, previous, `${secretContext(current.tenantId, current.id)}/previous`),
      previousSecretExpiresAt: expires,
      updatedAt: ctx.now,
    })
    // Conditional on the secret read, so two rotations at once cannot both keep the same "previous".
    .where(and(eq(callbacks.id, current.id), eq(callbacks.tenantId, ctx.tenant.id), eq(callbacks.secretSealed, current.secretSealed)))
    .returning({ id: callbacks.id });
  if (!rows[0]) throw new ApiError("conflict", { detail: "The secret was rotated by another request at the same time; try again" });
  return { callbackId: current.id, secret, previousSecretExpiresAt: expires.toISOString() };
}

/** What a delivery needs of a registration, opened: its secrets (newest first) and headers. */
export interface OpenedCallback {
  secrets: string[];
  headers: Record<string, string>;
}

/**
 * Opens a registration's secrets and headers for signing a delivery at `now`: the previous
 * secret only while its rotation window is open.
 */
export async function openCallback(encryptionKey: string | undefined, row: CallbackRow, now: Date): Promise<OpenedCallback> {
  const context = secretContext(row.tenantId, row.id);
  const secrets = [await open(encryptionKey, row.secretSealed, context)];
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) {
    secrets.push(await open(encryptionKey, row.previousSecretSealed, `${context}/previous`));
  }
  const headers = row.headersSealed ? (JSON.parse(await open(encryptionKey, row.headersSealed, headersContext(row.tenantId, row.id))) as Record<string, string>) : {};
  return { secrets, headers };
}
