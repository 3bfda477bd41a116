import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { expectProblem, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf, sendAndDeliver } from "./helpers";

const SECRET = env.RESEND_WEBHOOK_SECRET!;
const mocks = createProviderMocks();
let tenant: TestTenant;
const e = wiredFor("resend");

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Resend receipts", { status: "live" });
  await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: "resend" } } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/** A webhook post as Svix signs it for Resend: v1 HMAC of id.timestamp.body under the whsec_ secret. */
function post(event: object, options: { id?: string; secret?: string; timestamp?: number; unsigned?: boolean } = {}) {
  const body = JSON.stringify(event);
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = new Webhook(options.secret ?? SECRET).sign(id, new Date(timestamp * 1000), body);
  const headers: Record<string, string> = { "content-type": "application/json", "svix-id": id, "svix-timestamp": String(timestamp) };
  if (!options.unsigned) headers["svix-signature"] = signature;
  return callWith(e, "/hooks/resend", { method: "POST", headers, body });
}

// Resend's example event payloads (https://resend.com/docs/dashboard/webhooks/event-types,
// https://resend.com/docs/webhooks/emails/bounced) for our email.
const event = (type: string, emailId: string, to: string[], extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { created_at: new Date().toISOString(), email_id: emailId, from: "Edge Notify <noreply@notify.test>", to, subject: "Hello", ...extra },
});
const BOUNCE = { bounce: { message: "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.", subType: "Suppressed", type: "Permanent" } };

async function sentEmail(to = ["ann@example.com", "bob@example.com"]) {
  const { notifyId, deliveryIds } = await sendAndDeliver(tenant, "/api/v1/notifysimple/email", { recipients: { to }, content: { subject: "Hello", body: "Body" } }, e);
  expect(mocks.captured.resend).toHaveLength(1);
  return { notifyId, emailId: await providerMessageIdOf(deliveryIds[0]!) };
}

describe("POST /hooks/resend", () => {
  it("Svix-signed events move each recipient: delivered, and bounced", async () => {
    const { notifyId, emailId } = await sentEmail();
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending", "bob@example.com": "sending" });
    const res = await post(event("email.delivered", emailId, ["ann@example.com"]));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(event("email.bounced", emailId, ["bob@example.com"], BOUNCE)))).toEqual({ applied: 1, ignored: 0 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered", "bob@example.com": "permanent-failure" });
  });

  it("refuses another secret's signature, a stale timestamp and an unsigned post, changing nothing", async () => {
    const { notifyId, emailId } = await sentEmail(["ann@example.com"]);
    const delivered = event("email.delivered", emailId, ["ann@example.com"]);
    await expectProblem(await post(delivered, { secret: "whsec_YW5vdGhlci1zZWNyZXQ=" }), 403);
    await expectProblem(await post(delivered, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 403);
    await expectProblem(await post(delivered, { unsigned: true }), 401);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending" });
  });

  it("the same event delivered twice (same svix-id) is applied once; an unknown email_id is answered 200", async () => {
    const { notifyId, emailId } = await sentEmail(["ann@example.com"]);
    const delivered = event("email.delivered", emailId, ["ann@example.com"]);
    expect(await json(await post(delivered, { id: "msg_repeat" }))).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(delivered, { id: "msg_repeat" }))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect(await json(await post(event("email.delivered", "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", ["ann@example.com"])))).toEqual({ applied: 0, ignored: 1 });
  });
});
