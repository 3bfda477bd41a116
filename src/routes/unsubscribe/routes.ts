import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { type TenantRow, tenants } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { addSuppression } from "../../services/suppressions/suppressions";
import { UNSUBSCRIBE_PATH } from "../../services/unsubscribe/list-unsubscribe";
import { readUnsubscribeToken, type UnsubscribeClaims, UNSUBSCRIBE_TOKEN_DAYS } from "../../services/unsubscribe/token";
import { confirmPage, donePage, PAGE_HEADERS, refusedPage } from "./page";

const TokenParamSchema = z.object({
  token: z.string().openapi({ param: { name: "token", in: "path" }, description: "The signed, encrypted token of a List-Unsubscribe link" }),
});

const DESCRIPTION = `The link of an email's RFC 8058 \`List-Unsubscribe\` header: one recipient of one tenant, valid ${UNSUBSCRIBE_TOKEN_DAYS} days from the send. No credentials. A forged or altered token is a 404 and an expired one a 400 (an HTML page for browsers, problem+json otherwise); neither changes anything.`;

const getRoute = createRoute({
  method: "get",
  path: `${UNSUBSCRIBE_PATH}/{token}`,
  tags: ["Suppressions"],
  summary: "One-click unsubscribe: the confirmation page",
  description: `${DESCRIPTION} GET only shows a page with an Unsubscribe button (a form POST): mail scanners open links, so a GET never unsubscribes.`,
  request: { params: TokenParamSchema },
  responses: {
    200: { description: "The confirmation page", content: { "text/html": { schema: z.string() } } },
    ...problemResponses(400, 404),
  },
});

const postRoute = createRoute({
  method: "post",
  path: `${UNSUBSCRIBE_PATH}/{token}`,
  tags: ["Suppressions"],
  summary: "One-click unsubscribe (RFC 8058 POST)",
  description: `${DESCRIPTION} Mailbox providers POST \`List-Unsubscribe=One-Click\` (form-encoded); the recipient is added to the tenant's suppression list with source \`unsubscribe\` and the answer is 200. Repeating it answers 200 again and changes nothing.`,
  request: { params: TokenParamSchema },
  responses: {
    200: {
      description: "Unsubscribed (HTML for browsers, JSON otherwise)",
      content: { "application/json": { schema: z.object({ unsubscribed: z.literal(true), channel: z.enum(["email", "sms"]) }) }, "text/html": { schema: z.string() } },
    },
    ...problemResponses(400, 404),
  },
});

const wantsHtml = (c: Context<AppEnv>) => /text\/html/i.test(c.req.header("accept") ?? "");

/** The link's recipient and tenant, or the refusal (an HTML page for browsers, a thrown problem otherwise). */
async function openLink(c: Context<AppEnv>, token: string): Promise<{ claims: UnsubscribeClaims; tenant: TenantRow } | Response> {
  const check = await readUnsubscribeToken(c.env, token, new Date());
  const tenant = check.ok ? await c.get("db").query.tenants.findFirst({ where: eq(tenants.id, check.claims.tenantId) }) : undefined;
  if (check.ok && tenant) return { claims: check.claims, tenant };
  const expired = !check.ok && check.reason === "expired";
  const title = expired ? "This link has expired" : "This link is not valid";
  const message = expired
    ? `Unsubscribe links work for ${UNSUBSCRIBE_TOKEN_DAYS} days. Use the link in a more recent email, or ask the sender to stop.`
    : "The unsubscribe link is incomplete or was changed. Open it again from the email.";
  if (wantsHtml(c)) return c.html(refusedPage({ title, message }), expired ? 400 : 404, PAGE_HEADERS);
  throw new ApiError(expired ? "invalid_request" : "not_found", { detail: `${title}: nothing was changed` });
}

export function registerUnsubscribe(app: App): void {
  app.openapi(getRoute, async (c) => {
    const token = c.req.valid("param").token;
    const link = await openLink(c, token);
    if (link instanceof Response) return link as never;
    return c.html(confirmPage({ tenantName: link.tenant.name, recipient: link.claims.recipient, action: `${UNSUBSCRIBE_PATH}/${token}` }), 200, PAGE_HEADERS);
  });

  app.openapi(postRoute, async (c) => {
    const link = await openLink(c, c.req.valid("param").token);
    if (link instanceof Response) return link as never;
    // The body (`List-Unsubscribe=One-Click`) is not required: the link itself is the authority.
    await addSuppression({ db: c.get("db"), tenant: link.tenant, now: new Date() }, { channel: link.claims.channel, recipient: link.claims.recipient, source: "unsubscribe" });
    if (wantsHtml(c)) return c.html(donePage({ tenantName: link.tenant.name, recipient: link.claims.recipient }), 200, PAGE_HEADERS);
    return c.json({ unsubscribed: true as const, channel: link.claims.channel }, 200);
  });
}
