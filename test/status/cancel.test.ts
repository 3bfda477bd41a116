import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Cancel", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const inTwoMinutes = () => new Date(Date.now() + 2 * 60_000).toISOString();

describe("DELETE /api/v1/notify/{id}", () => {
  it("cancels a scheduled send: nothing goes out when it falls due", async () => {
    const delayedSend = inTwoMinutes();
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: {
          delayedSend,
          email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } },
          sms: { recipients: { to: ["+17787001234"] }, content: { body: "b" } },
        },
      }),
    );
    expect(await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).toMatchObject({ status: "scheduled", counts: { scheduled: 2 } });
    const res = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(res.status).toBe(200);
    const cancelled = await json(res);
    expect(cancelled).toMatchObject({ notifyId, status: "cancelled", cancelled: 2 });
    expect(cancelled.counts).toEqual({ cancelled: 2 });
    // Recipients are for `read`: a key that may only send and cancel does not see them here.
    expect(cancelled.messages).toBeUndefined();
    const read = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(read.messages.map((m: any) => m.status)).toEqual(["cancelled", "cancelled"]);
    expect(read.counts).toEqual({ cancelled: 2 });

    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(delayedSend) }), env, createExecutionContext());
    await new Promise((r) => setTimeout(r, 1500));
    expect(mocks.captured.ses).toHaveLength(0);
    expect(mocks.captured.twilio).toHaveLength(0);
    expect((await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).status).toBe("cancelled");

    const again = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(again.status).toBe(409);
    expect((await json(again)).detail).toContain("Nothing left to cancel");
  });

  it("answers 409 once everything was sent", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } }),
    );
    await waitForNotification(tenant, notifyId);
    const res = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(res.status).toBe(409);
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("cancels only what is not sent: a sent channel stays delivered", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: {
          email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } },
          sms: { recipients: { to: ["+17787001234"] }, content: { body: "later" }, delayedSend: inTwoMinutes() },
        },
      }),
    );
    await waitForNotification(tenant, notifyId, (n) => n.messages.some((m: any) => m.channel === "email" && m.status === "delivered"));
    expect(await json(await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`))).toMatchObject({ cancelled: 1, counts: { delivered: 1, cancelled: 1 } });
    const after = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(after.messages.map((m: any) => [m.channel, m.status])).toEqual([
      ["email", "delivered"],
      ["sms", "cancelled"],
    ]);
    // Overall it is cancelled (delivered only when every message was); its counts say what went.
    expect(after.status).toBe("cancelled");
    expect(after.counts).toEqual({ delivered: 1, cancelled: 1 });
  });

  it("404s an unknown notification", async () => {
    expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${crypto.randomUUID()}`)).status).toBe(404);
  });
});
