import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// allowDuplicate: these tests send the same notification again on purpose (the duplicate window would answer it with the first).
const sms = (n = 1) => ({ recipients: { to: Array.from({ length: n }, (_, i) => `+1778700${String(1000 + i)}`) }, content: { body: "hi" }, allowDuplicate: true });

describe("per-tenant limits (TenantGate)", () => {
  it("429s with Retry-After past the per-minute request limit, per key type", async () => {
    const tenant = await createTestTenant("Rate", { limits: { requestsPerMinute: 2 } });
    for (let i = 0; i < 2; i++) {
      const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms(), key: tenant.keys.test });
      expect(sent.status).toBe(201);
      // IETF RateLimit header fields on every send answer: the policy and what is left of it.
      expect(sent.headers.get("ratelimit-policy")).toBe('"send-test";q=2;w=60');
      expect(sent.headers.get("ratelimit")).toMatch(new RegExp(`^"send-test";r=${1 - i};t=\\d+$`));
    }
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms(), key: tenant.keys.test });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-policy")).toBe('"send-test";q=2;w=60');
    // `t` is when the whole quota is back, as on every answer (both tokens: 60 s at 2 a minute);
    // Retry-After is when one more request fits.
    expect(refused.headers.get("ratelimit")).toBe('"send-test";r=0;t=60');
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(30);
    expect((await json(refused)).detail).toBe("Exceeded rate limit for key type TEST of 2 requests per 60 seconds");
  });

  it("429s past the daily allowance for a channel; test keys do not use it", async () => {
    const tenant = await createTestTenant("Daily", { limits: { dailySms: 3 } });
    expect((await asTenant(tenant, "POST", "/api/v1/notifysimple/sms?preview=true", { body: sms(2) })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms(2), key: tenant.keys.test })).status).toBe(201);
    }
    const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms?preview=true", { body: sms(2) });
    expect(sent.status).toBe(200);
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { sms: sms(4) },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"daily-sms";q=3;w=86400');
    expect(refused.headers.get("ratelimit")).toMatch(/^"daily-sms";r=3;t=\d+$/);
    expect((await json(refused)).detail).toBe("Exceeded send limits (sms: 3) for today; 0 already used, so 3 more fit today and this request has 4");
  });

  it("refuses a merge past the daily allowance up front, saying how many fit today", async () => {
    const tenant = await createTestTenant("Daily merge", { limits: { dailySms: 5 } });
    const rows = (n: number) => [["to", "name"], ...Array.from({ length: n }, (_, i) => [`+1778700${String(1000 + i)}`, `n${i}`])];
    const merge = (n: number) => ({ recipients: { mergeArray: rows(n) }, content: { body: "Hi {{name}}" } });
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: merge(6) });
    expect(refused.status).toBe(429);
    expect((await json(refused)).detail).toBe("Exceeded send limits (sms: 5) for today; 0 already used, so 5 more fit today and this request has 6");
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toEqual([]);
  });
});
