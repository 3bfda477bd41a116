import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A merge under the rules every send obeys: the guest list (team keys, trial mode) and the suppression list.
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const content = { subject: "Hello {{name}}", body: "Dear {{name}}" };
const merge = (skipInvalidRows?: boolean) => ({
  recipients: {
    ...(skipInvalidRows ? { skipInvalidRows } : {}),
    mergeArray: [["to", "name"], ["ann@example.com", "Ann"], ["stranger@example.com", "Stranger"], ["bob@example.com", "Bob"]],
  },
  content,
});

async function tenantWithGuests(extra: Record<string, unknown> = {}): Promise<TestTenant> {
  const tenant = await createTestTenant(undefined, extra);
  expect((await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: ["ann@example.com", "bob@example.com"], phones: [] } })).status).toBe(200);
  return tenant;
}

describe("mail merge and the guest list", () => {
  it("a team key's merge to someone off the guest list is refused whole, naming the cell", async () => {
    const tenant = await tenantWithGuests();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { key: tenant.keys.team, body: merge() });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.code).toBe("recipient_not_allowed");
    expect(problem.errors).toEqual([{ path: "recipients.mergeArray[2][0]", message: "stranger@example.com is not on your guest list (team key)" }]);
  });

  it("with skipInvalidRows the rows off the guest list are skipped and counted (trial mode)", async () => {
    const tenant = await tenantWithGuests({ status: "trial" });
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: merge(true) });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 2 });
    expect(receipt.merge.email).toEqual({
      rows: 3,
      sent: 2,
      skipped: 1,
      notAllowed: 1,
      suppressed: 0,
      errors: [{ row: 2, column: "to", path: "recipients.mergeArray[2][0]", message: "stranger@example.com is not on your guest list (trial mode)" }],
    });
    await waitForNotification(tenant, receipt.notifyId);
    expect(mocks.captured.ses.map((s) => s.destination.ToAddresses?.[0]).sort()).toEqual(["ann@example.com", "bob@example.com"]);
  });

  it("previews count them the same way", async () => {
    const tenant = await tenantWithGuests();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { key: tenant.keys.team, body: merge(true) });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email.map((m: any) => m.recipients.to[0])).toEqual(["ann@example.com", "bob@example.com"]);
    expect(preview.merge.email).toMatchObject({ rows: 3, sent: 2, skipped: 1, notAllowed: 1 });
  });
});

describe("mail merge and the suppression list", () => {
  it("suppressed recipients are left out, listed and counted; their rows are not sent", async () => {
    const tenant = await createTestTenant();
    expect((await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "stranger@example.com", reason: "bounced" } })).status).toBe(201);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: merge() });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 2 });
    expect(receipt.suppressed).toEqual([expect.objectContaining({ recipient: "stranger@example.com", path: "recipients.mergeArray[2][0]" })]);
    expect(receipt.merge.email).toMatchObject({ rows: 3, sent: 2, skipped: 0, suppressed: 1 });
    await waitForNotification(tenant, receipt.notifyId);
    expect(mocks.captured.ses).toHaveLength(2);
  });
});

describe("mail merge at the present bound", () => {
  it("500 rows are planned and stored in the one D1 batch of a send", async () => {
    const tenant = await createTestTenant();
    const rows = Array.from({ length: 500 }, (_, i) => [`+1778700${String(i).padStart(4, "0")}`, `P${i}`]);
    const started = Date.now();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.test, body: { recipients: { mergeArray: [["to", "name"], ...rows] }, content: { body: "Hi {{name}}" } } });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(201);
    expect((await json(res)).channels).toEqual({ sms: 500 });
    // Measured locally at well under a second; the bound leaves room below D1's per-invocation limits.
    console.log(`500-row SMS merge answered in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(15_000);
  });
});
