import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { postForm, signInAsOperator, userSession } from "./helpers";

// Attack pass 2 (issue 13): an invitation's address is rendered by the send path like any
// recipient, so a placeholder in it sent the link somewhere other than the address stored and
// shown ("{{!x}}zed@example.com" was stored, the link went to zed@example.com), or failed the
// send after the member and the link were stored ("{{x}}@example.com").
let tenant: TestTenant;
let manager: string;

beforeAll(async () => {
  tenant = await createTestTenant("Team attack 2");
  manager = await userSession(tenant, "manage");
});

const members = async () => (await env.DB.prepare("SELECT email FROM admin_users WHERE tenant_id = ?").bind(tenant.id).all<{ email: string }>()).results.map((r) => r.email);

describe("admin UI attack 2: invitation addresses with placeholders", () => {
  it("are refused at email by the team screen and the operator's invitation, and store no member", async () => {
    const operator = await signInAsOperator();
    for (const email of ["{{!x}}zed@example.com", "{{x}}@example.com", "{{^a}}eve{{/a}}@example.com", "((x))ada@example.com"]) {
      const team = await postForm("/admin/settings/team/invite", { email, role: "read" }, { cookie: manager });
      expect([email, team.status]).toEqual([email, 422]);
      expect(await team.text()).toContain('id="email-error"');
      const op = await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "read" }, { cookie: operator });
      expect([email, op.status]).toEqual([email, 422]);
    }
    expect(await members()).toEqual([]);
    await settleQueues();
  });
});
