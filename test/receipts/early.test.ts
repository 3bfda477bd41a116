import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { EARLY_RECEIPT_TTL_MS } from "../../src/services/receipts/early";
import { twilioSignature } from "../../src/services/receipts/twilio";
import { createReceiver } from "../callbacks/receiver";
import { json } from "../helpers/http";
import { createProviderMocks, TWILIO_URL } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith, sendAndDeliver, statusOf, wiredEnv } from "./helpers";

const mocks = createProviderMocks();
const receiver = createReceiver(mocks.server);
let tenant: TestTenant;
const HOOK_URL = "https://notify.test/hooks/twilio";

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Early receipts", { status: "live" });
  const res = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["sms"], trigger: ["success", "failure"] } });
  expect(res.status).toBe(201);
});
afterAll(() => mocks.server.close());

async function twilioCallback(sid: string, status: string) {
  const params = new URLSearchParams({ AccountSid: env.TWILIO_ACCOUNT_SID!, MessageSid: sid, MessageStatus: status, SmsStatus: status, To: "+17787001260", ApiVersion: "2010-04-01" });
  const headers = { "content-type": "application/x-www-form-urlencoded", "i-twilio-idempotency-token": crypto.randomUUID(), "x-twilio-signature": await twilioSignature(env.TWILIO_AUTH_TOKEN!, HOOK_URL, params) };
  return callWith(wiredEnv(), "/hooks/twilio", { method: "POST", headers, body: params.toString() });
}

describe("receipts that arrive before their delivery is settled", () => {
  it("a delivered receipt posted while the provider call is still open is kept, then applied by the settle: delivered once, one callback event", async () => {
    const sid = `SM${crypto.randomUUID().replaceAll("-", "")}`;
    const answers: unknown[] = [];
    // Twilio reports before its API answer reaches the consumer: the settle has not written the sid yet.
    mocks.server.use(
      http.post(
        TWILIO_URL,
        async () => {
          answers.push(await json(await twilioCallback(sid, "sent")));
          answers.push(await json(await twilioCallback(sid, "delivered")));
          return HttpResponse.json({ sid, status: "queued" }, { status: 201 });
        },
        { once: true },
      ),
    );
    const { notifyId } = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787001260"] }, content: { body: "Hello" } });
    expect(answers).toEqual([{ applied: 0, ignored: 1 }, { applied: 0, ignored: 1 }]);

    const status = await statusOf(tenant, notifyId);
    expect(status).toMatchObject({ status: "delivered", counts: { delivered: 1 }, messages: [{ status: "delivered", providerMessageId: sid }] });
    const events = await env.DB.prepare("SELECT status FROM callback_events WHERE notification_id = ? ORDER BY created_at").bind(notifyId).all<{ status: string }>();
    expect(events.results.filter((e) => e.status === "delivered")).toHaveLength(1);
    const kept = await env.DB.prepare("SELECT COUNT(*) AS n FROM early_receipts WHERE provider_message_id = ?").bind(sid).first<{ n: number }>();
    expect(kept!.n).toBe(0);

    // The same receipt again, now that the sid is known: nothing moves, no second event.
    expect(await json(await twilioCallback(sid, "delivered"))).toEqual({ applied: 0, ignored: 1 });
    const again = await env.DB.prepare("SELECT COUNT(*) AS n FROM callback_events WHERE notification_id = ? AND status = 'delivered'").bind(notifyId).first<{ n: number }>();
    expect(again!.n).toBe(1);
  });

  it("a receipt for a message never sent here is kept, then deleted by the cron after an hour", async () => {
    const sid = `SM${crypto.randomUUID().replaceAll("-", "")}`;
    expect(await json(await twilioCallback(sid, "delivered"))).toEqual({ applied: 0, ignored: 1 });
    const count = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM early_receipts WHERE provider_message_id = ?").bind(sid).first<{ n: number }>())!.n;
    expect(await count()).toBe(1);
    await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env);
    expect(await count()).toBe(1);
    await runScheduled(createScheduledController({ scheduledTime: Date.now() + EARLY_RECEIPT_TTL_MS + 60_000, cron: "* * * * *" }), env);
    expect(await count()).toBe(0);
  });
});
