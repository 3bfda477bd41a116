import { desc, eq, sql } from "drizzle-orm";
import { insertRowIf } from "../../db/json-rows";
import { mergeJson } from "../../db/merge-json";
import { olderThan } from "../../db/keyset";
import { CHANNELS, type TenantLimits, type TenantRow, type TenantStatus, tenants } from "../../db/schema";
import { checkTemplateRefs } from "../templates/refs";
import { checkServiceRefs } from "../tenant-services/refs";
import { callbackRefsOf, checkCallbackRefs } from "../callbacks/refs";
import { uuidv7 } from "../../lib/ids";
import { dataRegion, homeOfTenantId, markTenantId, type Region, regionBaseUrls } from "../../lib/regions";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { OperatorContext, ServiceContext } from "../context";
import { checkSettings } from "./check-settings";
import { effectiveLimits } from "./limits";
import { forgetCredentials } from "../auth/credential-cache";
import { normaliseSettings, type TenantSettings } from "./settings";
import { type TenantSettingsView, viewSettings } from "./settings-view";

export interface TenantView {
  id: string;
  name: string;
  status: TenantStatus;
  /** Home region (README "Regions"): written in the id; null on a single-region deployment. Never changes. */
  region: Region | null;
  /** Effective limits: the tenant's own values over the system defaults for its status. */
  limits: Required<TenantLimits>;
  /** Secrets appear only as `secretSet` (settings-view.ts). */
  settings: TenantSettingsView;
  createdAt: string;
  updatedAt: string;
}

export interface TenantInput {
  name: string;
  /** Must be this deployment's region (the default): a tenant is created in its home region. */
  region?: string;
  status?: TenantStatus;
  limits?: TenantLimits;
  settings?: TenantSettings;
}

/** `here` is the deployment's region, the home of tenants whose id carries no marker. */
export function toTenantView(row: TenantRow, here: Region | null): TenantView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    region: homeOfTenantId(row.id) ?? here,
    limits: effectiveLimits(row.status, row.limits),
    settings: viewSettings(row.settings as TenantSettings),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The schema's rules plus what needs the deployment or the database: providers, URLs, templates. */
async function assertUsableSettings(ctx: OperatorContext, tenantId: string | null, settings: TenantSettings, prefix: string): Promise<void> {
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  const refs = CHANNELS.flatMap((channel) => {
    const id = settings[channel]?.templateId;
    return id ? [{ id, channel, path: at(`${channel}.templateId`) }] : [];
  });
  const services = (["email", "sms"] as const).flatMap((channel) => {
    const name = settings[channel]?.subscription;
    return name ? [{ kind: "subscription" as const, name, path: at(`${channel}.subscription`) }] : [];
  });
  // A new tenant has no templates or services yet, so any it names is unknown.
  const templateErrors = tenantId ? await checkTemplateRefs(ctx.db, tenantId, refs) : refs.map((r) => ({ path: r.path, message: "No such template" }));
  const serviceErrors = tenantId ? await checkServiceRefs(ctx.db, tenantId, services) : services.map((r) => ({ path: r.path, message: "No such subscription service" }));
  const callbackRefs = callbackRefsOf({ email: settings.email, sms: settings.sms, msgApp: settings.msgApp }, at);
  const callbackErrors = tenantId ? await checkCallbackRefs(ctx.db, tenantId, callbackRefs) : callbackRefs.map((r) => ({ path: r.path, message: `No callback ${r.id}` }));
  const errors = [...checkSettings(settings, ctx.env, prefix), ...templateErrors, ...serviceErrors, ...callbackErrors];
  if (errors.length > 0) {
    throw new ApiError("unprocessable", { detail: "Some settings cannot be used on this deployment", errors });
  }
}

/**
 * The operator names the home region at creation, or gets this deployment's: a region creates
 * only its own tenants, so another region is refused (422 naming where to create it).
 */
function homeForNewTenant(ctx: OperatorContext, requested: string | undefined): Region | null {
  const here = dataRegion(ctx.env);
  if (requested === undefined || requested === here) return here;
  const elsewhere = regionBaseUrls(ctx.env).find((r) => r.region === requested);
  const message = !here
    ? "This deployment is not a regional one (DATA_REGION is unset): leave region out"
    : elsewhere
      ? `This is region ${here}: create a tenant of region ${requested} at ${elsewhere.baseUrl}/api/v1/tenants`
      : `This is region ${here}; a tenant is created in its home region's deployment`;
  throw new ApiError("unprocessable", { detail: message, errors: [{ path: "region", message }] });
}

/**
 * Creates a tenant in this deployment's region. `newNameOnly` (the admin form) refuses a name
 * another tenant has (409 at `name`), decided by the INSERT itself, so the form posted twice at
 * once makes one tenant, not two identical ones; the API keeps allowing it.
 *
 * @example
 * ```ts
 * const tenant = await createTenant(ctx, { name: "Funding Applications", status: "trial" }, { newNameOnly: true });
 * ```
 */
