import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// msw errors on any unmocked request and records every mocked one: test keys must cause none.
const mocks = createProviderMocks();
let tenant: TestTenant;
let other: TestTenant;
let smsTemplate: string;
let emailTemplate: string;

const template = async (t: TestTenant, body: object) => (await json(await asTenant(t, "POST", "/api/v1/templates", { body }))).id as string;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Early API");
  other = await createTestTenant("Early API other");
  smsTemplate = await template(tenant, { name: "legacy sms", channel: "sms", body: "Hello ((name)), see you in ((date))", renderer: "gc" });
  emailTemplate = await template(tenant, { name: "legacy email", channel: "email", subject: "Hi ((name))", body: "Dear ((name)), ((date))", renderer: "gc" });
});
afterAll(() => mocks.server.close());

const SEED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A seed-shaped send with the test key (simulated: no provider is called). */
async function send(method: "sms" | "email", body: object, key = tenant.keys.test) {
  return asTenant(tenant, "POST", `/notifications/${method}`, { body, key });
}

describe("the seed's early API", () => {
  it("POST /notifications/sms answers {data: {notification: {id}}} and GET /notifications/{id} the seed's fields", async () => {
    const res = await send("sms", { to: "+447700900404", template: smsTemplate, personalisation: { name: "myname", date: "2016" } });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(["data"]);
    expect(Object.keys(body.data)).toEqual(["notification"]);
    expect(Object.keys(body.data.notification)).toEqual(["id"]);
    const id = body.data.notification.id;
    expect(res.headers.get("location")).toMatch(new RegExp(`/notifications/${id}$`));

    await waitForNotification(tenant, id, (n) => n.status === "delivered");
    const got = await asTenant(tenant, "GET", `/notifications/${id}`);
    expect(got.status).toBe(200);
    const view = await json(got);
    expect(Object.keys(view.data)).toEqual(["notification"]);
    const n = view.data.notification;
    expect(Object.keys(n)).toEqual(["status", "createdAt", "to", "method", "sentAt", "id", "message", "job_id", "sender"]);
    expect(n).toMatchObject({ status: "delivered", to: "+447700900404", method: "sms", id, message: "Hello myname, see you in 2016", job_id: null });
    expect(n.createdAt).toMatch(SEED_TIME);
    expect(n.sentAt).toMatch(SEED_TIME);
    expect(typeof n.sender).toBe("string");
    expect(mocks.captured.twilio).toEqual([]);
  });

  it("POST /notifications/email renders the template and reports the sender", async () => {
    const res = await send("email", { to: "email@gov.uk", template: emailTemplate, personalisation: { name: "myname", date: "2016" } });
    expect(res.status).toBe(201);
    const { id } = (await json(res)).data.notification;
    await waitForNotification(tenant, id, (n) => n.status === "delivered");
    const n = (await json(await asTenant(tenant, "GET", `/notifications/${id}`))).data.notification;
    expect(n).toMatchObject({ status: "delivered", to: "email@gov.uk", method: "email", message: "Dear myname, 2016", job_id: null });
    expect(n.sender).toEqual(expect.any(String));
    expect(mocks.captured.ses).toEqual([]);
  });

  it("maps failures to failed (the simulator's permanent failure number)", async () => {
    const { id } = (await json(await send("sms", { to: "+447700900002", template: smsTemplate, personalisation: { name: "a", date: "b" } }))).data.notification;
    await waitForNotification(tenant, id);
    expect((await json(await asTenant(tenant, "GET", `/notifications/${id}`))).data.notification.status).toBe("failed");
  });

  it("refuses an unknown template, the seed's numeric example, a template of the other channel and a bad `to` as problems naming the field", async () => {
    const cases: [string, object, number, string][] = [
      ["sms", { to: "+447700900404", template: crypto.randomUUID() }, 422, "template"],
      ["sms", { to: "+447700900404", template: 1 }, 422, "template"],
      ["email", { to: "email@gov.uk", template: smsTemplate, personalisation: { name: "a", date: "b" } }, 422, "template"],
      ["sms", { to: "not a number", template: smsTemplate, personalisation: { name: "a", date: "b" } }, 422, "to"],
      ["email", { to: "nobody", template: emailTemplate, personalisation: { name: "a", date: "b" } }, 422, "to"],
      ["sms", { template: smsTemplate }, 400, "to"],
      ["sms", { to: "+447700900404", template: smsTemplate }, 422, "personalisation"],
    ];
    for (const [method, body, status, path] of cases) {
      const res = await send(method as "sms" | "email", body);
      const problem = await json(res);
      expect({ status: res.status, type: res.headers.get("content-type") }, JSON.stringify(problem)).toEqual({ status, type: "application/problem+json" });
      expect(problem.errors.map((e: { path: string }) => e.path.split(".")[0]), JSON.stringify(problem)).toContain(path);
    }
  });

  it("GET /notifications lists the tenant's own, newest first, 50 a page", async () => {
    const pager = await createTestTenant("Early API pages");
    const t = await template(pager, { name: "p", channel: "sms", body: "n ((i))", renderer: "gc" });
    const ids: string[] = [];
    for (let i = 0; i < 52; i++) {
      const res = await asTenant(pager, "POST", "/notifications/sms", { body: { to: "+447700900404", template: t, personalisation: { i } }, key: pager.keys.test });
      expect(res.status).toBe(201);
      ids.push((await json(res)).data.notification.id);
    }
    const page = async (query: string) => {
      const res = await asTenant(pager, "GET", `/notifications${query}`);
      expect(res.status).toBe(200);
      return (await json(res)).data as { notification: { id: string; method: string; to: string; message: string } }[];
    };
    const newestFirst = [...ids].reverse();
    const first = await page("");
    expect(first.map((d) => d.notification.id)).toEqual(newestFirst.slice(0, 50));
    expect(Object.keys(first[0]!)).toEqual(["notification"]);
    expect(first[0]!.notification).toMatchObject({ method: "sms", to: "+447700900404", message: "n 51" });
    expect((await page("?page=1")).map((d) => d.notification.id)).toEqual(newestFirst.slice(0, 50));
    expect((await page("?&page=2")).map((d) => d.notification.id)).toEqual(newestFirst.slice(50));
    expect(await page("?page=3")).toEqual([]);
    for (const bad of ["0", "x", "1001"]) expect((await asTenant(pager, "GET", `/notifications?page=${bad}`)).status).toBe(400);

    // The tenant's own only.
    const mine = await page("");
    expect(mine.some((d) => !ids.includes(d.notification.id))).toBe(false);
  }, 60_000);

  it("answers 404 for another tenant's id, an unknown id and a non-id", async () => {
    const { id } = (await json(await send("sms", { to: "+447700900404", template: smsTemplate, personalisation: { name: "iso", date: "x" } }))).data.notification;
    expect((await asTenant(other, "GET", `/notifications/${id}`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", `/notifications/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", "/notifications/1")).status).toBe(404);
    const theirs = (await json(await asTenant(other, "GET", "/notifications"))).data;
    expect(theirs).toEqual([]);
    // Another tenant's template is not one of yours.
    const res = await asTenant(other, "POST", "/notifications/sms", { body: { to: "+447700900404", template: smsTemplate, personalisation: { name: "a", date: "b" } }, key: other.keys.test });
    expect(res.status).toBe(422);
  });
});

