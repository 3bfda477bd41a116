import { describe, expect, it } from "vitest";
import { asAdmin, call, json } from "../helpers/http";

describe("operator: tenants", () => {
  it("creates a tenant in trial with system-default limits and answers Location", async () => {
    const res = await asAdmin("POST", "/api/v1/tenants", { body: { name: "Funding Applications" } });
    expect(res.status).toBe(201);
    const tenant = await json(res);
    expect(tenant).toMatchObject({
      name: "Funding Applications",
      status: "trial",
      limits: { requestsPerMinute: 3000, dailyEmail: 50, dailySms: 50, dailyMsgApp: 50 },
      settings: {},
    });
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("location")).toBe(`/api/v1/tenants/${tenant.id}`);

    const got = await asAdmin("GET", `/api/v1/tenants/${tenant.id}`);
    expect(got.status).toBe(200);
    expect(await json(got)).toEqual(tenant);
  });

  it("patches name, status, one limit and the default region, and null resets a limit", async () => {
    const { id } = await json(await asAdmin("POST", "/api/v1/tenants", { body: { name: "A", limits: { dailySms: 10 } } }));
    const res = await asAdmin("PATCH", `/api/v1/tenants/${id}`, {
      body: { name: "B", status: "live", limits: { requestsPerMinute: 60 }, settings: { defaultRegion: "gb" } },
    });
    expect(res.status).toBe(200);
    const patched = await json(res);
    expect(patched).toMatchObject({
      name: "B",
      status: "live",
      limits: { requestsPerMinute: 60, dailySms: 10, dailyEmail: 250000 },
      settings: { defaultRegion: "GB" },
    });
    expect(Date.parse(patched.updatedAt)).toBeGreaterThanOrEqual(Date.parse(patched.createdAt));

    const reset = await json(await asAdmin("PATCH", `/api/v1/tenants/${id}`, { body: { limits: { dailySms: null } } }));
    expect(reset.limits).toMatchObject({ requestsPerMinute: 60, dailySms: 250000 });
  });

  it("rejects bad input with every field at fault", async () => {
    const res = await asAdmin("POST", "/api/v1/tenants", {
      body: { name: "", status: "paused", limits: { dailySms: -1 }, colour: "red" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = await json(res);
    expect(problem.code).toBe("invalid_request");
    const paths = problem.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(["colour", "limits.dailySms", "name", "status"]);

    const region = await asAdmin("POST", "/api/v1/tenants", { body: { name: "x", settings: { defaultRegion: "XX" } } });
    expect((await json(region)).errors).toEqual([
      { path: "settings.defaultRegion", message: "Not an ISO 3166 alpha-2 region with a telephone numbering plan" },
    ]);
  });

  it("404s an unknown tenant and 400s a malformed id", async () => {
    const missing = await asAdmin("GET", `/api/v1/tenants/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).code).toBe("not_found");
    const malformed = await asAdmin("GET", "/api/v1/tenants/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).errors[0].path).toBe("path.tenantId");
  });

  it("lists newest first with a cursor that is stable while tenants are added", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await json(await asAdmin("POST", "/api/v1/tenants", { body: { name: `page-${i}` } }))).id);
    }
    const first = await json(await asAdmin("GET", "/api/v1/tenants?limit=2"));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    await asAdmin("POST", "/api/v1/tenants", { body: { name: "arrives-later" } });

    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await json(await asAdmin("GET", `/api/v1/tenants?limit=2&cursor=${encodeURIComponent(cursor)}`));
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    const names = seen.map((t: { name: string }) => t.name);
    expect(names).not.toContain("arrives-later");
    expect(new Set(seen.map((t: { id: string }) => t.id)).size).toBe(seen.length);
    const order = created.reverse().map((id) => seen.findIndex((t: { id: string }) => t.id === id));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const bad = await asAdmin("GET", "/api/v1/tenants?cursor=garbage");
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual([{ path: "query.cursor", message: "Not a cursor returned by this API" }]);
  });

  it("refuses callers without the admin token", async () => {
    const none = await call("GET", "/api/v1/tenants");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await call("GET", "/api/v1/tenants", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    expect((await json(wrong)).detail).toBe("Invalid admin token");
  });
});
