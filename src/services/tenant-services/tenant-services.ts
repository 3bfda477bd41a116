import { and, count, desc, eq } from "drizzle-orm";
import { mergeJson } from "../../db/merge-json";
import { type ServiceKind, type TenantServiceRow, tenantServices } from "../../db/schema/tenant-services";
import { olderThan } from "../../db/keyset";
import { open, seal } from "../../lib/crypto/secret-box";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import { checkOutboundUrl, outboundPolicy } from "../../lib/outbound/url-policy";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { authHeaderContext, describeService, type ServiceConfig, SERVICE_LIMITS, type SubscriptionResponseMapping } from "./config";
import { mappingValueProblem, type RequestMapping } from "./mapping";
import { parseResponsePath } from "./response-path";

export interface AuthHeaderInput {
  name: string;
  value: string;
}

/** Create and update input (update: every field optional, `null` clears an optional one). */
export interface ServiceInput {
  name: string;
  url: string;
  authHeader?: AuthHeaderInput | null;
  timeoutMs?: number | null;
  requestMapping?: RequestMapping | null;
  responseMapping?: SubscriptionResponseMapping | null;
  filename?: string | null;
}

export interface ServiceViewBase {
  id: string;
  kind: ServiceKind;
  name: string;
  url: string;
  /** The header's name only; its value is a secret and never answered. */
  authHeader: { name: string; set: true } | null;
  timeoutMs: number;
  requestMapping: RequestMapping | null;
  createdAt: string;
  updatedAt: string;
}

/** What reads answer: subscription services show their responseMapping, attachment services their filename. */
export type ServiceView = ServiceViewBase & ({ responseMapping: SubscriptionResponseMapping | null } | { filename: string | null });

export function toServiceView(row: TenantServiceRow): ServiceView {
  const config = row.config as unknown as ServiceConfig;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    url: row.url,
    authHeader: row.authHeaderCiphertext && config.authHeaderName ? { name: config.authHeaderName, set: true } : null,
    timeoutMs: config.timeoutMs,
    requestMapping: config.requestMapping ?? null,
    ...(row.kind === "subscription" ? { responseMapping: config.responseMapping ?? null } : { filename: config.filename ?? null }),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Checks what a schema cannot: the URL against the outbound policy, templates and paths parse. */
function checkInput(ctx: ServiceContext, kind: ServiceKind, input: Partial<ServiceInput>): void {
  const errors: FieldError[] = [];
  if (input.url !== undefined) {
    const check = checkOutboundUrl(input.url, outboundPolicy(ctx.env));
    if (!check.ok) errors.push({ path: "url", message: check.reason });
  }
  if (input.requestMapping && !Array.isArray(input.requestMapping)) {
    for (const [key, value] of Object.entries(input.requestMapping)) {
      const problem = mappingValueProblem(value);
      if (problem) errors.push({ path: `requestMapping.${key}`, message: `Not a valid template: ${problem}` });
    }
  }
  if (kind === "subscription" && input.responseMapping) {
    const { email, sms } = input.responseMapping;
    const paths: [string, string | undefined][] = [
      ...(typeof email === "object" ? (["to", "cc", "bcc"] as const).map((r): [string, string | undefined] => [`responseMapping.email.${r}`, email[r]]) : [["responseMapping.email", email] as [string, string | undefined]]),
      ["responseMapping.sms", sms],
    ];
    for (const [path, value] of paths) {
      if (value === undefined) continue;
      const parsed = parseResponsePath(value);
      if (typeof parsed === "string") errors.push({ path, message: parsed });
    }
    if (email === undefined && sms === undefined) errors.push({ path: "responseMapping", message: "Give a path for email, sms or both" });
    if (typeof email === "object" && email.to === undefined && email.cc === undefined && email.bcc === undefined) {
      errors.push({ path: "responseMapping.email", message: "Give a path for to, cc or bcc" });
    }
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: `The ${kind} service cannot be used as given`, errors });
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(`${err.message} ${String(err.cause ?? "")}`);
}

