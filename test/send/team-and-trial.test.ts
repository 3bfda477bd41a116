import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks, SLACK_URL } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const GUESTS = { emails: ["ann@example.com"], phones: ["+17787001234"] };

async function tenantWithGuests(extra: Record<string, unknown> = {}, guests = GUESTS): Promise<TestTenant> {
  const tenant = await createTestTenant(undefined, {
    settings: { msgApp: { targets: { ops: { type: "slack", url: SLACK_URL } } } },
    ...extra,
  });
  const res = await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: guests });
  expect(res.status).toBe(200);
  return tenant;
}

const history = async (tenant: TestTenant) => (await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items;

/** Expects a 201 and waits for delivery, so no provider call outlives the mocks. */
async function expectDelivered(tenant: TestTenant, res: Response) {
  expect(res.status).toBe(201);
  await waitForNotification(tenant, (await json(res)).notifyId);
}

const mixed = {
  email: { recipients: { to: ["ANN@example.com", "stranger@example.com"], cc: ["other@example.com"] }, content: { subject: "s", body: "b" } },
  sms: { recipients: { to: ["+17787001234", "(778) 700-9999"] }, content: { body: "hi" } },
};

describe("team keys", () => {
  it("400 naming every recipient not on the guest list; nothing is sent or stored", async () => {
    const tenant = await tenantWithGuests();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.team, body: mixed });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.code).toBe("recipient_not_allowed");
    expect(problem.type).toBe("/problems/recipient_not_allowed");
    expect(problem.errors).toEqual([
      { path: "email.recipients.to[1]", message: "stranger@example.com is not on your guest list (team key)" },
      { path: "email.recipients.cc[0]", message: "other@example.com is not on your guest list (team key)" },
      { path: "sms.recipients.to[1]", message: "+17787009999 is not on your guest list (team key)" },
    ]);
    expect(await history(tenant)).toEqual([]);
    expect(mocks.captured).toEqual({ ses: [], twilio: [], slack: [], postmark: [], resend: [], vonage: [] });
  });

  it("names fields without a channel prefix on the single-channel routes, and in previews too", async () => {
    const tenant = await tenantWithGuests();
    const body = { recipients: { to: ["+17787001234", "+17787005555"] }, content: { body: "hi" } };
    for (const path of ["/api/v1/notifysimple/sms", "/api/v1/notifysimple/sms?preview=true"]) {
      const res = await asTenant(tenant, "POST", path, { key: tenant.keys.team, body });
      expect(res.status, path).toBe(400);
      expect((await json(res)).errors).toEqual([{ path: "recipients.to[1]", message: "+17787005555 is not on your guest list (team key)" }]);
    }
    expect(await history(tenant)).toEqual([]);
  });

  it("201 to guests (compared case-insensitively and after normalisation) and to the tenant's own chat targets", async () => {
    const tenant = await tenantWithGuests();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      key: tenant.keys.team,
      body: {
        email: { recipients: { to: ["Ann@Example.com"] }, content: { subject: "s", body: "b" } },
        sms: { recipients: { to: ["778 700 1234"] }, content: { body: "hi" } },
        msgApp: { target: "ops", content: { body: "hi" } },
      },
    });
    expect(res.status).toBe(201);
    const final = await waitForNotification(tenant, (await json(res)).notifyId);
    expect(final).toMatchObject({ status: "delivered", keyType: "team" });
    expect(mocks.captured.ses).toHaveLength(1);
    expect(mocks.captured.twilio.map((t) => t.to)).toEqual(["+17787001234"]);
    expect(mocks.captured.slack).toHaveLength(1);
  });

  it("may not post to an inline chat target", async () => {
    const tenant = await tenantWithGuests();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      key: tenant.keys.team,
      body: { msgApp: { target: ["ops", { type: "slack", url: SLACK_URL }], content: { body: "hi" } } },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors.map((e: any) => e.path)).toEqual(["msgApp.target[1]"]);
    expect(await history(tenant)).toEqual([]);
  });

  it("leave live keys of a live tenant unrestricted", async () => {
    const tenant = await tenantWithGuests();
    await expectDelivered(tenant, await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: mixed }));
  });
});

describe("trial mode", () => {
  it("holds every key but test keys to the guest list", async () => {
    const tenant = await tenantWithGuests({ status: "trial" });
    const live = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: mixed });
    expect(live.status).toBe(400);
    const problem = await json(live);
    expect(problem.detail).toContain("trial mode");
    expect(problem.errors.map((e: any) => e.message)).toEqual([
      "stranger@example.com is not on your guest list (trial mode)",
      "other@example.com is not on your guest list (trial mode)",
      "+17787009999 is not on your guest list (trial mode)",
    ]);
    expect(await history(tenant)).toEqual([]);

    const guests = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: { recipients: { to: ["ann@example.com"] }, content: { subject: "s", body: "b" } },
    });
    await expectDelivered(tenant, guests);

    // Test keys stay simulated and unrestricted.
    const test = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.test, body: mixed });
    expect(test.status).toBe(201);
  });

  it("allows 50 messages a day in all, across channels (the 51st is a 429); test keys do not count", async () => {
    const emails = Array.from({ length: 50 }, (_, i) => `guest${i}@example.com`);
    const phones = Array.from({ length: 10 }, (_, i) => `+1778700${String(1000 + i)}`);
    const tenant = await tenantWithGuests({ status: "trial" }, { emails, phones });
    const email = (n: number) => ({ recipients: { to: emails.slice(0, n) }, content: { subject: "s", body: "b" } });
    const sms = (n: number) => ({ recipients: { to: phones.slice(0, n) }, content: { body: "hi" } });

    expect((await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { key: tenant.keys.test, body: email(50) })).status).toBe(201);
    await expectDelivered(tenant, await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: email(45) }));
    // 6 more texts would be within the per-channel allowance (50) but over the total.
    const over = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.team, body: sms(6) });
    expect(over.status).toBe(429);
    expect((await json(over)).detail).toBe("Exceeded the trial allowance of 50 messages a day (all channels); 45 already used today");
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectDelivered(tenant, await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms(5) }));
    const fiftyFirst = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: email(1) });
    expect(fiftyFirst.status).toBe(429);
    expect((await json(fiftyFirst)).code).toBe("rate_limited");
    expect((await history(tenant)).length).toBe(3);
  });
});
