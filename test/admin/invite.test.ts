import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { ADMIN_TOKEN } from "../helpers/http";
import { getPage, postForm, sessionCookieOf, signInAsOperator } from "./helpers";

const mocks = createProviderMocks();
let tenant: TestTenant;
let other: TestTenant;
let operator: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  // Trial: the invitation must still reach someone not on the guest list (team members may be mailed).
  tenant = await createTestTenant("Admin invite tenant", { status: "trial" });
  other = await createTestTenant("Admin other tenant");
  operator = await signInAsOperator();
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

async function invite(t: TestTenant, email: string, role: string): Promise<string> {
  const res = await postForm("/admin/tenants/invite", { tenantId: t.id, email, role }, { cookie: operator });
  expect(res.status).toBe(303);
  await settleQueues();
  const mail = mocks.captured.ses.filter((m) => m.destination.ToAddresses?.includes(email.toLowerCase())).at(-1);
  expect(mail, `an email to ${email}`).toBeDefined();
  const link = /https?:\/\/[^\s]+\/admin\/sign-in\/link\/([A-Za-z0-9_-]{43})/.exec(mail!.mime.text ?? "");
  expect(link).not.toBeNull();
  return link![1]!;
}

describe("admin UI: inviting a tenant's administrator", () => {
  it("emails a one-time link: the GET confirms, the POST signs in once, the user sees only its tenant", async () => {
    const token = await invite(tenant, "Ada.Admin@Example.com", "manage");
    const confirm = await getPage(`/admin/sign-in/link/${token}`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Continue");
    // The GET did not use it (mail scanners open links).
    expect((await getPage(`/admin/sign-in/link/${token}`)).status).toBe(200);

    const signIn = await postForm(`/admin/sign-in/link/${token}`, {});
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/admin/dashboard");
    const user = sessionCookieOf(signIn);
    const again = await postForm(`/admin/sign-in/link/${token}`, {});
    expect(again.status).toBe(404);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect((await getPage(`/admin/sign-in/link/${token}`)).status).toBe(404);

    const dashboard = await getPage("/admin/dashboard", user);
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain("Admin invite tenant");
    expect(html).not.toContain("Admin other tenant");
    for (const secret of [ADMIN_TOKEN, token, user.split("=")[1]!, tenant.keys.live, other.keys.live]) expect(html).not.toContain(secret);
    // Operator pages are not a user's.
    expect((await getPage("/admin/tenants", user)).status).toBe(403);
    // And an operator is not a tenant user.
    expect((await getPage("/admin/dashboard", operator)).status).toBe(403);
  });

  it("refuses a malformed address with the error summary, and an unknown tenant", async () => {
    const bad = await postForm("/admin/tenants/invite", { tenantId: tenant.id, email: "not-an-address", role: "read" }, { cookie: operator });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain("There is a problem");
    expect(html).toContain('href="#email"');
    expect((await postForm("/admin/tenants/invite", { tenantId: "00000000-0000-0000-0000-000000000000", email: "x@example.com", role: "read" }, { cookie: operator })).status).toBe(422);
  });

  it("a tenant user cannot invite (operator only), and no session cannot post at all", async () => {
    const token = await invite(other, "reader@example.com", "read");
    const reader = sessionCookieOf(await postForm(`/admin/sign-in/link/${token}`, {}));
    expect((await postForm("/admin/tenants/invite", { tenantId: other.id, email: "x@example.com", role: "manage" }, { cookie: reader })).status).toBe(403);
    expect((await postForm("/admin/tenants/invite", { tenantId: other.id, email: "x@example.com", role: "manage" })).status).toBe(403);
  });
});
