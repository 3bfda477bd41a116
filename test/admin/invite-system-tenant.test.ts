import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_TENANT_NAME, systemTenantId } from "../../src/services/tenants/system-tenant";
import { asAdmin, call, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { postForm, signInAsOperator } from "./helpers";

// From an attack run: an invitation was a notification of the invitee's tenant, so any of that
// tenant's keys read the one-time sign-in link (`GET /v2/notifications` shows bodies) and could
// take the invited account first. Invitations are now the deployment's own mail, sent as the
// system tenant's, which has no keys and no administrators.
const mocks = createProviderMocks();
const SYSTEM_ID = systemTenantId(env);
let tenant: TestTenant;
let sendOnly: string;
let operator: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Invitee's tenant");
  const key = await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "send only", type: "live", permissions: ["send"] } });
  sendOnly = (await json<{ key: string }>(key)).key;
  operator = await signInAsOperator();
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

const invite = (email: string, role = "manage", tenantId = tenant.id) => postForm("/admin/tenants/invite", { tenantId, email, role }, { cookie: operator });

function linkSentTo(email: string): string {
  const mail = mocks.captured.ses.filter((m) => m.destination.ToAddresses?.includes(email)).at(-1);
  const link = /\/admin\/sign-in\/link\/([A-Za-z0-9_-]{43})/.exec(mail?.mime.text ?? "");
  expect(link, `no link mailed to ${email}`).not.toBeNull();
  return link![1]!;
}

const systemNotifications = async () =>
  (await env.DB.prepare("SELECT id FROM notifications WHERE tenant_id = ? ORDER BY id").bind(SYSTEM_ID).all<{ id: string }>()).results.map((r) => r.id);

describe("admin invitations are the deployment's own mail", () => {
  it("two concurrent first invitations create one system tenant", async () => {
    // Files share the database: start from a deployment that has never sent an invitation.
    await env.DB.prepare("DELETE FROM tenants WHERE id = ?").bind(SYSTEM_ID).run();
    const [a, b] = await Promise.all([invite("first-a@system.test"), invite("first-b@system.test")]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const rows = (await env.DB.prepare("SELECT id, name, status FROM tenants WHERE name = ?").bind(SYSTEM_TENANT_NAME).all()).results;
    expect(rows).toEqual([{ id: SYSTEM_ID, name: SYSTEM_TENANT_NAME, status: "live" }]);
    await settleQueues();
    linkSentTo("first-a@system.test");
    linkSentTo("first-b@system.test");
  });

  it("no key of the invitee's tenant can read the link; the email still carries a working one", async () => {
    const before = await systemNotifications();
    expect((await invite("invitee@system.test")).status).toBe(303);
    await settleQueues();
    const token = linkSentTo("invitee@system.test");
    const keys = [["live", tenant.keys.live], ["team", tenant.keys.team], ["send-only", sendOnly]] as const;
    for (const [label, key] of keys) {
      for (const path of ["/v2/notifications", "/api/v1/notify", "/notifications?page=1"]) {
        const res = await call("GET", path, { headers: { "x-api-key": key } });
        if (label !== "send-only") expect(res.status, `${label} ${path}`).toBe(200);
        const text = await res.text();
        expect(text, `${label} ${path}`).not.toContain("/admin/sign-in/link/");
        expect(text, `${label} ${path}`).not.toContain(token);
      }
    }
    // The operator's copy: a notification of the system tenant, which no tenant key reaches by id.
    const notifyId = (await systemNotifications()).find((id) => !before.includes(id));
    expect(notifyId).toBeDefined();
    for (const [label, key] of keys) {
      const get = (path: string) => call("GET", path, { headers: { "x-api-key": key } });
      for (const path of [`/v2/notifications/${notifyId}`, `/api/v1/notify/${notifyId}`, `/api/v1/notify/${notifyId}/messages`, `/notifications/${notifyId}`]) {
        const res = await get(path);
        expect(res.status, `${label} ${path}`).toBe(label === "send-only" ? 403 : 404);
        expect(await res.text(), `${label} ${path}`).not.toContain(token);
      }
    }

    const signedIn = await postForm(`/admin/sign-in/link/${token}`, {});
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe("/admin/dashboard");
  });

  it("the system tenant can have neither API keys nor administrators", async () => {
    const shown = await json(await asAdmin("GET", `/api/v1/tenants/${SYSTEM_ID}`));
    expect(shown).toMatchObject({ id: SYSTEM_ID, name: SYSTEM_TENANT_NAME, status: "live" });

    const key = await asAdmin("POST", `/api/v1/tenants/${SYSTEM_ID}/api-keys`, { body: { name: "sneaky", type: "live" } });
    expect(key.status).toBe(422);
    expect((await json(key)).errors).toEqual([{ path: "tenantId", message: expect.stringContaining("cannot have API keys") }]);
    const keys = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?").bind(SYSTEM_ID).first<{ n: number }>();
    expect(keys!.n).toBe(0);

    const before = mocks.captured.ses.length;
    const res = await invite("insider@system.test", "manage", SYSTEM_ID);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("cannot have administrators");
    const users = await env.DB.prepare("SELECT count(*) AS n FROM admin_users WHERE tenant_id = ?").bind(SYSTEM_ID).first<{ n: number }>();
    expect(users!.n).toBe(0);
    await settleQueues();
    expect(mocks.captured.ses.length).toBe(before);

    // The invitation form does not offer it.
    const page = await (await call("GET", "/admin/tenants", { headers: { cookie: operator } })).text();
    expect(page).not.toContain(`<option value="${SYSTEM_ID}"`);
  });
});
