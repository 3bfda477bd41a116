import { and, desc, eq, isNull } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { type EventTypeRow, type EventTypeVersionRow, eventTypes, eventTypeVersions } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { isUuid, uuidv7 } from "../../lib/ids";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { checkEventDefinition } from "./check";
import type { CreateEventTypeInput, EventDefinition, UpdateEventTypeInput } from "./schema";

export interface LoadedEventType {
  eventType: EventTypeRow;
  version: EventTypeVersionRow;
}

export interface EventTypeView extends EventDefinition {
  id: string;
  code: string;
  name: string;
  description: string | null;
  enabled: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toEventTypeView({ eventType, version }: LoadedEventType): EventTypeView {
  const definition = version.channels as EventDefinition;
  return {
    id: eventType.id,
    code: eventType.code,
    name: version.name,
    description: version.description,
    enabled: definition.enabled ?? true,
    ...(definition.email ? { email: definition.email } : {}),
    ...(definition.sms ? { sms: definition.sms } : {}),
    ...(definition.msgApp ? { msgApp: definition.msgApp } : {}),
    version: version.version,
    createdAt: eventType.createdAt.toISOString(),
    updatedAt: eventType.updatedAt.toISOString(),
  };
}

/**
 * An event type as the API answers it: an inline chat target's signing secret replaced by
 * `secretSet: true`, as tenant defaults are read (tenants/settings-view.ts), so no read key,
 * test key or admin page learns it. Stored definitions keep the secret; sends use those.
 *
 * @example
 * ```ts
 * withoutSecrets({ ...view, msgApp: { target: { type: "webhook", url: "https://x.example/h", secret: "whsec_…" } } })
 * // { …, msgApp: { target: { type: "webhook", url: "https://x.example/h", secretSet: true } } }
 * ```
 */
export function withoutSecrets(view: EventTypeView): EventTypeView {
  const target = view.msgApp?.target;
  if (target === undefined) return view;
  const hide = (t: unknown) => {
    if (t === null || typeof t !== "object" || !("secret" in t)) return t;
    const { secret, ...rest } = t as Record<string, unknown>;
    return { ...rest, secretSet: secret !== undefined };
  };
  return { ...view, msgApp: { ...view.msgApp!, target: (Array.isArray(target) ? target.map(hide) : hide(target)) as typeof target } };
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(`${err.message} ${String(err.cause ?? "")}`);
}

async function assertUsable(ctx: ServiceContext, definition: EventDefinition): Promise<void> {
  const errors = await checkEventDefinition(ctx, definition);
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The event type cannot be used as given", errors });
}

const definitionOf = (input: Pick<CreateEventTypeInput, "enabled" | "email" | "sms" | "msgApp">): EventDefinition => ({
  ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
  ...(input.email ? { email: input.email } : {}),
  ...(input.sms ? { sms: input.sms } : {}),
  ...(input.msgApp ? { msgApp: input.msgApp } : {}),
});

const codeTaken = (code: string) =>
  new ApiError("conflict", { detail: `An event type with code "${code}" already exists`, errors: [{ path: "code", message: "Already used by another event type" }] });

/** Creates an event type, version 1, after checking it by the rules a send will apply. */
export async function createEventType(ctx: ServiceContext, input: CreateEventTypeInput): Promise<EventTypeView> {
  const definition = definitionOf(input);
  await assertUsable(ctx, definition);
  const now = ctx.now;
  const eventType: EventTypeRow = { id: uuidv7(now.getTime()), tenantId: ctx.tenant.id, code: input.code, currentVersion: 1, createdAt: now, updatedAt: now, deletedAt: null };
  const version: EventTypeVersionRow = {
    eventTypeId: eventType.id,
    version: 1,
    name: input.name.trim(),
    description: input.description ?? null,
    channels: definition as Record<string, unknown>,
    createdAt: now,
  };
  try {
    await ctx.db.batch([ctx.db.insert(eventTypes).values(eventType), ctx.db.insert(eventTypeVersions).values(version)]);
  } catch (err) {
    if (isUniqueViolation(err)) throw codeTaken(input.code);
    throw err;
  }
  return toEventTypeView({ eventType, version });
}

/**
 * A live event type of this tenant by id or by code (codes are never UUID-shaped, so the two
 * cannot collide), with its current version, in one D1 query. Another tenant's is none.
 *
 * @example
 * ```ts
 * await findEventType(ctx, "funding-approval") // { eventType, version } | null
 * ```
 */
export async function findEventType(ctx: Pick<ServiceContext, "db" | "tenant">, idOrCode: string): Promise<LoadedEventType | null> {
  const key = idOrCode.trim().toLowerCase();
  const rows = await ctx.db
    .select({ eventType: eventTypes, version: eventTypeVersions })
    .from(eventTypes)
    .innerJoin(eventTypeVersions, and(eq(eventTypeVersions.eventTypeId, eventTypes.id), eq(eventTypeVersions.version, eventTypes.currentVersion)))
    .where(and(eq(eventTypes.tenantId, ctx.tenant.id), isNull(eventTypes.deletedAt), isUuid(key) ? eq(eventTypes.id, key) : eq(eventTypes.code, key)))
    .limit(1);
  return rows[0] ?? null;
}

export async function getEventType(ctx: ServiceContext, idOrCode: string): Promise<LoadedEventType> {
  const found = await findEventType(ctx, idOrCode);
  if (!found) throw new ApiError("not_found", { detail: `No event type ${idOrCode}` });
  return found;
}

export async function listEventTypes(ctx: ServiceContext, page: PageRequest): Promise<Page<EventTypeView>> {
  const rows = await ctx.db
    .select({ eventType: eventTypes, version: eventTypeVersions })
    .from(eventTypes)
    .innerJoin(eventTypeVersions, and(eq(eventTypeVersions.eventTypeId, eventTypes.id), eq(eventTypeVersions.version, eventTypes.currentVersion)))
    .where(and(eq(eventTypes.tenantId, ctx.tenant.id), isNull(eventTypes.deletedAt), olderThan(eventTypes.createdAt, eventTypes.id, page.cursor)))
    .orderBy(desc(eventTypes.createdAt), desc(eventTypes.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.eventType.createdAt.getTime(), id: r.eventType.id }), toEventTypeView);
}

