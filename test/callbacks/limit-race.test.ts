import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A tenant has at most 50 registrations, also when they arrive at once: the bound is checked by
// the insert itself, not by a count read before it.
const PATH = "/api/v1/notify/registerCallback";
let tenant: TestTenant;

beforeAll(async () => {
  tenant = await createTestTenant("callback limit race");
});

const register = () =>
  asTenant(tenant, "POST", PATH, { body: { url: "https://receiver.example.com/hook", channelType: ["sms"], trigger: ["success"], active: false } });

describe("at most 50 registrations per tenant", () => {
  it("holds when registrations arrive concurrently", async () => {
    for (let i = 0; i < 48; i++) expect((await register()).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 10 }, register));
    const created = answers.filter((r) => r.status === 201).length;
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM callbacks WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
    expect(created).toBeLessThanOrEqual(2);
    expect(stored!.n).toBeLessThanOrEqual(50);
  });
});
