import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { SLACK_URL } from "../helpers/providers";

// msw errors on any unmocked request and records every mocked one: a test key must cause none.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Test keys", { status: "live" });
});
afterAll(() => mocks.server.close());

const send = async (body: object) => {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body, key: tenant.keys.test });
  expect(res.status).toBe(201);
  return waitForNotification(tenant, (await json(res)).notifyId);
};

describe("test keys", () => {
  it("go through the whole pipeline to delivered, and never reach a provider", async () => {
    const final = await send({
      email: { recipients: { to: ["a@example.com"], cc: ["b@example.com"] }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: ["+17787001234"] }, content: { body: "hi" } },
      msgApp: { target: { type: "slack", url: SLACK_URL }, content: { body: "hi" } },
    });
    expect(final).toMatchObject({ status: "delivered", keyType: "test" });
    expect(final.messages.map((m: any) => [m.channel, m.status, m.provider])).toEqual([
      ["email", "delivered", "simulator"],
      ["email", "delivered", "simulator"],
      ["msgApp", "delivered", "simulator"],
      ["sms", "delivered", "simulator"],
    ]);
    expect(mocks.captured).toEqual({ ses: [], twilio: [], slack: [], postmark: [], resend: [], vonage: [] });
  });

  it("give GOV.UK Notify's simulated failures for the simulator addresses and numbers", async () => {
    const final = await send({
      email: {
        recipients: { to: ["temp-fail@simulator.notify", "ok@example.com"], bcc: ["perm-fail@simulator.notify"] },
        content: { subject: "s", body: "b" },
      },
      sms: { recipients: { to: ["+447700900003", "+447700900002"] }, content: { body: "hi" } },
    });
    const byRecipient = Object.fromEntries(final.messages.map((m: any) => [m.recipient, m.status]));
    expect(byRecipient).toEqual({
      "temp-fail@simulator.notify": "temporary-failure",
      "ok@example.com": "delivered",
      "perm-fail@simulator.notify": "permanent-failure",
      "+447700900003": "temporary-failure",
      "+447700900002": "permanent-failure",
    });
    expect(final.status).toBe("partially-failed");
    const failed = final.messages.find((m: any) => m.recipient === "perm-fail@simulator.notify");
    expect(failed.error).toMatchObject({ code: "permanent_failure" });
  });

  it("preview shows the simulator as the provider", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms?preview=true", {
      body: { recipients: { to: ["+17787001234"] }, content: { body: "hi" } },
      key: tenant.keys.test,
    });
    expect((await json(res)).sms[0]).toMatchObject({ provider: "simulator", recipients: { to: ["+17787001234"] } });
  });
});