function conflict(kind: ServiceKind, name: string): ApiError {
  return new ApiError("conflict", {
    detail: `A ${kind} service named "${name}" already exists`,
    errors: [{ path: "name", message: `Already used by another ${kind} service` }],
  });
}

function buildConfig(kind: ServiceKind, input: Partial<ServiceInput>, base: ServiceConfig | null): ServiceConfig {
  const pick = <K extends keyof ServiceInput>(key: K, current: unknown) => (input[key] !== undefined ? (input[key] ?? undefined) : current);
  const config: ServiceConfig = {
    timeoutMs: (pick("timeoutMs", base?.timeoutMs) as number | undefined) ?? SERVICE_LIMITS.defaultTimeoutMs,
  };
  const authHeaderName = input.authHeader !== undefined ? (input.authHeader?.name ?? undefined) : base?.authHeaderName;
  const requestMapping = pick("requestMapping", base?.requestMapping) as RequestMapping | undefined;
  if (authHeaderName) config.authHeaderName = authHeaderName;
  if (requestMapping) config.requestMapping = requestMapping;
  if (kind === "subscription") {
    const responseMapping = pick("responseMapping", base?.responseMapping) as SubscriptionResponseMapping | undefined;
    if (responseMapping) config.responseMapping = responseMapping;
  } else {
    const filename = pick("filename", base?.filename) as string | undefined;
    if (filename) config.filename = filename;
  }
  return config;
}

/**
 * Saves a new service. The URL must pass the outbound-URL policy (422 naming `url`), mappings
 * must parse, and the auth header's value is sealed with API_KEY_ENCRYPTION_KEY bound to the row.
 */
export async function createService(ctx: ServiceContext, kind: ServiceKind, input: ServiceInput): Promise<ServiceView> {
  checkInput(ctx, kind, input);
  if (kind === "subscription" && !input.responseMapping) {
    throw new ApiError("unprocessable", { detail: "A subscription service needs a responseMapping", errors: [{ path: "responseMapping", message: "Required: where the answer lists recipients" }] });
  }
  const [existing] = await ctx.db.select({ n: count() }).from(tenantServices).where(and(eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, kind)));
  if ((existing?.n ?? 0) >= SERVICE_LIMITS.maxPerKind) {
    throw new ApiError("conflict", { detail: `A tenant may have at most ${SERVICE_LIMITS.maxPerKind} ${kind} services; delete one first` });
  }
  const id = uuidv7(ctx.now.getTime());
  const row: TenantServiceRow = {
    id,
    tenantId: ctx.tenant.id,
    kind,
    name: input.name,
    url: input.url,
    authHeaderCiphertext: input.authHeader ? await seal(ctx.env.API_KEY_ENCRYPTION_KEY, JSON.stringify(input.authHeader), authHeaderContext(ctx.tenant.id, id)) : null,
    config: buildConfig(kind, input, null) as unknown as Record<string, unknown>,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await ctx.db.insert(tenantServices).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(kind, input.name);
    throw err;
  }
  return toServiceView(row);
}

/** This tenant's service of this kind; another tenant's is indistinguishable from none (404). */
export async function getService(ctx: ServiceContext, kind: ServiceKind, id: string): Promise<TenantServiceRow> {
  const row = await ctx.db.query.tenantServices.findFirst({
    where: and(eq(tenantServices.id, id.toLowerCase()), eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, kind)),
  });
  if (!row) throw new ApiError("not_found", { detail: `No ${kind} service ${id}` });
  return row;
}

export async function listServices(ctx: ServiceContext, kind: ServiceKind, page: PageRequest): Promise<Page<ServiceView>> {
  const rows = await ctx.db
    .select()
    .from(tenantServices)
    .where(and(eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, kind), olderThan(tenantServices.createdAt, tenantServices.id, page.cursor)))
    .orderBy(desc(tenantServices.createdAt), desc(tenantServices.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toServiceView);
}

