import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A send answered from the duplicate window is still a request: it was resolved and rendered,
// so it takes a token from the per-minute bucket (never any daily allowance, since it sends
// nothing), and past the limit it is a 429 like any other send.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("duplicates and the rate limit", { status: "live", limits: { requestsPerMinute: 2 } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const sms = { recipients: { to: ["+17787009601"] }, content: { body: "Same again" } };

describe("per-minute limit and the duplicate window", () => {
  it("ten identical send requests against a limit of 2 a minute are not all answered without a 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms, key: tenant.keys.test })).status);
    expect(statuses[0]).toBe(201);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
  });
});
