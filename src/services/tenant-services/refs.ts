import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { tenantServices } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";

/**
 * Subscription services named in stored settings must exist, so a saved default cannot break a
 * later send. One query for all of them; each unknown name is an error at its path.
 *
 * @example
 * ```ts
 * await checkSubscriptionRefs(db, tenantId, [{ name: "applicants", path: "email.subscription" }]) // [] when it exists
 * ```
 */
export async function checkSubscriptionRefs(db: Db, tenantId: string, refs: { name: string; path: string }[]): Promise<FieldError[]> {
  if (refs.length === 0) return [];
  const rows = await db
    .select({ name: tenantServices.name })
    .from(tenantServices)
    .where(and(eq(tenantServices.tenantId, tenantId), eq(tenantServices.kind, "subscription"), inArray(tenantServices.name, refs.map((r) => r.name))));
  const known = new Set(rows.map((r) => r.name));
  return refs.filter((r) => !known.has(r.name)).map((r) => ({ path: r.path, message: `No subscription service named "${r.name}"` }));
}