/** Applies a patch: given fields replace, `null` clears an optional one; the URL is checked again. */
export async function updateService(ctx: ServiceContext, kind: ServiceKind, id: string, patch: Partial<ServiceInput>): Promise<ServiceView> {
  const current = await getService(ctx, kind, id);
  checkInput(ctx, kind, patch);
  if (kind === "subscription" && patch.responseMapping === null) {
    throw new ApiError("unprocessable", { detail: "A subscription service needs a responseMapping", errors: [{ path: "responseMapping", message: "Cannot be cleared" }] });
  }
  const sealed =
    patch.authHeader === undefined || patch.authHeader === null
      ? patch.authHeader
      : await seal(ctx.env.API_KEY_ENCRYPTION_KEY, JSON.stringify(patch.authHeader), authHeaderContext(ctx.tenant.id, current.id));
  // Only what the patch names is written, each config key merged inside the one UPDATE, so
  // concurrent patches (a timeout and an auth header rotation) never undo each other.
  const configPatch: Record<string, unknown> = {
    timeoutMs: patch.timeoutMs === null ? SERVICE_LIMITS.defaultTimeoutMs : patch.timeoutMs,
    authHeaderName: patch.authHeader === undefined ? undefined : (patch.authHeader?.name ?? null),
    requestMapping: patch.requestMapping,
    ...(kind === "subscription" ? { responseMapping: patch.responseMapping } : { filename: patch.filename }),
  };
  let rows: TenantServiceRow[];
  try {
    rows = await ctx.db
      .update(tenantServices)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(sealed !== undefined ? { authHeaderCiphertext: sealed } : {}),
        config: mergeJson(tenantServices.config, configPatch),
        updatedAt: ctx.now,
      })
      .where(and(eq(tenantServices.id, current.id), eq(tenantServices.tenantId, ctx.tenant.id)))
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(kind, patch.name ?? current.name);
    throw err;
  }
  if (!rows[0]) throw new ApiError("not_found", { detail: `No ${kind} service ${id}` });
  return toServiceView(rows[0]);
}

export async function deleteService(ctx: ServiceContext, kind: ServiceKind, id: string): Promise<void> {
  const deleted = await ctx.db
    .delete(tenantServices)
    .where(and(eq(tenantServices.id, id.toLowerCase()), eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, kind)))
    .returning({ id: tenantServices.id });
  if (deleted.length === 0) throw new ApiError("not_found", { detail: `No ${kind} service ${id}` });
}

/** A service ready to call: its row, config and opened auth header. */
export interface CallableService {
  row: TenantServiceRow;
  config: ServiceConfig;
  authHeader: AuthHeaderInput | null;
  /** `subscription service "applicants"`, for messages. */
  label: string;
}

/** Opens a row's auth header; a ciphertext that no longer opens (key changed) is reported, not thrown raw. */
export async function callable(encryptionKey: string | undefined, row: TenantServiceRow): Promise<CallableService | { error: string }> {
  const label = describeService(row.kind, row.name);
  let authHeader: AuthHeaderInput | null = null;
  if (row.authHeaderCiphertext) {
    try {
      authHeader = JSON.parse(await open(encryptionKey, row.authHeaderCiphertext, authHeaderContext(row.tenantId, row.id))) as AuthHeaderInput;
    } catch {
      return { error: `the ${label}'s auth header cannot be decrypted (was API_KEY_ENCRYPTION_KEY changed?); save it again` };
    }
  }
  return { row, config: row.config as unknown as ServiceConfig, authHeader, label };
}

/** Finds a tenant's service by kind and name (how sends refer to them). */
export async function findServiceByName(ctx: Pick<ServiceContext, "db" | "tenant">, kind: ServiceKind, name: string): Promise<TenantServiceRow | undefined> {
  return ctx.db.query.tenantServices.findFirst({
    where: and(eq(tenantServices.tenantId, ctx.tenant.id), eq(tenantServices.kind, kind), eq(tenantServices.name, name)),
  });
}