/**
 * Writes a new version: the current one with `patch` applied (a channel given replaces that
 * channel whole, `null` removes it). The bump is conditional on the version read, so concurrent
 * edits cannot both win. A patch that changes nothing writes nothing and answers the current
 * version: a send's recorded version must mean something.
 */
export async function updateEventType(ctx: ServiceContext, idOrCode: string, patch: UpdateEventTypeInput): Promise<EventTypeView> {
  const current = await getEventType(ctx, idOrCode);
  const { eventType, version } = current;
  const stored = version.channels as EventDefinition;
  const pick = <K extends "email" | "sms" | "msgApp">(k: K) => (patch[k] === null ? undefined : (patch[k] ?? stored[k]));
  const definition = definitionOf({ enabled: patch.enabled ?? stored.enabled, email: pick("email"), sms: pick("sms"), msgApp: pick("msgApp") });
  const name = patch.name?.trim() ?? version.name;
  const description = patch.description === null ? null : (patch.description ?? version.description);
  if (name === version.name && description === version.description && JSON.stringify(definition) === JSON.stringify(definitionOf(stored))) {
    return toEventTypeView(current);
  }
  await assertUsable(ctx, definition);
  const now = ctx.now;
  const next: EventTypeVersionRow = { eventTypeId: eventType.id, version: eventType.currentVersion + 1, name, description, channels: definition as Record<string, unknown>, createdAt: now };
  let results;
  try {
    results = await ctx.db.batch([
      ctx.db
        .update(eventTypes)
        .set({ currentVersion: next.version, updatedAt: now })
        .where(and(eq(eventTypes.id, eventType.id), eq(eventTypes.currentVersion, eventType.currentVersion)))
        .returning({ id: eventTypes.id }),
      ctx.db.insert(eventTypeVersions).values(next),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError("conflict", { detail: "The event type was changed concurrently; read it again and retry" });
    throw err;
  }
  if (results[0].length === 0) throw new ApiError("conflict", { detail: "The event type was changed concurrently; read it again and retry" });
  return toEventTypeView({ eventType: { ...eventType, currentVersion: next.version, updatedAt: now }, version: next });
}

/** Soft delete: sends naming it are refused (422); notifications that recorded a version keep it. The code is free again. */
export async function deleteEventType(ctx: ServiceContext, idOrCode: string): Promise<void> {
  const { eventType } = await getEventType(ctx, idOrCode);
  await ctx.db.update(eventTypes).set({ deletedAt: ctx.now }).where(eq(eventTypes.id, eventType.id));
}
