import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A fanned-out merge (more than 100 rows) is remembered by its rows and request content and by
// what its first rows resolved that the request does not say: when it is due, the template's
// version, the sender. Due at another time, or rendered from another version, it is a new
// notification, as the same requests with 3 rows (an inline merge) are.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("fan-out digest", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const rows = (prefix: string, n: number) => [["to", "name"], ...Array.from({ length: n }, (_, i) => [`${prefix}${i}@example.com`, `N${i}`])];
const post = (body: unknown) => asTenant(tenant, "POST", "/api/v1/notifysimple", { body, key: tenant.keys.test });
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe("duplicate window for fanned-out merges", () => {
  it("an inline merge (3 rows) due at another time is another notification (control)", async () => {
    const merge = { recipients: { mergeArray: rows("inl", 3) }, content: { subject: "Hi {{name}}", body: "b" } };
    expect((await post({ email: merge, delayedSend: inDays(2) })).status).toBe(201);
    expect((await post({ email: merge, delayedSend: inDays(3) })).status).toBe(201);
  });

  it("a fanned-out merge (150 rows) due at another time is another notification", async () => {
    const merge = { recipients: { mergeArray: rows("fan", 150) }, content: { subject: "Hi {{name}}", body: "b" } };
    const first = await post({ email: merge, delayedSend: inDays(2) });
    expect(first.status).toBe(201);
    const second = await post({ email: merge, delayedSend: inDays(3) });
    expect(second.status).toBe(201);
    const body = await json(second);
    expect(body.duplicate).toBeUndefined();
    expect(body.notifyId).not.toBe((await json(first)).notifyId);
  });

  it("a fanned-out merge rendered from a new version of its template is another notification", async () => {
    const created = await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "fanout-digest", channel: "email", subject: "Hi {{name}}", body: "Version one" } });
    expect(created.status).toBe(201);
    const templateId = (await json(created)).id;
    const merge = { recipients: { mergeArray: rows("tpl", 150) }, content: { templateId } };
    expect((await post({ email: merge })).status).toBe(201);
    expect((await asTenant(tenant, "PATCH", `/api/v1/templates/${templateId}`, { body: { body: "Version two: entirely different text" } })).status).toBe(200);
    const again = await post({ email: merge });
    expect(again.status).toBe(201);
  });
});
