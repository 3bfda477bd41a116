import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { readGuestList } from "../../services/guest-list/guest-list";
import { GuestListSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/guest-list",
  tags: ["Tenant"],
  summary: "Your guest list: who team keys, and every key while in trial, may send to",
  ...tenantAccess("read"),
  responses: {
    200: { description: "The guest list, normalised (lower-cased addresses, E.164 numbers)", content: { "application/json": { schema: GuestListSchema } } },
    ...problemResponses(401, 403),
  },
});

export function registerGetGuestList(app: App): void {
  app.openapi(route, async (c) => c.json(await readGuestList(serviceContext(c)), 200));
}
