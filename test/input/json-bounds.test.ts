import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// The attack that found these: an 11 KB body nested ~1,800 levels deep was a 500 on every send
// route, and saved as a tenant default it broke every later send of that tenant.
const deep = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`);
const deepText = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

describe("bounded JSON input", () => {
  it("refuses a body nested past 32 levels on every JSON route with a 400 naming the body", async () => {
    const t = await createTestTenant();
    const body = `{"params":${deepText(1800)},"sms":{"recipients":{"to":["+17787001234"]},"content":{"body":"x"}}}`;
    for (const [method, path] of [
      ["POST", "/api/v1/notifysimple"],
      ["POST", "/api/v1/notifysimple/sms"],
      ["POST", "/api/v1/notifysimple?preview=true"],
      ["PATCH", "/api/v1/tenant/defaults"],
      ["POST", "/api/v1/templates"],
    ] as const) {
      const res = await asTenant(t, method, path, { rawBody: body, headers: { "content-type": "application/json" } });
      expect(res.status, `${method} ${path}`).toBe(400);
      const problem = await json(res);
      expect(problem.code).toBe("invalid_request");
      expect(problem.errors).toEqual([{ path: "(body)", message: "Nested more than 32 levels deep" }]);
    }
  });

  it("bounds params to 8 levels wherever they are accepted, and stores nothing refused", async () => {
    const t = await createTestTenant();
    const send = await asTenant(t, "POST", "/api/v1/notifysimple", {
      body: { params: { p: deep(10) }, sms: { recipients: { to: ["+17787001234"] }, content: { body: "x" } } },
    });
    expect(send.status).toBe(400);
    expect((await json(send)).errors[0]).toMatchObject({ path: "params", message: expect.stringMatching(/^Nested more than 8 levels/) });

    const patch = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { params: { p: deep(10) } } });
    expect(patch.status).toBe(400);
    expect((await json(patch)).errors[0].path).toBe("params");
    expect((await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"))).params).toBeUndefined();

    const ok = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true", {
      body: { params: { p: deep(6) }, sms: { recipients: { to: ["+17787001234"] }, content: { body: "x" } } },
    });
    expect(ok.status).toBe(200);
  });

  it("bounds cards in sends and templates; a refused template is not stored", async () => {
    const t = await createTestTenant();
    const card = { blocks: deep(25) };
    const send = await asTenant(t, "POST", "/api/v1/notifysimple", {
      body: { msgApp: { target: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" }, content: { card } } },
    });
    expect(send.status).toBe(400);
    expect((await json(send)).errors[0].path).toBe("msgApp.content.card");

    const create = await asTenant(t, "POST", "/api/v1/templates", { body: { name: "deep card", channel: "msgApp", card } });
    expect(create.status).toBe(400);
    expect((await json(create)).errors[0].path).toBe("card");
    const list = await asTenant(t, "GET", "/api/v1/templates");
    expect(list.status).toBe(200);
    expect((await json(list)).items).toEqual([]);
  });
});

describe("bounded problem documents", () => {
  it("lists at most 100 field errors however many there are, and says how many in all", async () => {
    const t = await createTestTenant();
    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 0]));
    const res = await asTenant(t, "POST", "/api/v1/notifysimple", {
      body: { ...keys, sms: { recipients: { to: ["+17787001234"] }, content: { body: "hi" } } },
    });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.errors).toHaveLength(100);
    expect(problem.errors[99]).toEqual({ path: "(root)", message: "49901 more unknown fields" });
    expect(JSON.stringify(problem).length).toBeLessThan(20_000);
  });
});

describe("text the service could not store as accepted", () => {
  it("refuses __proto__ keys instead of silently dropping them (and the targets beside them)", async () => {
    const t = await createTestTenant();
    await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { targets: { ops: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" } } } } });
    const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", {
      rawBody: '{"msgApp":{"targets":{"__proto__":{"type":"slack","url":"https://hooks.slack.com/x"}}}}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].message).toMatch(/__proto__/);
    expect(Object.keys((await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"))).msgApp.targets)).toEqual(["ops"]);
  });

  it("refuses unpaired surrogates and control characters in a correlation id, naming the field", async () => {
    const t = await createTestTenant();
    const lone = await asTenant(t, "POST", "/api/v1/templates", {
      rawBody: '{"name":"x","channel":"sms","body":"x\\uD800y"}',
      headers: { "content-type": "application/json" },
    });
    expect(lone.status).toBe(400);
    const nul = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true", {
      body: { correlationId: "a\u0000b", sms: { recipients: { to: ["+17787001234"] }, content: { body: "hi" } } },
    });
    expect(nul.status).toBe(400);
    expect((await json(nul)).errors[0].path).toBe("correlationId");
  });
});

describe("body limits by route", () => {
  it("gives the large send limit to the send routes only, not to configuration under them", async () => {
    const t = await createTestTenant();
    const big = { code: "big", name: "Big", description: "x".repeat(1_500_000) };
    const types = await asTenant(t, "POST", "/api/v1/notifyevent/types", { body: big });
    expect(types.status).toBe(413);
    const send = await asTenant(t, "POST", "/api/v1/notifysimple/email?preview=true", {
      body: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "x".repeat(1_500_000) } },
    });
    expect(send.status).toBe(200);
  });

  it("gives it to every send route: the Notify v2 sends at /v2 and /gcnotify/v2, GC Notify's bulk, and the early API", async () => {
    const t = await createTestTenant();
    const padding = "x".repeat(1_200_000);
    // Past the 1 MiB limit of other routes, within the send limit: each answers for the body's
    // content (no such template, an unknown template), never 413.
    for (const path of ["/v2/notifications/sms", "/gcnotify/v2/notifications/sms", "/gcnotify/v2/notifications/bulk", "/notifications/sms"]) {
      const res = await asTenant(t, "POST", path, {
        body: path.endsWith("bulk")
          ? { name: "big", template_id: crypto.randomUUID(), csv: `phone number,x\n+17787001234,${padding}` }
          : path.startsWith("/notifications")
            ? { to: "+17787001234", template: crypto.randomUUID(), personalisation: { x: padding } }
            : { phone_number: "+17787001234", template_id: crypto.randomUUID(), personalisation: { x: padding } },
      });
      expect(res.status, path).not.toBe(413);
      expect(res.status, path).toBeLessThan(500);
    }
  });
});
