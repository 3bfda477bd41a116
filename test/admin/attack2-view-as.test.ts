import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, signInAsOperator } from "./helpers";

// Attack pass 2 (issue 13): while an operator views a tenant, every request is written to that
// tenant's audit log, which its manage users read. The operator pages (other tenants' pages, the
// failures across tenants, the operator's searches) must not be reachable then, or their paths
// (other tenants' ids, filters) land in the viewed tenant's log.

let viewed: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  [viewed, other] = await Promise.all([createTestTenant("Viewed (attack 2)"), createTestTenant("Other (attack 2)")]);
});
afterAll(() => settleQueues());

const targetsOf = async (tenantId: string) =>
  (await env.DB.prepare("SELECT target FROM audit_log WHERE tenant_id = ? AND action = 'admin.operator.view_as'").bind(tenantId).all<{ target: string }>()).results.map((r) => r.target);

describe("admin UI attack 2: operator pages while viewing a tenant", () => {
  it("are refused, and nothing of them (another tenant's id, a filter) is written to the viewed tenant's audit log", async () => {
    const operator = await signInAsOperator();
    expect((await postForm(`/admin/tenants/${viewed.id}/view-as`, {}, { cookie: operator })).status).toBe(303);
    const operatorPages = [`/admin/tenants/${other.id}`, "/admin/tenants", `/admin/failures?tenant=${other.id}`, "/admin/providers", "/admin/sessions", `/admin/tenants/${other.id}/view-as`, "/admin/tenants/new"];
    for (const path of operatorPages) {
      const res = await getPage(path, operator);
      const html = await res.text();
      expect([path, res.status]).toEqual([path, 403]);
      expect(html, path).not.toContain("Other (attack 2)");
      expect(html, path).toContain("Stop viewing");
    }
    expect((await getPage("/admin/dashboard", operator)).status).toBe(200);
    const logged = await targetsOf(viewed.id);
    expect(logged).toContain("/admin/dashboard");
    expect(logged.filter((p) => p.includes(other.id))).toEqual([]);
    // Stopped, the operator pages are the operator's again.
    await postForm("/admin/view-as/stop", {}, { cookie: operator });
    expect((await getPage(`/admin/tenants/${other.id}`, operator)).status).toBe(200);
  });
});
