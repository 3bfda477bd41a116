import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A msgApp template whose card held `{{#unclosed` answered 500 on create but was stored; from then
// on the tenant's template list was a 500 and the template could not be deleted.
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Stored content");
});
const call = (method: string, path: string, body?: unknown) => asTenant(tenant, method, path, body === undefined ? {} : { body });

describe("templates are checked by the send path's rules before they are stored", () => {
  it("names a broken card string by its path and stores nothing", async () => {
    const res = await call("POST", "/api/v1/templates", {
      name: "broken card",
      channel: "msgApp",
      card: { blocks: [{ type: "section", text: { type: "mrkdwn", text: "{{#unclosed" } }] },
    });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual([{ path: "card.blocks[0].text.text", message: expect.stringMatching(/unclosed/i) }]);
    const list = await call("GET", "/api/v1/templates");
    expect(list.status).toBe(200);
    expect((await json(list)).items).toEqual([]);
  });

  it("reports every broken field at once, subject and body", async () => {
    const res = await call("POST", "/api/v1/templates", { name: "both broken", channel: "email", subject: "{{#a}}", body: "{{/b}}" });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: { path: string }) => e.path)).toEqual(["subject", "body"]);
  });

  it("refuses an update that would break a stored template, keeping the current version", async () => {
    const created = await json(await call("POST", "/api/v1/templates", { name: "chat ok", channel: "msgApp", card: { text: "Hi {{name}}" } }));
    const res = await call("PATCH", `/api/v1/templates/${created.id}`, { card: { text: "{{#name}}" } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors[0].path).toBe("card.text");
    const current = await json(await call("GET", `/api/v1/templates/${created.id}`));
    expect(current).toMatchObject({ version: 1, card: { text: "Hi {{name}}" }, params: ["name"] });
    expect((await call("DELETE", `/api/v1/templates/${created.id}`)).status).toBe(204);
  });

  it("accepts a card whose required parameters are dotted names and sections", async () => {
    const res = await call("POST", "/api/v1/templates", {
      name: "dotted",
      channel: "msgApp",
      body: "{{user.name}} {{#items}}{{label}}{{/items}}",
      card: [{ type: "section", text: { type: "plain_text", text: "{{user.id}}" } }],
    });
    expect(res.status).toBe(201);
    expect((await json(res)).params).toEqual(["user.name", "user.id"]);
  });
});
