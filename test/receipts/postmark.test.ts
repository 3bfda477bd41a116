import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { expectProblem, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf, sendAndDeliver } from "./helpers";

const CREDENTIALS = `${env.POSTMARK_WEBHOOK_USER}:${env.POSTMARK_WEBHOOK_PASSWORD}`;
const mocks = createProviderMocks();
let tenant: TestTenant;
const e = wiredFor("postmark");

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Postmark receipts", { status: "live" });
  await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: "postmark" } } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/** A webhook post with the Basic credentials Postmark takes from the webhook URL. */
const post = (record: object, credentials: string | null = CREDENTIALS) =>
  callWith(e, "/hooks/postmark", {
    method: "POST",
    headers: { "content-type": "application/json", ...(credentials !== null ? { authorization: `Basic ${btoa(credentials)}` } : {}) },
    body: JSON.stringify(record),
  });

// Postmark's example payloads (https://postmarkapp.com/developer/webhooks/delivery-webhook,
// https://postmarkapp.com/developer/webhooks/bounce-webhook), for our message and recipient.
const delivery = (messageId: string, recipient: string) => ({
  MessageID: messageId,
  Recipient: recipient,
  DeliveredAt: new Date().toISOString(),
  Details: "Test delivery webhook details",
  Tag: "welcome-email",
  ServerID: 23,
  Metadata: { a_key: "a_value", b_key: "b_value" },
  RecordType: "Delivery",
  MessageStream: "outbound",
});
const bounce = (messageId: string, email: string, type = "HardBounce") => ({
  RecordType: "Bounce",
  MessageStream: "outbound",
  ID: 4323372036854775807,
  Type: type,
  TypeCode: 1,
  Name: "Hard bounce",
  Tag: "Test",
  MessageID: messageId,
  ServerID: 23,
  Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
  Details: "Test bounce details",
  Email: email,
  From: "sender@example.com",
  BouncedAt: new Date().toISOString(),
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: "Test subject",
});

async function sentEmail(to = ["ann@example.com", "bob@example.com"]) {
  const { notifyId, deliveryIds } = await sendAndDeliver(tenant, "/api/v1/notifysimple/email", { recipients: { to }, content: { subject: "Hello", body: "Body" } }, e);
  expect(mocks.captured.postmark).toHaveLength(1);
  return { notifyId, messageId: await providerMessageIdOf(deliveryIds[0]!) };
}

describe("POST /hooks/postmark", () => {
  it("with the webhook credentials, a Delivery and a HardBounce move their recipients", async () => {
    const { notifyId, messageId } = await sentEmail();
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending", "bob@example.com": "sending" });
    const res = await post(delivery(messageId, "ann@example.com"));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(bounce(messageId, "bob@example.com")))).toEqual({ applied: 1, ignored: 0 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered", "bob@example.com": "permanent-failure" });
  });

  it("refuses wrong and missing credentials with problem+json, changing nothing", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    await expectProblem(await post(delivery(messageId, "ann@example.com"), `${env.POSTMARK_WEBHOOK_USER}:wrong`), 403);
    await expectProblem(await post(delivery(messageId, "ann@example.com"), "someone:else"), 403);
    const missing = await post(delivery(messageId, "ann@example.com"), null);
    expect(missing.headers.get("www-authenticate")).toContain("Basic");
    await expectProblem(missing, 401);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending" });
  });

  it("a repeated record is applied once; an unknown MessageID is answered 200; a body that is not a record is a 400", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    expect(await json(await post(delivery(messageId, "ann@example.com")))).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(delivery(messageId, "ann@example.com")))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect(await json(await post(delivery("00000000-0000-0000-0000-000000000000", "ann@example.com")))).toEqual({ applied: 0, ignored: 1 });
    await expectProblem(await post([delivery(messageId, "ann@example.com")]), 400);
  });
});
