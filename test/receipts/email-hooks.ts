import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { http, HttpResponse } from "msw";
import type { SetupServer } from "msw/node";
import type { Env } from "../../src/env";
import { json } from "../helpers/http";
import type { TestTenant } from "../helpers/tenants";
import { callWith, deliverHeld, wiredEnv } from "./helpers";

export const SENDGRID_URL = "https://api.sendgrid.com/v3/mail/send";
export const MAILGUN_DOMAIN = "mg.notify.test";
export const MAILGUN_URL = `https://api.mailgun.net/v3/${MAILGUN_DOMAIN}/messages`;

/**
 * SendGrid and Mailgun as their adapters use them (the shared provider mocks have neither):
 * SendGrid answers 202 with the id in X-Message-Id, Mailgun 200 with `<id@domain>`. Each call
 * gets a new id; `calls` lists what was sent.
 */
export function mockSendGridAndMailgun(server: SetupServer) {
  const calls = { sendgrid: [] as { to: string[] }[], mailgun: [] as { to: string[] }[] };
  server.use(
    http.post(SENDGRID_URL, async ({ request }) => {
      const body = (await request.json()) as { personalizations: { to: { email: string }[] }[] };
      calls.sendgrid.push({ to: body.personalizations.flatMap((p) => p.to.map((t) => t.email)) });
      return new HttpResponse(null, { status: 202, headers: { "x-message-id": `sgid${calls.sendgrid.length}${crypto.randomUUID().slice(0, 8)}` } });
    }),
    http.post(MAILGUN_URL, async ({ request }) => {
      const form = await request.formData();
      calls.mailgun.push({ to: form.getAll("to").map(String) });
      return HttpResponse.json({ id: `<20261127.${crypto.randomUUID().slice(0, 12)}@${MAILGUN_DOMAIN}>`, message: "Queued. Thank you." });
    }),
  );
  return calls;
}

/**
 * Sends through the tenant API with `e` (a deployment whose settings the suite's env lacks, such
 * as Mailgun's), held back with delayedSend, then runs the real delivery pipeline on it with `e`.
 */
export async function sendWith(e: Env, tenant: TestTenant, path: string, body: object): Promise<{ notifyId: string; deliveryIds: string[] }> {
  const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
  const res = await callWith(e, path, { method: "POST", headers: { "x-api-key": tenant.keys.live, "content-type": "application/json" }, body: JSON.stringify({ ...body, delayedSend }) });
  expect(res.status).toBe(201);
  return deliverHeld((await json(res)).notifyId, e);
}

/** The deployment with `provider`'s receipts wired (and, for email, the tenant's sends going to it). */
export const wiredFor = (provider: string, extra: Partial<Env> = {}) => wiredEnv({ RECEIPT_PROVIDERS: provider, ...extra });

/** Each message's status by recipient, read straight from D1. */
export async function statusesOf(notifyId: string): Promise<Record<string, string>> {
  const rows = await env.DB.prepare("SELECT recipient, status FROM messages WHERE notification_id = ?").bind(notifyId).all<{ recipient: string; status: string }>();
  return Object.fromEntries(rows.results.map((r) => [r.recipient, r.status]));
}

/** A refusal: problem+json with this status, and nothing moved. */
export async function expectProblem(res: Response, status: number): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect((await json(res)).status).toBe(status);
}
