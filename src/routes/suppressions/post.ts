import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { suppressRecipient } from "../../services/suppressions/suppressions";
import { serviceContext } from "../context";
import { CreateSuppressionSchema, SuppressionSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/suppressions",
  tags: ["Suppressions"],
  summary: "Suppress a recipient on a channel",
  description:
    "Later sends leave the recipient out (the send's `suppressed` says so; a send left with no recipient is a 422). Idempotent: a recipient already suppressed on the channel answers 200 with the existing entry, unchanged; a new one answers 201. An invalid address or number is a 422 naming `recipient`.",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateSuppressionSchema } } } },
  responses: {
    201: { description: "Added", content: { "application/json": { schema: SuppressionSchema } } },
    200: { description: "Already suppressed: the existing entry", content: { "application/json": { schema: SuppressionSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerCreateSuppression(app: App): void {
  app.openapi(route, async (c) => {
    const { created, suppression } = await suppressRecipient(await serviceContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/suppressions/${suppression.id}`);
    return created ? c.json(suppression, 201) : c.json(suppression, 200);
  });
}
