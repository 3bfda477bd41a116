import type { TenantRow, TenantStatus } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import type { OperatorContext } from "../../../services/context";
import { getTenant } from "../../../services/tenants/tenants";
import { AdminPageError } from "../../errors";
import { Tag } from "../../layout";

export const TENANTS_PATH = "/admin/tenants";

/** A tenant id as tenants carry them (a UUID, its region marker included); anything else is a 404 without a query. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Form fields are bounded like every input: longer values are cut before use. */
export function field(form: Record<string, unknown>, name: string, max = 1000): string {
  const value = form[name];
  return typeof value === "string" ? value.slice(0, max) : "";
}

/** The tenant a URL names, or the 404 page (an id that is not a UUID is not looked up). */
export async function tenantOr404(ctx: Pick<OperatorContext, "db">, id: string): Promise<TenantRow> {
  const notFound = new AdminPageError(404, "There is no such tenant.");
  if (!UUID.test(id)) throw notFound;
  try {
    return await getTenant(ctx, id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw notFound;
    throw err;
  }
}

/** True when `id` has the shape of a record id (keys, senders). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** A tenant's status as a tag: live green, trial blue. */
export function StatusTag({ status }: { status: TenantStatus }) {
  return <Tag tone={status === "live" ? "green" : "blue"}>{status === "live" ? "Live" : "Trial"}</Tag>;
}

/** A success banner after a redirect (GOV.UK's notification banner). */
export function Notice({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div class="notification-banner notification-banner--success" role="status">
      <p class="body">{text}</p>
    </div>
  );
}

/** An instant as people read it, in UTC. */
export function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** Path of one tenant's detail page. */
export function tenantPath(id: string): string {
  return `${TENANTS_PATH}/${id}`;
}
