import type { Env } from "../../env";
import { LruCache } from "../../lib/lru-cache";
import { placedNamespace } from "../../lib/regions";

/** Ids of tenants' objects this isolate has named: enough for every busy tenant, bounded in memory. */
const ids = new LruCache<string, DurableObjectId>(1_000);

/**
 * The tenant's TenantGate (its limits, duplicate window and idempotency keys). Naming an object
 * hashes its name, which every send would repeat; an id is the same for the isolate's life, so
 * it is kept. The object lives in the deployment's Durable Object jurisdiction (lib/regions.ts),
 * so a region's limits and idempotency keys stay in its region.
 *
 * @example
 * ```ts
 * const result = await tenantGate(env, tenant.id).admit({ bucket: "send:live", perMinute: 3000, daily: {} });
 * ```
 */
export function tenantGate(env: Env, tenantId: string): ReturnType<Env["TENANT_GATE"]["get"]> {
  const { namespace, options } = placedNamespace(env, env.TENANT_GATE);
  let id = ids.get(tenantId);
  if (!id) {
    id = namespace.idFromName(tenantId);
    ids.set(tenantId, id);
  }
  return namespace.get(id, options);
}
