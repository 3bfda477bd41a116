import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

// A merge accepted while the notify-fanout queue refused its chunks is not lost: the cron sends
// them again once the fan-out has made no progress for ten minutes (services/fanout/sweep.ts).
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Fan-out sweep", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const rows = (n: number) => Array.from({ length: n }, (_, i) => [`+1778700${String(2000 + i)}`, `P${i}`]);

describe("fan-out: the cron sweep", () => {
  it("re-sends the chunks of a merge whose chunk messages never reached the queue, and it is delivered once", async () => {
    const failing = { sendBatch: async () => Promise.reject(new Error("queue unavailable")), send: async () => Promise.reject(new Error("queue unavailable")) };
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1/notifysimple/sms`, {
        method: "POST",
        headers: { "x-api-key": tenant.keys.live, "content-type": "application/json" },
        body: JSON.stringify({ recipients: { mergeArray: [["phone number", "name"], ...rows(120)] }, content: { body: "Hi {{name}}" } }),
      }),
      { ...env, FANOUT_QUEUE: failing } as unknown as typeof env,
      createExecutionContext(),
    );
    // The request is answered: the rows are stored and the sweep will hand them over.
    expect(res.status).toBe(201);
    const { notifyId } = await json(res);
    const pending = () => env.DB.prepare("SELECT pending_chunks AS p, status FROM notifications WHERE id = ?").bind(notifyId).first<{ p: number; status: string }>();
    expect(await pending()).toEqual({ p: 1, status: "accepted" });

    // A sweep before ten minutes have passed leaves it alone.
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pending()).toMatchObject({ p: 1 });
    expect(mocks.captured.twilio).toHaveLength(0);

    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 11 * 60_000, cron: "* * * * *" }), env, createExecutionContext());
    const final = await waitForNotification(tenant, notifyId, undefined, 60_000);
    expect(final).toMatchObject({ status: "delivered", counts: { delivered: 120 }, messageCount: 120 });
    expect(new Set(mocks.captured.twilio.map((t) => t.to)).size).toBe(120);
    expect(mocks.captured.twilio).toHaveLength(120);

    // A later sweep finds nothing pending and sends nothing again.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + 30 * 60_000, cron: "* * * * *" }), env, createExecutionContext());
    await new Promise((r) => setTimeout(r, 1500));
    expect(mocks.captured.twilio).toHaveLength(120);
  }, 90_000);
});
