import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// The idempotency window on the resolved notification (services/send/duplicate-window.ts).
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Duplicate window", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const email = (to: string[], extra: Record<string, unknown> = {}) => ({ recipients: { to }, content: { subject: "Your permit", body: "It is approved" }, ...extra });
const post = (body: unknown, who = tenant, path = "/api/v1/notifysimple/email") => asTenant(who, "POST", path, { body });
const count = async (who = tenant) => (await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(who.id).first<{ n: number }>())!.n;

describe("the duplicate window", () => {
  it("the same notification again is answered with the first (200, Idempotent-Replayed), and sent once", async () => {
    const first = await post(email(["ann@example.com"]));
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    await waitForNotification(tenant, notifyId);
    const again = await post(email(["ann@example.com"]));
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toMatchObject({ notifyId, duplicate: true, status: "delivered", channels: { email: 1 } });
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("is the same notification however it is written: addresses case-folded, lists reordered, another route", async () => {
    const first = await post(email(["Bob@Example.com", "cat@example.com"]));
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    const reordered = await post(email(["CAT@example.com", "bob@example.com"]));
    expect(reordered.status).toBe(200);
    expect((await json(reordered)).notifyId).toBe(notifyId);
    const otherRoute = await post({ email: email(["bob@example.com", "cat@example.com"]) }, tenant, "/api/v1/notifysimple");
    expect((await json(otherRoute)).notifyId).toBe(notifyId);
    // Different content is a different notification.
    expect((await post({ ...email(["bob@example.com", "cat@example.com"]), content: { subject: "Your permit", body: "It is refused" } })).status).toBe(201);
  });

  it("allowDuplicate sends anew", async () => {
    expect((await post(email(["dan@example.com"]))).status).toBe(201);
    const again = await post(email(["dan@example.com"], { allowDuplicate: true }));
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a duplicate of a cancelled notification may send", async () => {
    const later = { delayedSend: new Date(Date.now() + 3_600_000).toISOString() };
    const first = await post(email(["eve@example.com"], later));
    const { notifyId } = await json(first);
    expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`)).status).toBe(200);
    const again = await post(email(["eve@example.com"], later));
    expect(again.status).toBe(201);
    const anew = (await json(again)).notifyId;
    expect(anew).not.toBe(notifyId);
    // ...and the new one is now the one remembered.
    const third = await post(email(["eve@example.com"], later));
    expect(third.status).toBe(200);
    expect((await json(third)).notifyId).toBe(anew);
  });

  it("50 identical sends at once make one notification and one provider call per recipient", async () => {
    const before = await count();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(email(["fay@example.com", "gus@example.com"]))));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    // The others are answered with the first (200), or told to retry while it is being stored (409).
    expect(answers.every((r) => r.status === 201 || r.status === 200 || (r.status === 409 && r.headers.get("retry-after") === "1"))).toBe(true);
    const ids = new Set((await Promise.all(answers.filter((r) => r.status !== 409).map((r) => json(r)))).map((b) => b.notifyId));
    expect(ids.size).toBe(1);
    const retried = await post(email(["fay@example.com", "gus@example.com"]));
    expect(retried.status).toBe(200);
    expect((await json(retried)).notifyId).toBe([...ids][0]);
    expect(await count()).toBe(before + 1);
    await waitForNotification(tenant, [...ids][0]!);
    // (Other tests' emails may still be arriving: count these two addresses only.)
    const reached = mocks.captured.ses.flatMap((s) => s.destination.ToAddresses ?? []).filter((a) => a === "fay@example.com" || a === "gus@example.com");
    expect(reached.sort()).toEqual(["fay@example.com", "gus@example.com"]);
  });

  it("the window is the tenant's to set: 0 turns it off, and a remembered notification is forgotten when it ends", async () => {
    const other = await createTestTenant("Duplicate window settings", { status: "live" });
    expect((await asTenant(other, "PATCH", "/api/v1/tenant/defaults", { body: { duplicateWindowSeconds: 0 } })).status).toBe(200);
    expect((await post(email(["hal@example.com"]), other)).status).toBe(201);
    expect((await post(email(["hal@example.com"]), other)).status).toBe(201);
    expect((await asTenant(other, "PATCH", "/api/v1/tenant/defaults", { body: { duplicateWindowSeconds: 1 } })).status).toBe(200);
    expect((await post(email(["ida@example.com"]), other)).status).toBe(201);
    expect((await post(email(["ida@example.com"]), other)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await post(email(["ida@example.com"]), other)).status).toBe(201);
    expect((await asTenant(other, "PATCH", "/api/v1/tenant/defaults", { body: { duplicateWindowSeconds: 86_401 } })).status).toBe(400);
  });

  it("a fanned-out merge sent again, its rows in another order, is the same notification", async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`m${i}@example.com`, `N${i}`]);
    const body = (list: string[][]) => ({ recipients: { mergeArray: [["to", "name"], ...list] }, content: { subject: "Hi {{name}}", body: "b" } });
    const first = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: body(rows), key: tenant.keys.test });
    expect(first.status).toBe(201);
    const again = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: body([...rows].reverse()), key: tenant.keys.test });
    expect(again.status).toBe(200);
    expect((await json(again)).notifyId).toBe((await json(first)).notifyId);
    const changed = rows.map((r, i) => (i === 7 ? [r[0]!, "Other"] : r));
    expect((await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: body(changed), key: tenant.keys.test })).status).toBe(201);
  });
});
