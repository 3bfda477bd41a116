import type { Env } from "../../env";
import { LruCache } from "../../lib/lru-cache";

/** Ids of tenants' objects this isolate has named: enough for every busy tenant, bounded in memory. */
const ids = new LruCache<string, DurableObjectId>(1_000);

/**
 * The tenant's TenantGate (its limits, duplicate window and idempotency keys). Naming an object
 * hashes its name, which every send would repeat; an id is the same for the isolate's life, so
 * it is kept.
 *
 * @example
 * ```ts
 * const result = await tenantGate(env, tenant.id).admit({ bucket: "send:live", perMinute: 3000, daily: {} });
 * ```
 */
export function tenantGate(env: Env, tenantId: string): ReturnType<Env["TENANT_GATE"]["get"]> {
  let id = ids.get(tenantId);
  if (!id) {
    id = env.TENANT_GATE.idFromName(tenantId);
    ids.set(tenantId, id);
  }
  return env.TENANT_GATE.get(id);
}
