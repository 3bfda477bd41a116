import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { confirmDownload, EMAIL_FILE_CONFIRM_LIMIT, emailFileResponse, openEmailFile } from "../../services/email-files/download";
import { EMAIL_FILE_PATH } from "../../services/email-files/plan";
import { PAGE_HEADERS } from "../unsubscribe/page";
import { downloadPage, FILE_DESCRIPTION, FileParamsSchema, FileQuerySchema, lockedPage, unavailable } from "./page";

const FormSchema = z.object({
  email: z.string().max(320).optional().openapi({ description: "The address the email was sent to; required when the sender asked for confirmation" }),
});

const route = createRoute({
  method: "post",
  path: `${EMAIL_FILE_PATH}/{fileId}`,
  tags: ["Files sent by email"],
  summary: "A file sent by email: the download",
  description: `${FILE_DESCRIPTION} The download page's form: the file, as an attachment, when no confirmation was asked for or \`email\` is an address the email went to (case aside); otherwise the page again with an error (403). After ${EMAIL_FILE_CONFIRM_LIMIT} wrong addresses the file is locked for the rest of its retention: every address, the right one too, gets a page saying so (429).`,
  request: {
    params: FileParamsSchema,
    query: FileQuerySchema,
    body: { required: false, content: { "application/x-www-form-urlencoded": { schema: FormSchema } } },
  },
  responses: {
    200: { description: "The file (Content-Disposition: attachment)", content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } } },
    403: { description: "Not the address the file was sent to: the page again, with an error", content: { "text/html": { schema: z.string() } } },
    429: { description: `Locked after ${EMAIL_FILE_CONFIRM_LIMIT} wrong addresses: no address is taken any more`, content: { "text/html": { schema: z.string() } } },
    404: { description: "Unknown id or wrong key", content: { "text/html": { schema: z.string() } } },
    410: { description: "The file's retention period has passed", content: { "text/html": { schema: z.string() } } },
    ...problemResponses(400),
  },
});

export function registerPostEmailFile(app: App): void {
  app.openapi(route, async (c) => {
    const { key } = c.req.valid("query");
    const opened = await openEmailFile(c.get("db"), c.req.valid("param").fileId, key, new Date());
    if (opened.kind !== "ok") return unavailable(c, opened.kind) as never;
    const { file, tenantName } = opened;
    const form = /application\/x-www-form-urlencoded/i.test(c.req.header("content-type") ?? "") ? c.req.valid("form") : {};
    const outcome = await confirmDownload(c.get("db"), file, form.email ?? "");
    if (outcome === "locked") return lockedPage(c, tenantName) as never;
    if (outcome === "wrong") return c.html(downloadPage({ file, tenantName, key: key!, error: true }), 403, PAGE_HEADERS) as never;
    return ((await emailFileResponse(c.env.BUCKET, file)) ?? unavailable(c, "expired")) as never;
  });
}
