import { and, eq, sql } from "drizzle-orm";
import { tenants } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { forgetCredentials } from "../auth/credential-cache";
import type { ServiceContext } from "../context";
import { checkSettings } from "./check-settings";
import { type ChatTargetSetting, type TenantSettings, TenantSettingsSchema } from "./settings";

/** Named chat targets a tenant may keep in its defaults (the API's PATCH is bounded by its body size; these writes by this). */
export const MAX_CHAT_TARGETS = 50;

export type ChatTargetType = ChatTargetSetting["type"];

/** A chat target as pages show it: never its secret, only whether one is stored. */
export interface ChatTargetView {
  name: string;
  type: ChatTargetType;
  url: string;
  /** The URL's host, for lists (a Slack or Teams webhook URL's path is itself a credential). */
  host: string;
  secretSet: boolean;
}

/**
 * One target's input. `secret`: a string sets it, `null` removes it, `undefined` keeps the stored
 * one (on add: none). A target that is not a webhook keeps no secret, whatever was stored.
 */
export interface ChatTargetInput {
  type: string;
  url: string;
  secret?: string | null;
}

const targetsOf = (settings: TenantSettings) => settings.msgApp?.targets ?? {};

function toView(name: string, target: ChatTargetSetting): ChatTargetView {
  const host = URL.canParse(target.url) ? new URL(target.url).host : "";
  return { name, type: target.type, url: target.url, host, secretSet: target.secret !== undefined };
}

/**
 * The tenant's chat targets (`msgApp.targets` of its defaults), by name, secrets left out.
 *
 * @example
 * ```ts
 * listChatTargets(ctx) // [{ name: "ops", type: "slack", url: "https://hooks.slack.com/…", host: "hooks.slack.com", secretSet: false }]
 * ```
 */
export function listChatTargets(ctx: Pick<ServiceContext, "settings">): ChatTargetView[] {
  return Object.entries(targetsOf(ctx.settings))
    .map(([name, target]) => toView(name, target))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One chat target by name; an unknown name is a 404. */
export function getChatTarget(ctx: Pick<ServiceContext, "settings">, name: string): ChatTargetView {
  const target = Object.hasOwn(targetsOf(ctx.settings), name) ? targetsOf(ctx.settings)[name] : undefined;
  if (!target) throw new ApiError("not_found", { detail: `No chat target ${name}` });
  return toView(name, target);
}

/**
 * The defaults schema's own rules and the deployment's checks (outbound-URL policy, secrets
 * only on webhooks) for one target, with error paths named by the target's own fields
 * (`name`, `type`, `url`, `secret`).
 */
function assertUsable(ctx: ServiceContext, name: string, candidate: Record<string, unknown>): ChatTargetSetting {
  const document = { msgApp: { targets: { [name]: candidate } } };
  const parsed = TenantSettingsSchema.safeParse(document);
  const fieldOf = (path: readonly PropertyKey[]) => {
    const last = String(path[3] ?? "");
    return ["type", "url", "secret"].includes(last) ? last : "name";
  };
  let errors: FieldError[];
  if (!parsed.success) {
    errors = parsed.error.issues.map((issue) => ({ path: fieldOf(issue.path), message: issue.path.length <= 3 && issue.code !== "invalid_type" ? "Lower-case letters, digits, _ and -, up to 64, starting with a letter or digit" : issue.message }));
  } else {
    errors = checkSettings(parsed.data, ctx.env, "").map((e) => ({ path: fieldOf(e.path!.split(".")), message: e.message }));
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: `The chat target ${name} cannot be used as given`, errors });
  return parsed.data!.msgApp!.targets![name]!;
}

/** The defaults schema's target names: nothing that could leave the quoted JSON path key. */
const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const pathOf = (name: string) => `$.msgApp.targets."${name}"`;
const touched = (ctx: ServiceContext) => sql`max(${tenants.updatedAt} + 1, ${ctx.now.getTime()})`;

/**
 * Adds a chat target to the tenant's defaults. Only this target's key is written, inside one
 * UPDATE whose WHERE finds the name free and the tenant under MAX_CHAT_TARGETS, so concurrent
 * adds, edits and PATCHes of other keys never undo each other. A taken name is a 409 at `name`;
 * a refused URL a 422 at `url`.
 *
 * @example
 * ```ts
 * await addChatTarget(ctx, "ops", { type: "webhook", url: "https://hooks.example.com/ops", secret: "whsec_…" });
 * ```
 */
