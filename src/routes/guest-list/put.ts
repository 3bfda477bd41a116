import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { normaliseGuestList, replaceGuestList } from "../../services/guest-list/guest-list";
import { defaultRegion } from "../../services/send/defaults";
import { serviceContext } from "../context";
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
    const ctx = serviceContext(c);
    const list = normaliseGuestList(c.req.valid("json"), defaultRegion(ctx));
    return c.json(await replaceGuestList(ctx, list), 200);
  });
}
