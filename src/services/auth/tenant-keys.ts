import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ApiKeyRow, apiKeys, type TenantRow, tenants } from "../../db/schema";

/** A tenant with the keys to try (revoked ones included, so a revoked key gets a precise refusal). */
export interface TenantWithKeys {
  tenant: TenantRow;
  keys: ApiKeyRow[];
}

/**
 * A tenant with the keys a JWT may be checked against: active keys newest first, then revoked
 * ones (so a revoked key can still get a precise refusal), at most `limit`, or only the key
 * `keyId` when the token names one.
 *
 * @example
 * ```ts
 * const found = await loadTenantWithKeys(db, claims.iss, { limit: MAX_JWT_KEYS_TRIED });
 * ```
 */
export async function loadTenantWithKeys(db: Db, tenantId: string, options: { limit: number; keyId?: string }): Promise<TenantWithKeys | null> {
  const where = options.keyId ? and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, options.keyId)) : eq(apiKeys.tenantId, tenantId);
  const [tenantRows, keyRows] = await db.batch([
    db.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1),
    db.select().from(apiKeys).where(where).orderBy(sql`${apiKeys.revokedAt} IS NOT NULL`, desc(apiKeys.createdAt)).limit(options.limit),
  ]);
  const tenant = tenantRows[0];
  return tenant ? { tenant, keys: keyRows } : null;
}

export async function findKeyBySecretHash(db: Db, secretHash: string): Promise<{ key: ApiKeyRow; tenant: TenantRow } | null> {
  const rows = await db
    .select({ key: apiKeys, tenant: tenants })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .where(eq(apiKeys.secretHash, secretHash))
    .limit(1);
  return rows[0] ?? null;
}
