import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { normaliseGuestList, replaceGuestList } from "../../services/guest-list/guest-list";
import { defaultRegion } from "../../services/send/defaults";
import type { TenantSettings } from "../../services/tenants/settings";
import { getTenant } from "../../services/tenants/tenants";
import { GuestListSchema } from "./schemas";

const route = createRoute({
  method: "put",
  path: "/api/v1/tenant/guest-list",
  tags: ["Tenant"],
  summary: "Replace your guest list",
  description:
    "Replaces the whole list (send `[]` to empty a part). Entries are normalised the way recipients are; an invalid entry is a 422 " +
    "naming `emails[i]` or `phones[i]`, and then nothing changes. Repeats are dropped.",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: GuestListSchema } } } },
  responses: {
    200: { description: "The guest list as stored", content: { "application/json": { schema: GuestListSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerPutGuestList(app: App): void {
  app.openapi(route, async (c) => {
    const db = c.get("db");
    const tenant = await getTenant(db, c.get("tenant").tenantId);
    const list = normaliseGuestList(c.req.valid("json"), defaultRegion({ settings: tenant.settings as TenantSettings, env: c.env }));
    return c.json(await replaceGuestList(db, tenant.id, list), 200);
  });
}
