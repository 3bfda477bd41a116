import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Test keys: history behaves the same, and nothing needs mocking.
let tenant: TestTenant;
const ids: Record<string, string> = {};

async function send(name: string, body: object, headers: Record<string, string> = {}) {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body, key: tenant.keys.test, headers });
  expect(res.status).toBe(201);
  ids[name] = (await json(res)).notifyId;
}

const email = (to = "a@example.com") => ({ recipients: { to: [to] }, content: { subject: "s", body: "b" } });
const sms = { recipients: { to: ["+17787001234"] }, content: { body: "b" } };

beforeAll(async () => {
  tenant = await createTestTenant("History");
  await send("e1", { email: email(), tags: ["funding", "q1"], correlationId: "app-1" });
  await send("s1", { sms, tags: ["q1"] }, { "x-correlation-id": "from-header" });
  await send("both", { email: email(), sms, correlationId: "app-1" });
  await send("failed", { email: email("perm-fail@simulator.notify") });
  await send("later", { sms, delayedSend: new Date(Date.now() + 600_000).toISOString() });
  for (const name of ["e1", "s1", "both", "failed"]) await waitForNotification(tenant, ids[name]!);
});

const list = async (query: string) => json(await asTenant(tenant, "GET", `/api/v1/notify?${query}`));
const names = (page: any) => page.items.map((n: any) => Object.entries(ids).find(([, id]) => id === n.notifyId)?.[0]);

describe("GET /api/v1/notify", () => {
  it("lists newest first", async () => {
    expect(names(await list(""))).toEqual(["later", "failed", "both", "s1", "e1"]);
  });

  it("filters by correlationId (body or X-Correlation-Id header), status, channel and tag", async () => {
    expect(names(await list("correlationId=app-1"))).toEqual(["both", "e1"]);
    expect(names(await list("correlationId=from-header"))).toEqual(["s1"]);
    expect(names(await list("status=failed"))).toEqual(["failed"]);
    expect(names(await list("status=scheduled"))).toEqual(["later"]);
    expect(names(await list("channel=sms"))).toEqual(["later", "both", "s1"]);
    expect(names(await list("tag=q1"))).toEqual(["s1", "e1"]);
    expect(names(await list("tag=funding&channel=email"))).toEqual(["e1"]);
  });

  it("filters by creation time", async () => {
    const all = (await list("")).items;
    const from = all.find((n: any) => n.notifyId === ids.both).createdAt;
    expect(names(await list(`from=${encodeURIComponent(from)}`))).toEqual(["later", "failed", "both"]);
    expect(names(await list(`to=${encodeURIComponent(from)}`))).toEqual(["both", "s1", "e1"]);
    expect((await asTenant(tenant, "GET", "/api/v1/notify?from=yesterday")).status).toBe(400);
  });

  it("pages with a cursor that stays stable while new notifications arrive", async () => {
    const first = await list("limit=2");
    expect(names(first)).toEqual(["later", "failed"]);
    await send("newest", { email: email() });
    const second = await list(`limit=2&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(names(second)).toEqual(["both", "s1"]);
    const third = await list(`limit=2&cursor=${encodeURIComponent(second.nextCursor)}`);
    expect(names(third)).toEqual(["e1"]);
    expect(third.nextCursor).toBeNull();
  });
});
