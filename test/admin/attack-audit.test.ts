import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { adminSignInLinks, adminUsers } from "../../src/db/schema";
import { toBase64Url } from "../../src/lib/crypto/encoding";
import { sha256Hex } from "../../src/lib/crypto/hash";
import { uuidv7 } from "../../src/lib/ids";
import { audit } from "../../src/services/admin-identity";
import { listAuditEntries } from "../../src/services/admin-identity/audit-log";
import { adminServiceContext } from "../../src/services/admin-identity/context";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, signInAsOperator, userSession } from "./helpers";

// Secrets in the audit log (issue 13 attack pass): every manage user of a tenant reads its log.
const db = createDb(env.DB);
let viewed: TestTenant;
let victim: TestTenant;
let viewedManager: string;

/** A live one-time sign-in link for a new manage user of `tenant`, as an invitation makes one. */
async function liveLink(tenant: TestTenant): Promise<string> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const userId = uuidv7(Date.now());
  await db.insert(adminUsers).values({ id: userId, tenantId: tenant.id, email: `${userId}@example.com`, role: "manage", createdAt: new Date() });
  await db.insert(adminSignInLinks).values({ tokenHash: await sha256Hex(token), userId, expiresAt: new Date(Date.now() + 3600_000) });
  return token;
}

beforeAll(async () => {
  [viewed, victim] = await Promise.all([createTestTenant("Audit attack viewed"), createTestTenant("Audit attack victim")]);
  viewedManager = await userSession(viewed, "manage");
});

describe("admin UI attack: audit log secrets", () => {
  it("a sign-in link an operator opens while viewing a tenant is not in that tenant's audit log (its manage users cannot take it)", async () => {
    const token = await liveLink(victim);
    const operator = await signInAsOperator();
    expect((await postForm(`/admin/tenants/${viewed.id}/view-as`, {}, { cookie: operator })).status).toBe(303);
    expect((await getPage(`/admin/sign-in/link/${token}`, operator)).status).toBe(200);
    expect((await postForm("/admin/view-as/stop", {}, { cookie: operator })).status).toBe(303);

    const stored = await env.DB.prepare("SELECT target, detail FROM audit_log WHERE tenant_id = ?").bind(viewed.id).all<{ target: string; detail: string | null }>();
    expect(JSON.stringify(stored.results)).not.toContain(token);
    // Signing in is not a look at the viewed tenant: the visit is not written under it at all.
    expect(JSON.stringify(stored.results)).not.toContain("/admin/sign-in");
    const page = await (await getPage("/admin/settings/audit", viewedManager)).text();
    expect(page).not.toContain(token);
  });

  it("entries written with a link token (before redaction existed, or by any writer) are redacted when read", async () => {
    const token = await liveLink(victim);
    await env.DB.prepare("INSERT INTO audit_log (id, tenant_id, actor, action, target, at, detail) VALUES (?, ?, 'operator', 'admin.operator.view_as', ?, ?, ?)")
      .bind(uuidv7(Date.now()), viewed.id, `/admin/sign-in/link/${token}`, Date.now(), JSON.stringify({ path: `/admin/sign-in/link/${token}?x=1`, nested: [`/admin/sign-in/link/${token}`] }))
      .run();
    const tenant = await db.query.tenants.findFirst({ where: (t, { eq }) => eq(t.id, viewed.id) });
    const ctx = adminServiceContext({ db, env, now: new Date(), requestId: "req_test", origin: "http://x", correlationId: "c" } as never, tenant!, { actor: "operator", role: "manage", correlationId: "c" });
    const page = await listAuditEntries(ctx, { limit: 50 });
    expect(JSON.stringify(page.items)).not.toContain(token);
    expect((await (await getPage("/admin/settings/audit", viewedManager)).text())).not.toContain(token);
    // And a writer that passes one in stores it redacted.
    await audit({ db, now: new Date(), actor: "operator" }, "test.redaction", `/admin/sign-in/link/${token}`, { link: `https://notify.example/admin/sign-in/link/${token}` }, { tenantId: viewed.id });
    const rows = await env.DB.prepare("SELECT target, detail FROM audit_log WHERE action = 'test.redaction'").all();
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });
});
