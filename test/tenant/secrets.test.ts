import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asAdmin, json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

const SECRET = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
const targets = {
  signed: { type: "webhook", url: "https://hooks.example.com/notify", secret: SECRET },
  plain: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/XXXX" },
};
const view = {
  signed: { type: "webhook", url: "https://hooks.example.com/notify", secretSet: true },
  plain: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/XXXX", secretSet: false },
};

describe("secrets in tenant defaults", () => {
  it("are stored, but every read answers only whether they are set", async () => {
    const tenant = await createTestTenant();
    const patched = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { targets } } });
    expect(patched.status).toBe(200);
    const reads = [
      patched,
      await asTenant(tenant, "GET", "/api/v1/tenant/defaults"),
      await asTenant(tenant, "GET", "/api/v1/tenant/defaults", { key: tenant.keys.test }),
      await asAdmin("GET", `/api/v1/tenants/${tenant.id}`),
      await asAdmin("GET", "/api/v1/tenants?limit=100"),
      await asAdmin("PATCH", `/api/v1/tenants/${tenant.id}`, { body: { name: "Renamed" } }),
    ];
    for (const res of reads) {
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('"secret"');
    }
    expect((await json(await asTenant(tenant, "GET", "/api/v1/tenant/defaults"))).msgApp.targets).toEqual(view);
    expect((await json(await asAdmin("GET", `/api/v1/tenants/${tenant.id}`))).settings.msgApp.targets).toEqual(view);

    // Still there for the send path.
    const row = await env.DB.prepare("SELECT settings FROM tenants WHERE id = ?").bind(tenant.id).first<{ settings: string }>();
    expect(JSON.parse(row!.settings).msgApp.targets.signed.secret).toBe(SECRET);
  });

  it("cannot be lost by writing a read back: `secretSet` is not accepted, so the secret must be sent again", async () => {
    const tenant = await createTestTenant();
    await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { targets } } });
    const read = await json(await asTenant(tenant, "GET", "/api/v1/tenant/defaults"));
    const roundTrip = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: read.msgApp } });
    expect(roundTrip.status).toBe(400);
    expect((await json(roundTrip)).errors).toContainEqual({ path: "msgApp.targets.signed.secretSet", message: "Unknown field" });
    const row = await env.DB.prepare("SELECT settings FROM tenants WHERE id = ?").bind(tenant.id).first<{ settings: string }>();
    expect(JSON.parse(row!.settings).msgApp.targets.signed.secret).toBe(SECRET);
  });

  it("are documented as secretSet in the response schemas", async () => {
    const doc = await json(await asTenant(await createTestTenant(), "GET", "/openapi.json"));
    const schemas = doc.components.schemas;
    expect(schemas.ChatTargetView.properties.secretSet.type).toBe("boolean");
    expect(schemas.ChatTargetView.properties.secret).toBeUndefined();
    expect(doc.paths["/api/v1/tenant/defaults"].get.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/TenantSettingsView");
    expect(schemas.Tenant.properties.settings.$ref).toBe("#/components/schemas/TenantSettingsView");
  });
});
