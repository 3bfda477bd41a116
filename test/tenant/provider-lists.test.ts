import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { asAdmin, BASE, json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// The test deployment configures ses, sendgrid, postmark and resend for email, twilio and vonage for SMS.
describe("tenant provider lists (failover order)", () => {
  it("accepts an ordered list per channel, and still a single name", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["ses", "postmark"] }, sms: { provider: "vonage" } } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ email: { provider: ["ses", "postmark"] }, sms: { provider: "vonage" } });
    expect((await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"))).email.provider).toEqual(["ses", "postmark"]);
  });

  it("refuses unconfigured and repeated entries at their index, and says which are configured", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["ses", "mailgun", "ses"] }, sms: { provider: "plivo" } } });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await json(res)).errors).toEqual([
      { path: "email.provider[1]", message: "Not configured on this deployment (configured: ses, sendgrid, postmark, resend)" },
      { path: "email.provider[2]", message: "Listed twice (first at email.provider[0]): each provider may appear once" },
      { path: "sms.provider", message: "Not configured on this deployment (configured: twilio, vonage)" },
    ]);
    expect((await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"))).email).toBeUndefined();
  });

  it("refuses an empty list and one longer than six", async () => {
    const t = await createTestTenant();
    for (const provider of [[], ["ses", "postmark", "sendgrid", "resend", "a", "b", "c"]]) {
      const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider } } });
      expect(res.status).toBe(400);
      expect((await json(res)).errors[0].path).toMatch(/^email\.provider/);
    }
  });

  it("names the operator's field path too", async () => {
    const t = await createTestTenant();
    const res = await asAdmin("PATCH", `/api/v1/tenants/${t.id}`, { body: { settings: { sms: { provider: ["twilio", "nexmo"] } } } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "settings.sms.provider[1]", message: expect.stringContaining("Not configured") }]);
  });

  it("a send uses the list as a whole: the first is the provider, the list is stored on the delivery", async () => {
    const t = await createTestTenant();
    await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["postmark", "ses"] }, sms: { provider: ["vonage", "twilio"] } } });
    const body = {
      email: { recipients: { to: ["ann@example.com"] }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: ["+17787001234"] }, content: { body: "b" } },
    };
    const preview = await json(await asTenant(t, "POST", "/api/v1/notifysimple?preview=true&explain=true", { body }));
    expect(preview.email[0].provider).toBe("postmark");
    expect(preview.sms[0].provider).toBe("vonage");
    expect(preview.resolution.channels.email.provider).toBe("tenant");

    const res = await asTenant(t, "POST", "/api/v1/notifysimple", { body: { ...body, delayedSend: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(res.status).toBe(201);
    const { notifyId } = await json(res);
    const rows = await env.DB.prepare("SELECT channel, provider, providers FROM deliveries WHERE notification_id = ? ORDER BY channel").bind(notifyId).all();
    expect(rows.results).toEqual([
      { channel: "email", provider: "postmark", providers: JSON.stringify(["postmark", "ses"]) },
      { channel: "sms", provider: "vonage", providers: JSON.stringify(["vonage", "twilio"]) },
    ]);
  });

  it("a single provider stores no list, and test keys get the simulator alone", async () => {
    const t = await createTestTenant();
    await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["postmark", "ses"] } } });
    const body = { recipients: { to: ["ann@example.com"] }, content: { subject: "s", body: "b" }, delayedSend: new Date(Date.now() + 3_600_000).toISOString() };
    const live = await json(await asTenant(t, "POST", "/api/v1/notifysimple/sms", { body: { recipients: { to: ["+17787001234"] }, content: { body: "b" }, delayedSend: body.delayedSend } }));
    const test = await json(await asTenant(t, "POST", "/api/v1/notifysimple/email", { body, key: t.keys.test }));
    const read = (id: string) => env.DB.prepare("SELECT provider, providers FROM deliveries WHERE notification_id = ?").bind(id).first();
    expect(await read(live.notifyId)).toEqual({ provider: "twilio", providers: null });
    expect(await read(test.notifyId)).toEqual({ provider: "simulator", providers: null });
  });

  it("the system's variable takes a comma-separated list; every entry must be configured", async () => {
    const t = await createTestTenant();
    const preview = (system: Partial<Env>) =>
      worker.fetch(
        new Request(`${BASE}/api/v1/notifysimple/email?preview=true`, {
          method: "POST",
          headers: { "x-api-key": t.keys.live, "content-type": "application/json" },
          body: JSON.stringify({ recipients: { to: ["ann@example.com"] }, content: { subject: "s", body: "b" } }),
        }),
        { ...env, ...system } as Env,
        createExecutionContext(),
      );
    const listed = await preview({ EMAIL_PROVIDER: " postmark , ses" });
    expect(listed.status).toBe(200);
    expect((await json(listed)).email[0].provider).toBe("postmark");
    const unconfigured = await preview({ EMAIL_PROVIDER: "ses,mailgun" });
    expect(unconfigured.status).toBe(503);
    expect((await json(unconfigured)).detail).toBe('The email provider "mailgun" (EMAIL_PROVIDER) is not configured on this deployment');
  });
});
