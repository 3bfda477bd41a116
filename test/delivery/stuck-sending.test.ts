import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// GOV.UK Notify's rule: a message still `sending` 72 hours on becomes a technical failure that
// says why (services/delivery/sweep.ts expireStuckSending, run by the cron).
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Stuck sending", { status: "live" });
});

/** A stored SMS put in `sending` as of `hoursAgo` (a provider that took it and never reported). */
async function sendingSince(hoursAgo: number, to: string): Promise<string> {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: { recipients: { to: [to] }, content: { body: "x" }, delayedSend: new Date(Date.now() + 3_600_000).toISOString() } });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const at = Date.now() - hoursAgo * 3_600_000;
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'done' WHERE notification_id = ?").bind(notifyId),
    env.DB.prepare("UPDATE messages SET status = 'sending', updated_at = ? WHERE notification_id = ?").bind(at, notifyId),
    env.DB.prepare("UPDATE notifications SET count_sending = count_scheduled, count_scheduled = 0, status = 'sending' WHERE id = ?").bind(notifyId),
  ]);
  return notifyId;
}

describe("messages stuck in sending", () => {
  it("after 72 hours become technical-failure (no_final_status); younger ones are left alone", async () => {
    const old = await sendingSince(73, "+17787005001");
    const young = await sendingSince(71, "+17787005002");
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const failed = await json(await asTenant(tenant, "GET", `/api/v1/notify/${old}`));
    expect(failed).toMatchObject({ status: "failed", counts: { "technical-failure": 1 } });
    expect(failed.messages[0]).toMatchObject({ status: "technical-failure", error: { code: "no_final_status", retryable: false } });
    expect(failed.messages[0].error.message).toMatch(/72 hours/);
    expect(await json(await asTenant(tenant, "GET", `/api/v1/notify/${young}`))).toMatchObject({ status: "sending", counts: { sending: 1 } });
  });
});
