import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, sessionCookieOf, signInAsOperator } from "./helpers";

// From an attack run: invitations were sent through the tenant's own send path, so the email
// (with its one-time sign-in link) was a notification of the tenant's. A read-only user opening it
// in Activity saw a manage user's unused link and, redeeming it, became that manage user. They are
// now the deployment's own mail (invite-system-tenant.test.ts); Activity still hides sign-in link
// tokens (activity.test.ts, hidePayloadSecrets) in case one arrives some other way.
const mocks = createProviderMocks();
let tenant: TestTenant;
let operator: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Admin link leak tenant");
  operator = await signInAsOperator();
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

async function invite(email: string, role: string): Promise<string> {
  const res = await postForm("/admin/tenants/invite", { tenantId: tenant.id, email, role }, { cookie: operator });
  expect(res.status).toBe(303);
  await settleQueues();
  const mail = mocks.captured.ses.filter((m) => m.destination.ToAddresses?.includes(email)).at(-1);
  const link = /\/admin\/sign-in\/link\/([A-Za-z0-9_-]{43})/.exec(mail?.mime.text ?? "");
  expect(link).not.toBeNull();
  return link![1]!;
}

describe("admin UI: sign-in links in the tenant's activity", () => {
  it("a read user's Activity never shows another person's sign-in link", async () => {
    const readToken = await invite("reader@leak.test", "read");
    const manageToken = await invite("boss@leak.test", "manage");
    const reader = sessionCookieOf(await postForm(`/admin/sign-in/link/${readToken}`, {}));

    const list = await (await getPage("/admin/activity", reader)).text();
    expect(list).not.toContain(manageToken);
    const ids = [...new Set([...list.matchAll(/href="\/admin\/activity\/([0-9a-f-]{36})"/g)].map((m) => m[1]!))];
    // The invitations are not the tenant's notifications at all.
    expect(ids).toEqual([]);
    // The link is still the invited person's to use.
    const boss = await postForm(`/admin/sign-in/link/${manageToken}`, {});
    expect(boss.status).toBe(303);
  });
});

describe("admin UI: a re-invitation with another role", () => {
  it("ends the person's sessions, so a downgraded manage user cannot keep managing", async () => {
    const first = await invite("demoted@leak.test", "manage");
    const session = sessionCookieOf(await postForm(`/admin/sign-in/link/${first}`, {}));
    expect((await getPage("/admin/settings/api-keys", session)).status).toBe(200);

    await invite("demoted@leak.test", "read");
    expect((await getPage("/admin/settings/api-keys", session)).status).toBe(303);
    const create = await postForm("/admin/settings/api-keys", { name: "after downgrade", type: "live", permissions: "read" }, { cookie: session });
    expect(create.status).toBe(403);
  });

  it("keeps the sessions of a re-invitation with the same role", async () => {
    const first = await invite("same@leak.test", "send");
    const session = sessionCookieOf(await postForm(`/admin/sign-in/link/${first}`, {}));
    await invite("same@leak.test", "send");
    expect((await getPage("/admin/dashboard", session)).status).toBe(200);
  });
});
