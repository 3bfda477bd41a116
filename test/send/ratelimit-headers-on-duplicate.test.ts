import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Every send answer carries the IETF RateLimit-Policy and RateLimit header fields, the 200 of a
// duplicate answered from the window included.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("ratelimit headers", { status: "live", limits: { requestsPerMinute: 10 } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const sms = { recipients: { to: ["+17787009501"] }, content: { body: "Your code is 9501" } };

describe("RateLimit header fields on a duplicate send's answer", () => {
  it("the 201 has them, and so does the 200 that answers the same send from the duplicate window", async () => {
    const first = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms, key: tenant.keys.test });
    expect(first.status).toBe(201);
    expect(first.headers.get("ratelimit-policy")).toBe('"send-test";q=10;w=60');
    const again = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms, key: tenant.keys.test });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("ratelimit-policy")).toBe('"send-test";q=10;w=60');
    expect(again.headers.get("ratelimit")).toMatch(/^"send-test";r=\d+;t=\d+$/);
  });
});
