import { and, eq } from "drizzle-orm";
import { adminUsers } from "../../db/schema";
import type { ServiceContext } from "../context";

/**
 * The sign-in address of one of the tenant's users (what "send me a test" sends to), or null
 * when there is none: an operator, a session without a user, or a user of another tenant.
 *
 * @example
 * ```ts
 * await signInAddressOf(ctx, admin.userId) // "ada@example.gov"
 * ```
 */
export async function signInAddressOf(ctx: Pick<ServiceContext, "db" | "tenant">, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const row = await ctx.db
    .select({ email: adminUsers.email })
    .from(adminUsers)
    .where(and(eq(adminUsers.id, userId), eq(adminUsers.tenantId, ctx.tenant.id)))
    .get();
  return row?.email ?? null;
}
