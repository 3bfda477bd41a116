import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { twilioSignature } from "../../src/services/receipts/twilio";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith, providerMessageIdOf, sendAndDeliver, statusOf, wiredEnv } from "./helpers";

// A receipt that never comes: the 72-hour rule (services/delivery/sweep.ts) ends the wait.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Receipt never comes", { status: "live" });
});
afterAll(() => mocks.server.close());

describe("a message waiting for its receipt", () => {
  it("becomes technical-failure after 72 hours, saying no receipt arrived; a receipt after that changes nothing", async () => {
    const { notifyId, deliveryIds } = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787009001"] }, content: { body: "Hello" } });
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("sending");
    await env.DB.prepare("UPDATE messages SET updated_at = ? WHERE notification_id = ?").bind(Date.now() - 73 * 3_600_000, notifyId).run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const status = await statusOf(tenant, notifyId);
    expect(status).toMatchObject({ status: "failed", messages: [{ status: "technical-failure", error: { code: "no_final_status" } }] });
    expect(status.messages[0].error.message).toMatch(/72 hours.*no delivery receipt arrived/);

    const params = new URLSearchParams({ MessageSid: await providerMessageIdOf(deliveryIds[0]!), MessageStatus: "delivered" });
    const res = await callWith(wiredEnv(), "/hooks/twilio", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature(env.TWILIO_AUTH_TOKEN!, "https://notify.test/hooks/twilio", params) },
      body: params.toString(),
    });
    expect(await json(res)).toEqual({ applied: 0, ignored: 1 });
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("technical-failure");
  });
});
