import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ApiKeyRow, apiKeys, type TenantRow, tenants } from "../../db/schema";

/** A tenant with all its keys (revoked ones included, so a revoked key gets a precise refusal). */
export interface TenantWithKeys {
  tenant: TenantRow;
  keys: ApiKeyRow[];
}

export async function loadTenantWithKeys(db: Db, tenantId: string): Promise<TenantWithKeys | null> {
  const [tenantRows, keyRows] = await db.batch([
    db.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1),
    db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)),
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
