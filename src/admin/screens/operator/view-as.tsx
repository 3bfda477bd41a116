import type { Hono } from "hono";
import { startViewingAs, stopViewingAs } from "../../../services/admin-identity";
import { isSystemTenantId } from "../../../services/tenants/system-tenant";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ConfirmPage } from "../../confirm";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { TENANTS_PATH, tenantOr404, tenantPath } from "./shared";

/**
 * A read-only, audited view of a tenant's screens for the operator. `GET /admin/tenants/:id/view-as`
 * is the confirmation page; its POST writes the tenant into the operator's session
 * (startViewingAs) and opens the tenant's dashboard. From then on the session is that tenant's
 * `read` role (src/admin/middleware.ts): the tenant's screens as a read user sees them, a banner
 * on every page, every request audited under the tenant, every form post refused but
 * `POST /admin/view-as/stop`, which returns to the tenant's operator page. The system tenant
 * cannot be viewed (its notifications hold other tenants' sign-in links).
 */
export function registerViewAsScreens(admin: Hono<AdminEnv>): void {
  admin.get("/tenants/:id/view-as", requireAdmin("operator"), async (c) => {
    const tenant = await tenantOr404(operatorContextOf(c), c.req.param("id"));
    if (isSystemTenantId(tenant.id)) throw new AdminPageError(422, "The system tenant's screens cannot be viewed: its notifications hold other tenants' sign-in links.");
    const back = tenantPath(tenant.id);
    const viewing = c.get("admin")?.viewing;
    return page(
      c,
      `View as ${tenant.name}`,
      <ConfirmPage back={back} backText={`Back to ${tenant.name}`} heading={<>View ‘{tenant.name}’ as this tenant?</>} action={viewing ? undefined : `${back}/view-as`} button="View as this tenant" warning={false}>
        <p class="body">You will see the tenant's screens (dashboard, templates, activity, event types, recipients, settings) as one of its users with the read role sees them. Nothing can be changed while you view.</p>
        <p class="body">Every page you open is recorded in the tenant's audit log, which its administrators can read.</p>
        {viewing && <p class="body">You are viewing {viewing.tenantName}. Stop viewing it first (the button at the top of the page).</p>}
      </ConfirmPage>,
    );
  });

  admin.post("/tenants/:id/view-as", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    await startViewingAs(ctx, c.get("sessionCookie"), tenant.id);
    return c.redirect("/admin/dashboard", 303);
  });

  // No requireAdmin: it refuses every post while viewing, and this is the way out.
  admin.post("/view-as/stop", async (c) => {
    if (c.get("admin")?.kind !== "operator") throw new AdminPageError(403, "This is for operators.");
    const was = await stopViewingAs(operatorContextOf(c), c.get("sessionCookie"));
    return c.redirect(was ? tenantPath(was) : TENANTS_PATH, 303);
  });
}
