import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listV2ReceivedTexts, V2_RECEIVED_TEXTS_PAGE_SIZE } from "../../services/received-texts/list";
import { V2ReceivedTextListSchema } from "../received-texts/schemas";
import { serviceContext } from "../context";
import { notifyErrorResponses, registerV2 } from "./framework";

const route = createRoute({
  method: "get",
  path: "/v2/received-text-messages",
  summary: "Received text messages (GOV.UK Notify v2)",
  description:
    `Texts received on the tenant's inbound SMS senders, newest first, ${V2_RECEIVED_TEXTS_PAGE_SIZE} a page, as Notify answers them. ` +
    "`older_than` (a text's id) gives the page after it; an id that is not one of the tenant's texts gives an empty page. " +
    "`links.current` is this route without a query and `links.next` adds `older_than` of the page's last text; `next` is left out of an empty page. Any key type reads them, as in Notify.",
  ...tenantAccess("read"),
  request: {
    query: z
      .object({
        older_than: z
          .string()
          .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "is not a valid UUID")
          .optional()
          .openapi({ description: "A received text's id: the page after it" }),
      })
      .strict(),
  },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: V2ReceivedTextListSchema } } },
    ...notifyErrorResponses(400, 401, 403),
  },
});

/** GET /v2/received-text-messages (and /gcnotify/v2/…). */
export function registerV2ListReceivedTexts(app: App): void {
  registerV2(app, route, async (c) => {
    const ctx = serviceContext(c);
    const page = await listV2ReceivedTexts(ctx, c.req.valid("query").older_than);
    // As Notify's url_for: `current` without the query, on the path called (/v2 or /gcnotify/v2).
    const current = `${ctx.origin}${new URL(c.req.url).pathname}`;
    const links: { current: string; next?: string } = { current };
    if (page.length > 0) links.next = `${current}?older_than=${page.at(-1)!.id}`;
    return c.json({ received_text_messages: page, links }, 200);
  });
}
