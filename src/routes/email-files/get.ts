import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { confirmLocked, EMAIL_FILE_CONFIRM_LIMIT, openEmailFile } from "../../services/email-files/download";
import { EMAIL_FILE_PATH } from "../../services/email-files/plan";
import { PAGE_HEADERS } from "../unsubscribe/page";
import { downloadPage, FILE_DESCRIPTION, FileParamsSchema, FileQuerySchema, lockedPage, unavailable } from "./page";

const route = createRoute({
  method: "get",
  path: `${EMAIL_FILE_PATH}/{fileId}`,
  tags: ["Files sent by email"],
  summary: "A file sent by email: the download page",
  description: `${FILE_DESCRIPTION} GET only shows the page: the file itself is the answer to its form's POST (with the recipient's email address when the sender asked for confirmation).`,
  request: { params: FileParamsSchema, query: FileQuerySchema },
  responses: {
    200: { description: "The download page", content: { "text/html": { schema: z.string() } } },
    404: { description: "Unknown id or wrong key", content: { "text/html": { schema: z.string() } } },
    429: { description: `Locked after ${EMAIL_FILE_CONFIRM_LIMIT} wrong addresses: the page says so instead of asking again`, content: { "text/html": { schema: z.string() } } },
    410: { description: "The file's retention period has passed", content: { "text/html": { schema: z.string() } } },
    ...problemResponses(400),
  },
});

export function registerGetEmailFile(app: App): void {
  app.openapi(route, async (c) => {
    const { key } = c.req.valid("query");
    const opened = await openEmailFile(c.get("db"), c.req.valid("param").fileId, key, new Date());
    if (opened.kind !== "ok") return unavailable(c, opened.kind) as never;
    if (confirmLocked(opened.file)) return lockedPage(c, opened.tenantName) as never;
    return c.html(downloadPage({ file: opened.file, tenantName: opened.tenantName, key: key! }), 200, PAGE_HEADERS);
  });
}