export async function addChatTarget(ctx: ServiceContext, name: string, input: ChatTargetInput): Promise<ChatTargetView> {
  // Checked here, not only by the schema: its record drops a `__proto__` key without an issue,
  // which left the lookup below answering Object.prototype, stored as an empty target.
  if (!TARGET_NAME.test(name)) {
    throw new ApiError("unprocessable", { detail: `The chat target ${name} cannot be used as given`, errors: [{ path: "name", message: "Lower-case letters, digits, _ and -, up to 64, starting with a letter or digit" }] });
  }
  const target = assertUsable(ctx, name, { type: input.type, url: input.url, ...(typeof input.secret === "string" ? { secret: input.secret } : {}) });
  const path = pathOf(name);
  const rows = await ctx.db
    .update(tenants)
    .set({ settings: sql`json_set(coalesce(${tenants.settings}, '{}'), ${path}, json(${JSON.stringify(target)}))`, updatedAt: touched(ctx) })
    .where(
      and(
        eq(tenants.id, ctx.tenant.id),
        sql`json_type(${tenants.settings}, ${path}) IS NULL`,
        sql`(SELECT count(*) FROM json_each(${tenants.settings}, '$.msgApp.targets')) < ${MAX_CHAT_TARGETS}`,
      ),
    )
    .returning({ id: tenants.id });
  if (rows.length === 0) {
    const now = await ctx.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, ctx.tenant.id)).get();
    const current = targetsOf((now?.settings ?? {}) as TenantSettings);
    if (Object.hasOwn(current, name)) throw new ApiError("conflict", { detail: `A chat target named ${name} already exists`, errors: [{ path: "name", message: "Already used by another chat target" }] });
    throw new ApiError("conflict", { detail: `A tenant may have at most ${MAX_CHAT_TARGETS} chat targets`, errors: [{ path: "name", message: `You have ${MAX_CHAT_TARGETS} chat targets, the most allowed: remove one first` }] });
  }
  forgetCredentials();
  return toView(name, target);
}

/**
 * Changes a chat target's kind and URL, and its secret when `input.secret` says so. Reads never
 * answer secrets, so a form cannot send the stored one back: left `undefined`, the stored secret
 * is kept by the UPDATE itself (copied from the row it rewrites, never read into the caller), and
 * dropped when the target stops being a webhook. Only this target's key is written. An unknown
 * name is a 404.
 */
export async function updateChatTarget(ctx: ServiceContext, name: string, input: ChatTargetInput): Promise<ChatTargetView> {
  if (!TARGET_NAME.test(name)) throw new ApiError("not_found", { detail: `No chat target ${name}` });
  const keep = input.secret === undefined && input.type === "webhook";
  // Checked as it will be stored; a kept secret was checked when it was saved.
  const target = assertUsable(ctx, name, { type: input.type, url: input.url, ...(typeof input.secret === "string" ? { secret: input.secret } : {}) });
  const path = pathOf(name);
  const value = keep
    ? // json_patch with {"secret": null} leaves no key, so a target without a stored secret stays without one.
      sql`json_patch(json(${JSON.stringify(target)}), json_object('secret', json_extract(${tenants.settings}, ${`${path}.secret`})))`
    : sql`json(${JSON.stringify(target)})`;
  const rows = await ctx.db
    .update(tenants)
    .set({ settings: sql`json_set(${tenants.settings}, ${path}, ${value})`, updatedAt: touched(ctx) })
    .where(and(eq(tenants.id, ctx.tenant.id), sql`json_type(${tenants.settings}, ${path}) = 'object'`))
    .returning({ secretSet: sql<number>`json_type(${tenants.settings}, ${`${path}.secret`}) IS NOT NULL` });
  if (rows.length === 0) throw new ApiError("not_found", { detail: `No chat target ${name}` });
  forgetCredentials();
  return { ...toView(name, target), secretSet: !!rows[0]!.secretSet };
}

/** Removes a chat target (its key only, in one UPDATE); an unknown name is a 404. */
export async function removeChatTarget(ctx: ServiceContext, name: string): Promise<void> {
  if (!TARGET_NAME.test(name)) throw new ApiError("not_found", { detail: `No chat target ${name}` });
  const path = pathOf(name);
  const rows = await ctx.db
    .update(tenants)
    .set({ settings: sql`json_remove(${tenants.settings}, ${path})`, updatedAt: touched(ctx) })
    .where(and(eq(tenants.id, ctx.tenant.id), sql`json_type(${tenants.settings}, ${path}) IS NOT NULL`))
    .returning({ id: tenants.id });
  if (rows.length === 0) throw new ApiError("not_found", { detail: `No chat target ${name}` });
  forgetCredentials();
}
