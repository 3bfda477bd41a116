import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// Each card string was bounded on its own, but a card may hold 5,000 strings: a 4,000-string card
// of nested sections over a 20-item array rendered 32 MB in 4 s and its send was a 500
// (SQLITE_TOOBIG). A card now renders from one budget of steps and output.
const card = (strings: number, template: string) => [Object.fromEntries(Array.from({ length: strings }, (_, i) => [`k${i}`, template]))];
const SLACK = "https://hooks.slack.com/services/T0/B0/x";

describe("a chat message renders from one budget", () => {
  it("refuses a card whose strings together render too much, on send and preview, storing nothing", async () => {
    const t = await createTestTenant();
    const body = {
      params: { a: Array.from({ length: 20 }, (_, i) => i) },
      msgApp: { target: { type: "slack", url: SLACK }, content: { body: "x", card: card(4000, "{{#a}}{{#a}}{{#a}}{{.}}{{/a}}{{/a}}{{/a}}") } },
    };
    for (const path of ["/api/v1/notifysimple?preview=true", "/api/v1/notifysimple"]) {
      const started = Date.now();
      const res = await asTenant(t, "POST", path, { body, key: t.keys.test });
      expect(res.status, path).toBe(422);
      expect(Date.now() - started).toBeLessThan(3000);
      const problem = await json(res);
      expect(problem.errors[0]).toMatchObject({ path: "msgApp.content.body", message: expect.stringMatching(/in all/) });
    }
    expect((await json(await asTenant(t, "GET", "/api/v1/notify"))).items).toEqual([]);
  });

  it("counts steps that produce no output too", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true", {
      body: {
        params: { a: Array.from({ length: 30 }, (_, i) => i) },
        msgApp: { target: { type: "slack", url: SLACK }, content: { card: card(4000, "{{#a}}{{#a}}{{/a}}{{/a}}") } },
      },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).errors[0].message).toMatch(/steps to render in all/);
  });

  it("still renders an ordinary card", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true", {
      body: { params: { name: "Ann" }, msgApp: { target: { type: "slack", url: SLACK }, content: { card: card(500, "Hi {{name}}") } } },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).msgApp[0].content.card[0].k499).toBe("Hi Ann");
  });
});
