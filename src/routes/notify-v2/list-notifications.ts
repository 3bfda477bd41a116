import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listV2Notifications, NOTIFY_LIST_STATUSES, V2_PAGE_SIZE } from "../../services/notify-v2/notifications";
import { serviceContext } from "../context";
import { notifyErrorResponses, registerV2 } from "./framework";
import { V2NotificationListSchema } from "./schemas";

/** A query key given once is a string, given again an array: both read as a list. */
const repeatable = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).max(50)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const route = createRoute({
  method: "get",
  path: "/v2/notifications",
  summary: "Notifications, a page at a time (GOV.UK Notify v2)",
  description: `The calling key's type's notifications (a test key sees its test sends only), newest first, ${V2_PAGE_SIZE} a page. \`links.next\` pages with \`older_than\`; it is left out of an empty page. Mail merges and bulk sends (jobs) only with \`include_jobs=true\`, each as its first message.`,
  ...tenantAccess("read"),
  request: {
    query: z
      .object({
        template_type: repeatable(z.enum(["sms", "email", "letter"])).optional().openapi({ description: "sms, email or letter; repeatable" }),
        status: repeatable(z.enum(NOTIFY_LIST_STATUSES)).optional().openapi({ description: "Notify's statuses (`failed` = the three failures); repeatable" }),
        reference: z.string().max(1000).optional(),
        older_than: z
          .string()
          .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "is not a valid UUID")
          .optional()
          .openapi({ description: "A notification id: the page after it" }),
        include_jobs: z.enum(["true", "True"]).optional(),
      })
      .strict(),
  },
  responses: {
    200: { description: "A page", content: { "application/json": { schema: V2NotificationListSchema } } },
    ...notifyErrorResponses(400, 401, 403),
  },
});

export function registerV2ListNotifications(app: App): void {
  registerV2(app, route, async (c) => {
    const query = c.req.valid("query");
    const ctx = serviceContext(c);
    const page = await listV2Notifications(ctx, { ...query, include_jobs: query.include_jobs !== undefined });
    // Links on the path called (/v2 or /gcnotify/v2), with the query as given.
    const url = new URL(c.req.url);
    const current = `${ctx.origin}${url.pathname}${url.search}`;
    const links: { current: string; next?: string } = { current };
    if (page.length > 0) {
      const next = new URLSearchParams(url.search);
      next.set("older_than", page.at(-1)!.id);
      links.next = `${ctx.origin}${url.pathname}?${next.toString()}`;
    }
    return c.json({ notifications: page, links }, 200);
  });
}