describe("the seed's JWT: req and pay", () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const sha256Hex = async (text: string) =>
    [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");

  it("accepts a POST whose req and pay match, and refuses one whose req or pay does not", async () => {
    const body = JSON.stringify({ to: "+447700900404", template: smsTemplate, personalisation: { name: "jwt", date: "2016" } });
    const key = tenant.keys.test;
    const post = async (claims: Record<string, unknown>, raw = body) =>
      call("POST", "/notifications/sms", { rawBody: raw, headers: { ...bearer(await notifyToken(key, claims)), "content-type": "application/json" } });

    const ok = await post({ req: "POST /notifications/sms", pay: await sha256Hex(body) });
    expect(ok.status).toBe(201);
    expect((await json(ok)).data.notification.id).toEqual(expect.any(String));

    const wrongReq = await post({ req: "POST /notifications/email", pay: await sha256Hex(body) });
    expect(wrongReq.status).toBe(403);
    expect((await json(wrongReq)).detail).toMatch(/req claim/);

    const wrongPay = await post({ req: "POST /notifications/sms", pay: await sha256Hex(body.replace("jwt", "JWT")) });
    expect(wrongPay.status).toBe(403);
    expect((await json(wrongPay)).detail).toMatch(/pay claim/);
  });

  it("accepts a GET whose req names it, and refuses one signed for another path", async () => {
    const { id } = (await json(await send("sms", { to: "+447700900404", template: smsTemplate, personalisation: { name: "get", date: "x" } }))).data.notification;
    const get = async (path: string, req: string) => call("GET", path, { headers: bearer(await notifyToken(tenant.keys.live, { req })) });
    expect((await get(`/notifications/${id}`, `GET /notifications/${id}`)).status).toBe(200);
    expect((await get(`/notifications/${id}`, "GET /notifications/1234")).status).toBe(403);
    expect((await get("/notifications?page=1", "GET /notifications?page=1")).status).toBe(200);
    expect((await get("/notifications", "POST /notifications")).status).toBe(403);
  });
});
