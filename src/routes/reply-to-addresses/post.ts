import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createReplyTo } from "../../services/senders/reply-to";
import { MAX_SENDERS_PER_TENANT } from "../../services/senders/store";
import { serviceContext } from "../context";
import { CreateReplyToSchema, REPLY_TO_TAG, ReplyToSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/tenant/reply-to-addresses",
  tags: [REPLY_TO_TAG],
  summary: "Add a reply-to address",
  description: `An invalid address is a 422 at \`email\`; one already added, or more than ${MAX_SENDERS_PER_TENANT}, a 409. \`isDefault: true\` makes it the only default.`,
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateReplyToSchema } } } },
  responses: {
    201: { description: "The address", content: { "application/json": { schema: ReplyToSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateReplyTo(app: App): void {
  app.openapi(route, async (c) => {
    const view = await createReplyTo(serviceContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/tenant/reply-to-addresses/${view.id}`);
    return c.json(view, 201);
  });
}
