import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ServiceKind, tenantServices } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";

/** A stored setting naming a tenant service, and where it is written. */
export interface ServiceRef {
  kind: ServiceKind;
  name: string;
  path: string;
}

/**
 * Services named in stored settings (tenant defaults, event types) must exist, so a saved setting
 * cannot break a later send. One query for all of them; each unknown name is an error at its path.
 *
 * @example
 * ```ts
 * await checkServiceRefs(db, tenantId, [{ kind: "subscription", name: "applicants", path: "email.subscription" }]) // [] when it exists
 * ```
 */
export async function checkServiceRefs(db: Db, tenantId: string, refs: ServiceRef[]): Promise<FieldError[]> {
  if (refs.length === 0) return [];
  const rows = await db
    .select({ kind: tenantServices.kind, name: tenantServices.name })
    .from(tenantServices)
    .where(and(eq(tenantServices.tenantId, tenantId), inArray(tenantServices.name, [...new Set(refs.map((r) => r.name))])));
  const known = new Set(rows.map((r) => `${r.kind}:${r.name}`));
  return refs.filter((r) => !known.has(`${r.kind}:${r.name}`)).map((r) => ({ path: r.path, message: `No ${r.kind} service named "${r.name}"` }));
}
