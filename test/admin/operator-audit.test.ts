import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asAdmin, call, json } from "../helpers/http";
import { createTestTenant } from "../helpers/tenants";
import { dramaNumber } from "../received-texts/helpers";
import { getPage, userSession } from "./helpers";

type Row = { tenant_id: string | null; actor: string; action: string; target: string; detail: string | null };
const operatorRowsOf = async (tenantId: string) =>
  (await env.DB.prepare("SELECT tenant_id, actor, action, target, detail FROM audit_log WHERE tenant_id = ? AND actor = 'operator' ORDER BY at, id").bind(tenantId).all<Row>()).results;

describe("operator API changes (admin token)", () => {
  it("are audited under the tenant they change, with actor operator, the route pattern and what they acted on, never a secret", async () => {
    const t = await createTestTenant("Operator audit");
    // createTestTenant: the tenant, then a key of each type, all through the operator API.
    const created = await operatorRowsOf(t.id);
    expect(created.map((r) => [r.action, r.target])).toEqual([
      ["POST /api/v1/tenants", t.id],
      ["POST /api/v1/tenants/{tenantId}/api-keys", t.keyIds.live],
      ["POST /api/v1/tenants/{tenantId}/api-keys", t.keyIds.team],
      ["POST /api/v1/tenants/{tenantId}/api-keys", t.keyIds.test],
    ]);
    expect(JSON.parse(created[0]!.detail!)).toMatchObject({ status: 201, requestId: expect.any(String) });
    for (const key of Object.values(t.keys)) expect(JSON.stringify(created)).not.toContain(key.slice(-36));

    expect((await asAdmin("PATCH", `/api/v1/tenants/${t.id}`, { body: { limits: { dailyEmail: 10 } } })).status).toBe(200);
    expect((await asAdmin("DELETE", `/api/v1/tenants/${t.id}/api-keys/${t.keyIds.team}`)).status).toBe(204);
    const assigned = await asAdmin("POST", `/api/v1/tenants/${t.id}/inbound-numbers`, { body: { number: dramaNumber() } });
    expect(assigned.status).toBe(201);
    const { id: senderId } = await json<{ id: string }>(assigned);
    expect((await asAdmin("DELETE", `/api/v1/tenants/${t.id}/inbound-numbers/${senderId}`)).status).toBe(204);

    const later = (await operatorRowsOf(t.id)).slice(4);
    expect(later.map((r) => [r.action, r.target])).toEqual([
      ["PATCH /api/v1/tenants/{tenantId}", t.id],
      ["DELETE /api/v1/tenants/{tenantId}/api-keys/{keyId}", t.keyIds.team],
      ["POST /api/v1/tenants/{tenantId}/inbound-numbers", senderId],
      ["DELETE /api/v1/tenants/{tenantId}/inbound-numbers/{senderId}", senderId],
    ]);

    // Shown in the tenant's own audit log.
    const html = await (await getPage("/admin/settings/audit?action=PATCH", await userSession(t, "manage"))).text();
    expect(html).toContain('<td class="code">operator</td>');
    expect(html).toContain("PATCH /api/v1/tenants/{tenantId}");
  });

  it("are not audited for reads, refusals or a wrong token", async () => {
    const t = await createTestTenant("Operator audit quiet");
    const before = (await operatorRowsOf(t.id)).length;
    expect((await asAdmin("GET", `/api/v1/tenants/${t.id}`)).status).toBe(200);
    expect((await asAdmin("GET", `/api/v1/tenants/${t.id}/api-keys`)).status).toBe(200);
    expect((await asAdmin("PATCH", `/api/v1/tenants/${t.id}`, { body: { status: "paused" } })).status).toBe(400);
    expect((await asAdmin("DELETE", `/api/v1/tenants/${t.id}/api-keys/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await asAdmin("POST", `/api/v1/tenants/${t.id}/inbound-numbers`, { body: { number: "ACME" } })).status).toBe(422);
    const wrong = await call("PATCH", `/api/v1/tenants/${t.id}`, { headers: { authorization: "Bearer not-the-token" }, body: { limits: { dailyEmail: 1 } } });
    expect(wrong.status).toBe(403);
    // A tenant's key cannot use the operator API at all.
    expect((await call("PATCH", `/api/v1/tenants/${t.id}`, { headers: { "x-api-key": t.keys.live }, body: { limits: { dailyEmail: 1 } } })).status).toBeGreaterThanOrEqual(401);
    expect(await operatorRowsOf(t.id)).toHaveLength(before);
    const platform = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE tenant_id IS NULL AND action LIKE '% /api/v1/%'").first<number>("n");
    expect(platform).toBe(0);
  });
});
