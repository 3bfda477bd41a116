import { and, eq } from "drizzle-orm";
import { notifications } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";

/**
 * The notification's id (lower-cased) when it is this tenant's; 404 otherwise, another tenant's
 * being indistinguishable from none. Its own query, because a listing under a notification
 * cannot tell "not yours" (404) from "yours, with nothing matching" (an empty page).
 *
 * @example
 * ```ts
 * const id = await ownedNotificationId(ctx, notifyId);
 * ```
 */
export async function ownedNotificationId(ctx: ServiceContext, notifyId: string): Promise<string> {
  const id = notifyId.toLowerCase();
  const [owned] = await ctx.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.tenantId, ctx.tenant.id)))
    .limit(1);
  if (!owned) throw new ApiError("not_found", { detail: `No notification ${notifyId}` });
  return id;
}
