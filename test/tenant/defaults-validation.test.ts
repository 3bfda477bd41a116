import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// Defaults that were accepted when saved and then failed every later send: a display name in cc /
// replyTo (blamed on `recipients.cc[0]`, a field the caller never sent), and a webhook secret the
// signer cannot use (every chat send ended provider_misconfigured).
describe("tenant defaults are checked with the send path's own rules", () => {
  it("refuses a display-name mailbox in cc, bcc and replyTo, saying what to write instead", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      body: { email: { replyTo: ["Support <support@example.com>"], cc: ["ok@example.com, bad@"], bcc: ["{{#open}}"] } },
    });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual([
      { path: "email.replyTo[0]", message: "Give the address alone (support@example.com): display names are kept only for email.from" },
      { path: "email.cc[0]", message: expect.stringContaining("bad@") },
      { path: "email.bcc[0]", message: expect.stringMatching(/unclosed/i) },
    ]);
    expect((await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"))).email).toBeUndefined();
  });

  it("accepts what a send accepts: comma-separated addresses and placeholders", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      body: { email: { cc: ["a@example.com, b@example.com", "{{manager}}"], from: "Funding <funding@example.gov>" } },
    });
    expect(res.status).toBe(200);
    const preview = await asTenant(t, "POST", "/api/v1/notifysimple/email?preview=true", {
      body: { recipients: { to: ["x@example.com"] }, content: { subject: "s", body: "b" }, params: { manager: "m@example.com" } },
    });
    expect(preview.status).toBe(200);
    expect((await json(preview)).email[0].recipients).toEqual({ to: ["x@example.com"], cc: ["a@example.com", "b@example.com", "m@example.com"] });
  });

  it("refuses a chat webhook secret the signer cannot use, and a secret on an unsigned target type", async () => {
    const t = await createTestTenant();
    const bad = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      body: { msgApp: { targets: { hook: { type: "webhook", url: "https://hooks.example.com/x", secret: "!".repeat(40) } } } },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].path).toBe("msgApp.targets.hook.secret");
    const slack = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      body: { msgApp: { targets: { s: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } } },
    });
    expect(slack.status).toBe(422);
    expect((await json(slack)).errors[0].path).toBe("msgApp.targets.s.secret");
    const good = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      body: { msgApp: { targets: { hook: { type: "webhook", url: "https://hooks.example.com/x", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } } },
    });
    expect(good.status).toBe(200);
  });

  it("blames a stored default that fails at send time on the defaults, not on the request", async () => {
    const t = await createTestTenant();
    // A value stored before today's rules (or filled from a placeholder) that no longer passes.
    await env.DB.prepare("UPDATE tenants SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ email: { cc: ["{{manager}}"], from: "not an address" } }), t.id)
      .run();
    const res = await asTenant(t, "POST", "/api/v1/notifysimple/email?preview=true", {
      body: { recipients: { to: ["x@example.com"] }, content: { subject: "s", body: "b" }, params: { manager: "Boss <boss@example.com>" } },
    });
    expect(res.status).toBe(422);
    const paths = (await json(res)).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(["tenantDefaults.email.cc[0]", "tenantDefaults.email.from"]);
  });
});
