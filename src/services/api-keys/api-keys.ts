import { and, desc, eq } from "drizzle-orm";
import type { OperatorContext } from "../context";
import { insertRowIf } from "../../db/json-rows";
import { olderThan } from "../../db/keyset";
import { type ApiKeyPermission, type ApiKeyRow, type ApiKeyType, apiKeys } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto/hash";
import { seal } from "../../lib/crypto/secret-box";
import { uuidv7 } from "../../lib/ids";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import { formatCombinedKey } from "./combined-key";
import { keyPermissions } from "./permissions";
import { forgetCredentials } from "../auth/credential-cache";
import { assertNotSystemTenant } from "../tenants/system-tenant";

export interface ApiKeyView {
  id: string;
  tenantId: string;
  name: string;
  type: ApiKeyType;
  permissions: ApiKeyPermission[];
  createdAt: string;
  revokedAt: string | null;
  /** When the key last authenticated a request, to within an hour (auth/key-use.ts); null if never. */
  lastUsedAt: string | null;
}

export function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    type: row.type,
    permissions: row.permissions,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
    lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  };
}

/** AAD binding a sealed secret to its row. */
export function secretContext(tenantId: string, keyId: string): string {
  return `api-key/${tenantId}/${keyId}`;
}

/**
 * Creates a key and returns it once in combined form; only its hash and ciphertext are kept.
 * The secret is a random UUID string because Notify clients take the last 36 characters of the
 * combined key as the HMAC secret. `newNameOnly` (the admin forms) refuses a name one of the
 * tenant's unrevoked keys already has (409 at `name`), decided by the INSERT itself, so a form
 * posted twice (or its result page reloaded) makes one key whose secret the person saw, not
 * several live keys of the same name nobody saw. The API keeps allowing duplicate names.
 *
 * @example
 * ```ts
 * const key = await createApiKey(ctx, tenantId, { name: "billing", type: "live" }, { newNameOnly: true });
 * ```
 */
export async function createApiKey(
  ctx: OperatorContext,
  tenantId: string,
  input: { name: string; type: ApiKeyType; permissions?: ApiKeyPermission[] },
  options: { newNameOnly?: boolean } = {},
): Promise<ApiKeyView & { key: string }> {
  // A key of the system tenant would read the deployment's own mail (admin sign-in links).
  assertNotSystemTenant(tenantId, "API keys");
  const id = uuidv7();
  const secret = crypto.randomUUID();
  const row: ApiKeyRow = {
    id,
    tenantId,
    name: input.name.trim(),
    type: input.type,
    secretHash: await sha256Hex(secret),
    secretCiphertext: await seal(ctx.env.API_KEY_ENCRYPTION_KEY, secret, secretContext(tenantId, id)),
    permissions: keyPermissions(input.type, input.permissions),
    createdAt: ctx.now,
    revokedAt: null,
    lastUsedAt: null,
  };
  if (options.newNameOnly) {
    // One statement decides, so concurrent posts of the same form cannot all pass a read made first.
    const { meta } = await insertRowIf(ctx.env.DB, apiKeys, row, "NOT EXISTS (SELECT 1 FROM api_keys WHERE tenant_id = ? AND name = ? AND revoked_at IS NULL)", [tenantId, row.name]).run();
    if (meta.changes === 0) {
      throw new ApiError("conflict", {
        detail: `An active API key is already called ${row.name}`,
        errors: [{ path: "name", message: "An active key already has this name: use that key, revoke it, or choose another name" }],
      });
    }
  } else {
    await ctx.db.insert(apiKeys).values(row);
  }
  // A JWT is checked against the tenant's remembered keys, which do not include this one yet.
  forgetCredentials();
  return { ...toApiKeyView(row), key: formatCombinedKey(row.name, tenantId, secret) };
}

export async function listApiKeys(ctx: OperatorContext, tenantId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), olderThan(apiKeys.createdAt, apiKeys.id, page.cursor)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toApiKeyView);
}

/**
 * One of the tenant's keys (never its secret); another tenant's id answers 404 like an unknown one.
 *
 * @example
 * ```ts
 * await getApiKey(ctx, ctx.tenant.id, keyId) // { id, name: "ci", type: "test", permissions: ["send", "read"], … }
 * ```
 */
export async function getApiKey(ctx: OperatorContext, tenantId: string, keyId: string): Promise<ApiKeyView> {
  const row = await ctx.db.query.apiKeys.findFirst({ where: and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)) });
  if (!row) throw new ApiError("not_found", { detail: `Tenant ${tenantId} has no API key ${keyId}` });
  return toApiKeyView(row);
}

/** Revokes a key; revoking a revoked key is a no-op so retries are safe. */
export async function revokeApiKey(ctx: OperatorContext, tenantId: string, keyId: string): Promise<ApiKeyView> {
  const existing = await ctx.db.query.apiKeys.findFirst({ where: and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)) });
  if (!existing) throw new ApiError("not_found", { detail: `Tenant ${tenantId} has no API key ${keyId}` });
  if (existing.revokedAt) return toApiKeyView(existing);
  const revokedAt = ctx.now;
  await ctx.db.update(apiKeys).set({ revokedAt }).where(eq(apiKeys.id, keyId));
  forgetCredentials();
  return toApiKeyView({ ...existing, revokedAt });
}
