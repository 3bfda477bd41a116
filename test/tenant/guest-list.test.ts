import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

const put = (tenant: Awaited<ReturnType<typeof createTestTenant>>, body: unknown) => asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body });
const get = async (tenant: Awaited<ReturnType<typeof createTestTenant>>) => json(await asTenant(tenant, "GET", "/api/v1/tenant/guest-list"));

describe("guest list", () => {
  it("starts empty and is normalised the way recipients are: case-folded addresses, E.164 in the tenant's region, repeats dropped", async () => {
    const tenant = await createTestTenant("Guests", { settings: { defaultRegion: "GB" } });
    expect(await get(tenant)).toEqual({ emails: [], phones: [] });

    const res = await put(tenant, {
      emails: [" Ann@Example.COM ", "bob@example.org", "ANN@example.com"],
      phones: ["07700 900123", "+1 (778) 700-1234", "+447700900123"],
    });
    expect(res.status).toBe(200);
    const expected = { emails: ["ann@example.com", "bob@example.org"], phones: ["+447700900123", "+17787001234"] };
    expect(await json(res)).toEqual(expected);
    expect(await get(tenant)).toEqual(expected);
  });

  it("is replaced whole by PUT", async () => {
    const tenant = await createTestTenant();
    await put(tenant, { emails: ["a@example.com", "b@example.com"], phones: ["+17787001234"] });
    expect((await put(tenant, { emails: ["c@example.com"], phones: [] })).status).toBe(200);
    expect(await get(tenant)).toEqual({ emails: ["c@example.com"], phones: [] });
  });

  it("422s naming every invalid entry, and then changes nothing", async () => {
    const tenant = await createTestTenant();
    await put(tenant, { emails: ["keep@example.com"], phones: [] });
    const res = await put(tenant, { emails: ["ok@example.com", "not-an-address", "a@b"], phones: ["555", "+17787001234"] });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.code).toBe("unprocessable");
    expect(problem.errors.map((e: any) => e.path)).toEqual(["emails[1]", "emails[2]", "phones[0]"]);
    expect(problem.errors[0].message).toContain("not-an-address");
    expect(await get(tenant)).toEqual({ emails: ["keep@example.com"], phones: [] });
  });

  it("is bounded (1,000 of each) and needs both lists", async () => {
    const tenant = await createTestTenant();
    const many = Array.from({ length: 1001 }, (_, i) => `g${i}@example.com`);
    const tooMany = await put(tenant, { emails: many, phones: [] });
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).errors.map((e: any) => e.path)).toEqual(["emails"]);
    const missing = await put(tenant, { emails: [] });
    expect(missing.status).toBe(400);
    expect((await json(missing)).errors.map((e: any) => e.path)).toEqual(["phones"]);

    // 1,000 addresses and 1,000 numbers fit, stored in one batch.
    const phones = Array.from({ length: 1000 }, (_, i) => `+1778700${String(1000 + i)}`);
    const full = await put(tenant, { emails: many.slice(0, 1000), phones });
    expect(full.status).toBe(200);
    const stored = await get(tenant);
    expect(stored.emails).toHaveLength(1000);
    expect(stored.phones).toEqual(phones);
  });

  it("belongs to its tenant", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    await put(a, { emails: ["only-a@example.com"], phones: [] });
    expect(await get(b)).toEqual({ emails: [], phones: [] });
  });
});
