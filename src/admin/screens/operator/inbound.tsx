import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { assignInboundNumber, listInboundNumbers, releaseInboundNumber } from "../../../services/senders/inbound-numbers";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ConfirmPage } from "../../confirm";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formErrorOf, renderDetail } from "./detail";
import { field, isUuid, tenantOr404, tenantPath } from "./shared";

/**
 * A tenant's inbound numbers from its operator page: `POST /admin/tenants/:id/inbound-numbers`
 * assigns one (the service's rules: a phone number, one tenant per number, a 409 naming the
 * holder shown at the field); `GET|POST …/inbound-numbers/:senderId/release` confirms and
 * releases. Both audited under the tenant.
 */
export function registerInboundNumberScreens(admin: Hono<AdminEnv>): void {
  admin.post("/tenants/:id/inbound-numbers", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const form = await c.req.parseBody();
    const number = field(form, "number", 40).trim();
    if (number === "") return renderDetail(c, tenant, { errors: [{ field: "number", message: "Enter the phone number to assign" }], number }, 422);
    let assigned;
    try {
      assigned = await assignInboundNumber(ctx, tenant, { number, isDefault: field(form, "isDefault", 10) === "true" });
    } catch (err) {
      return renderDetail(c, tenant, { errors: [formErrorOf(err, "number")], number }, 422);
    }
    await audit(ctx, "inbound_number.assigned", `sms_sender:${assigned.sender.id}`, { number: assigned.sender.sender, isDefault: assigned.sender.isDefault }, { tenantId: tenant.id });
    return c.redirect(`${tenantPath(tenant.id)}?done=assigned`, 303);
  });

  admin.get("/tenants/:id/inbound-numbers/:senderId/release", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const senderId = c.req.param("senderId").toLowerCase();
    const number = (await listInboundNumbers(ctx, tenant.id)).items.find((n) => n.id === senderId);
    if (!number) throw new AdminPageError(404, "This tenant has no such inbound number.");
    const back = tenantPath(tenant.id);
    return page(
      c,
      "Release inbound number",
      <ConfirmPage
        back={back}
        backText={`Back to ${tenant.name}`}
        heading={
          <>
            Release {number.sender} from ‘{tenant.name}’?
          </>
        }
        action={`${back}/inbound-numbers/${number.id}/release`}
        button="Release number"
      >
        <p class="body">Texts sent to this number are no longer received by anyone until you assign it again. Texts already received are kept.</p>
      </ConfirmPage>,
    );
  });

  admin.post("/tenants/:id/inbound-numbers/:senderId/release", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const senderId = c.req.param("senderId");
    if (!isUuid(senderId)) throw new AdminPageError(404, "This tenant has no such inbound number.");
    try {
      await releaseInboundNumber(ctx, tenant.id, senderId);
    } catch (err) {
      formErrorOf(err, "number");
      throw new AdminPageError(404, "This tenant has no such inbound number.");
    }
    await audit(ctx, "inbound_number.released", `sms_sender:${senderId.toLowerCase()}`, undefined, { tenantId: tenant.id });
    return c.redirect(`${tenantPath(tenant.id)}?done=released`, 303);
  });
}
