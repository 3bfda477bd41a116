import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../../lib/router";
import { tenantAccess } from "../../../middleware/auth";
import { v2TemplatePages } from "../../../services/notify-v2/templates";
import { serviceContext } from "../../context";
import { notifyErrorResponses, registerV2 } from "../framework";
import { NotifyTemplateListSchema, NotifyTemplatesQuerySchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v2/templates",
  summary: "List templates (Notify v2)",
  description:
    "Every email and SMS template of the caller's tenant at its current version, by name, unpaged as in Notify. `type` is the only query key; `letter` lists none; msgApp templates are not Notify types and are left out.",
  ...tenantAccess("read"),
  request: { query: NotifyTemplatesQuerySchema },
  responses: {
    200: { description: "The templates", content: { "application/json": { schema: NotifyTemplateListSchema } } },
    ...notifyErrorResponses(400, 401, 403),
  },
});

const encoder = new TextEncoder();

export function registerV2ListTemplates(app: App): void {
  registerV2(app, route, async (c) => {
    const pages = v2TemplatePages(serviceContext(c), c.req.valid("query").type);
    // The first page is read before answering, so a failing read is still an error response;
    // later pages stream, so a tenant's many large templates are never all held at once.
    const first = await pages.next();
    let started = false;
    const chunk = (items: unknown[]) => {
      const text = items.map((item) => JSON.stringify(item)).join(",");
      const out = started && text ? `,${text}` : text;
      if (text) started = true;
      return encoder.encode(out);
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"templates":['));
        if (!first.done) controller.enqueue(chunk(first.value));
        if (first.done) {
          controller.enqueue(encoder.encode("]}"));
          controller.close();
        }
      },
      async pull(controller) {
        const next = await pages.next();
        if (next.done) {
          controller.enqueue(encoder.encode("]}"));
          controller.close();
        } else {
          controller.enqueue(chunk(next.value));
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    });
    return c.body(body, 200, { "content-type": "application/json" });
  });
}