export async function createTenant(ctx: OperatorContext, input: TenantInput, options: { newNameOnly?: boolean } = {}): Promise<TenantView> {
  const home = homeForNewTenant(ctx, input.region);
  if (input.settings) await assertUsableSettings(ctx, null, input.settings, "settings");
  const now = ctx.now;
  const row: TenantRow = {
    id: home ? markTenantId(uuidv7(), home) : uuidv7(),
    name: input.name.trim(),
    status: input.status ?? "trial",
    limits: input.limits ?? {},
    settings: normaliseSettings(input.settings ?? {}),
    defaultReplyTo: null,
    defaultSmsSender: null,
    createdAt: now,
    updatedAt: now,
  };
  if (options.newNameOnly) {
    const { meta } = await insertRowIf(ctx.env.DB, tenants, row, "NOT EXISTS (SELECT 1 FROM tenants WHERE name = ?)", [row.name]).run();
    if (meta.changes === 0) throw new ApiError("conflict", { detail: `A tenant is already called ${row.name}`, errors: [{ path: "name", message: "A tenant already has this name: open it from the tenants list, or choose another name" }] });
  } else {
    await ctx.db.insert(tenants).values(row);
  }
  return toTenantView(row, home);
}

/** A tenant by id; an unknown one is a 404. */
export async function getTenant(ctx: Pick<OperatorContext, "db">, tenantId: string): Promise<TenantRow> {
  const row = await ctx.db.query.tenants.findFirst({ where: eq(tenants.id, tenantId.toLowerCase()) });
  if (!row) throw new ApiError("not_found", { detail: `No tenant ${tenantId}` });
  return row;
}

export async function listTenants(ctx: OperatorContext, page: PageRequest): Promise<Page<TenantView>> {
  const rows = await ctx.db
    .select()
    .from(tenants)
    .where(olderThan(tenants.createdAt, tenants.id, page.cursor))
    .orderBy(desc(tenants.createdAt), desc(tenants.id))
    .limit(page.limit + 1);
  const here = dataRegion(ctx.env);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), (r) => toTenantView(r, here));
}

/**
 * Partial update. `limits` and `settings` merge key by key (a `null` value removes a key) so an
 * operator can change one limit without restating the others. The merge happens inside the one
 * UPDATE statement (json_set / json_remove on the stored JSON), so concurrent patches of
 * different keys all survive: none is computed from a copy another writer has since replaced.
 * Each settings key is checked on its own (no rule spans two keys), before anything is written.
 */
export async function updateTenant(
  ctx: OperatorContext,
  tenantId: string,
  patch: {
    name?: string;
    /** Refused unless it is the tenant's region already: a home region never changes (its id carries it). */
    region?: string;
    status?: TenantStatus;
    limits?: { [K in keyof TenantLimits]?: TenantLimits[K] | null };
    settings?: { [K in keyof TenantSettings]?: TenantSettings[K] | null };
  },
  settingsPrefix = "settings",
): Promise<TenantView> {
  // The region it already has (a client sending back what it read) changes nothing.
  if (patch.region !== undefined && patch.region !== (homeOfTenantId(tenantId.toLowerCase()) ?? dataRegion(ctx.env))) {
    const message = "A tenant's home region cannot change: create a tenant in the other region and move its configuration there";
    throw new ApiError("unprocessable", { detail: message, errors: [{ path: "region", message }] });
  }
  if (patch.settings) {
    const given = Object.fromEntries(Object.entries(patch.settings).filter(([, v]) => v !== null && v !== undefined)) as TenantSettings;
    await assertUsableSettings(ctx, tenantId.toLowerCase(), given, settingsPrefix);
  }
  const settingsPatch = patch.settings ? (normaliseSettings(patch.settings as TenantSettings) as Record<string, unknown>) : undefined;
  const rows = await ctx.db
    .update(tenants)
    .set({
      ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.limits ? { limits: mergeJson(tenants.limits, patch.limits) } : {}),
      ...(settingsPatch ? { settings: mergeJson(tenants.settings, settingsPatch) } : {}),
      // Strictly increasing, so a later read can tell this write from the one before it.
      updatedAt: sql`max(${tenants.updatedAt} + 1, ${ctx.now.getTime()})`,
    })
    .where(eq(tenants.id, tenantId.toLowerCase()))
    .returning();
  const row = rows[0];
  if (!row) throw new ApiError("not_found", { detail: `No tenant ${tenantId}` });
  // Authentication remembers the tenant row (its status, limits and defaults) for a few seconds.
  forgetCredentials();
  return toTenantView(row, dataRegion(ctx.env));
}


/**
 * The tenant's own `PATCH /api/v1/tenant/defaults`: the operator's update, applied to the
 * caller's tenant only, with error paths relative to the defaults document (`email.cc[0]`).
 *
 * @example
 * ```ts
 * const view = await updateTenantDefaults(ctx, { email: { from: "Funding <funding@example.gov>" } });
 * ```
 */
export async function updateTenantDefaults(ctx: ServiceContext, patch: NonNullable<Parameters<typeof updateTenant>[2]["settings"]>): Promise<TenantView> {
  return updateTenant(ctx, ctx.tenant.id, { settings: patch }, "");
}
