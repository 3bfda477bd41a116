import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

let tenant: TestTenant;
let emailTpl: string;
let smsTpl: string;

const TYPES = "/api/v1/notifyevent/types";
const minimal = (code: string) => ({ code, name: `Type ${code}`, email: { recipients: { to: ["{{to}}"] }, content: { subject: "Hi {{name}}", body: "Body" } } });

beforeAll(async () => {
  tenant = await createTestTenant();
  emailTpl = (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "E", channel: "email", subject: "s", body: "b" } }))).id;
  smsTpl = (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "S", channel: "sms", body: "t" } }))).id;
});

describe("/api/v1/notifyevent/types", () => {
  it("creates (201, Location), gets by id and by code, lists with a cursor", async () => {
    const res = await asTenant(tenant, "POST", TYPES, { body: { ...minimal("crud.one"), description: "first" } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({ code: "crud.one", name: "Type crud.one", description: "first", enabled: true, version: 1, email: minimal("x").email });
    expect(res.headers.get("location")).toBe(`${TYPES}/${created.id}`);
    expect(await json(await asTenant(tenant, "GET", `${TYPES}/${created.id}`))).toEqual(created);
    expect(await json(await asTenant(tenant, "GET", `${TYPES}/crud.one`))).toEqual(created);

    await asTenant(tenant, "POST", TYPES, { body: minimal("crud.two") });
    const first = await json(await asTenant(tenant, "GET", `${TYPES}?limit=1`));
    expect(first.items.map((t: any) => t.code)).toEqual(["crud.two"]);
    const second = await json(await asTenant(tenant, "GET", `${TYPES}?limit=1&cursor=${first.nextCursor}`));
    expect(second.items[0].code).toBe("crud.one");
  });

  it("refuses a taken code (409), and codes that are not lower-case URL-safe or are shaped like a UUID (400)", async () => {
    await asTenant(tenant, "POST", TYPES, { body: minimal("taken") });
    const dup = await asTenant(tenant, "POST", TYPES, { body: minimal("taken") });
    expect(dup.status).toBe(409);
    expect((await json(dup)).errors[0].path).toBe("code");
    for (const code of ["Upper", "has space", "-lead", "a/b", crypto.randomUUID(), "x".repeat(65)]) {
      const res = await asTenant(tenant, "POST", TYPES, { body: minimal(code) });
      expect(res.status, code).toBe(400);
      expect((await json(res)).errors[0].path).toBe("code");
    }
  });

  it("stores only what a send can use: each problem a 422 at its field", async () => {
    const res = await asTenant(tenant, "POST", TYPES, {
      body: {
        code: "broken",
        name: "Broken",
        email: {
          recipients: { to: ["{{#open"], cc: ["not-an-address", "group:Approvers"] },
          content: { template: { templateId: smsTpl } },
          sender: { from: "nobody" },
        },
        sms: { recipients: { to: ["12"] }, content: { templateId: crypto.randomUUID() } },
        msgApp: { target: "unknown-target", content: { body: "{{/x}}" } },
      },
    });
    expect(res.status).toBe(422);
    const paths = (await json(res)).errors.map((e: any) => e.path).sort();
    expect(paths).toEqual(
      [
        "email.content.template.templateId",
        "email.recipients.cc[0]",
        "email.recipients.cc[1]",
        "email.recipients.to[0]",
        "email.sender.from",
        "msgApp.content.body",
        "msgApp.target",
        "sms.content.templateId",
        "sms.recipients.to[0]",
      ].sort(),
    );
    expect((await asTenant(tenant, "GET", `${TYPES}/broken`)).status).toBe(404);

    const both = await asTenant(tenant, "POST", TYPES, { body: { code: "both", name: "Both", email: { content: { templateId: emailTpl, subject: "x" } } } });
    expect(both.status).toBe(422);
    expect((await json(both)).errors[0].path).toBe("email.content.templateId");
  });

  it("PATCH writes a new version per change; a no-op writes none; {} is a 400; a channel is replaced whole or removed with null", async () => {
    const created = await json(await asTenant(tenant, "POST", TYPES, { body: { ...minimal("versioned"), sms: { recipients: { to: ["+17787001234"] }, content: { templateId: smsTpl } } } }));
    const patch = (body: unknown) => asTenant(tenant, "PATCH", `${TYPES}/versioned`, { body });

    const v2 = await json(await patch({ email: { recipients: { to: ["a@example.com"] }, content: { templateId: emailTpl } } }));
    expect(v2).toMatchObject({ id: created.id, version: 2, email: { recipients: { to: ["a@example.com"] }, content: { templateId: emailTpl } } });
    expect(v2.sms).toEqual(created.sms);

    const same = await patch({ email: v2.email, name: v2.name });
    expect(same.status).toBe(200);
    expect((await json(same)).version).toBe(2);

    const empty = await patch({});
    expect(empty.status).toBe(400);

    const v3 = await json(await patch({ sms: null, description: "no sms" }));
    expect(v3).toMatchObject({ version: 3, description: "no sms" });
    expect(v3.sms).toBeUndefined();

    const bad = await patch({ email: { content: { templateId: smsTpl } } });
    expect(bad.status).toBe(422);
    expect((await json(await asTenant(tenant, "GET", `${TYPES}/versioned`))).version).toBe(3);
  });

  it("a send records the version it resolved; later edits do not change it", async () => {
    await asTenant(tenant, "POST", TYPES, { body: minimal("recorded") });
    const receipt = await json(await asTenant(tenant, "POST", "/api/v1/notifyevent", { body: { notificationEventType: "recorded", params: { to: "a@example.com", name: "A" } }, key: tenant.keys.test }));
    expect(receipt.eventType).toEqual({ code: "recorded", version: 1 });
    await asTenant(tenant, "PATCH", `${TYPES}/recorded`, { body: { name: "Renamed" } });
    const view = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
    expect(view).toMatchObject({ source: "notifyevent", eventType: { code: "recorded", version: 1 } });
    const listed = await json(await asTenant(tenant, "GET", `/api/v1/notify?limit=1`));
    expect(listed.items[0].eventType).toEqual({ code: "recorded", version: 1 });
  });

  it("DELETE is soft: gone for reads and sends (422), the code is free again", async () => {
    const created = await json(await asTenant(tenant, "POST", TYPES, { body: minimal("deleted") }));
    expect((await asTenant(tenant, "DELETE", `${TYPES}/deleted`)).status).toBe(204);
    expect((await asTenant(tenant, "GET", `${TYPES}/${created.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "DELETE", `${TYPES}/deleted`)).status).toBe(404);
    const send = await asTenant(tenant, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "deleted" } });
    expect(send.status).toBe(422);
    expect((await asTenant(tenant, "POST", TYPES, { body: minimal("deleted") })).status).toBe(201);
  });

  it("reads need `read`, writes `manage`; another tenant's event type is a 404", async () => {
    await asTenant(tenant, "POST", TYPES, { body: minimal("perm") });
    // Team keys have send and read, not manage.
    expect((await asTenant(tenant, "GET", `${TYPES}/perm`, { key: tenant.keys.team })).status).toBe(200);
    expect((await asTenant(tenant, "GET", TYPES, { key: tenant.keys.team })).status).toBe(200);
    for (const [method, path, body] of [["POST", TYPES, minimal("perm2")], ["PATCH", `${TYPES}/perm`, { name: "x" }], ["DELETE", `${TYPES}/perm`, undefined]] as const) {
      const res = await asTenant(tenant, method, path, { body, key: tenant.keys.team });
      expect(res.status, `${method} ${path}`).toBe(403);
    }

    const other = await createTestTenant();
    const mine = await json(await asTenant(tenant, "GET", `${TYPES}/perm`));
    for (const ref of ["perm", mine.id]) {
      expect((await asTenant(other, "GET", `${TYPES}/${ref}`)).status).toBe(404);
      expect((await asTenant(other, "PATCH", `${TYPES}/${ref}`, { body: { name: "x" } })).status).toBe(404);
      expect((await asTenant(other, "DELETE", `${TYPES}/${ref}`)).status).toBe(404);
    }
    expect((await json(await asTenant(other, "GET", TYPES))).items).toEqual([]);
    // The same code is free in another tenant.
    expect((await asTenant(other, "POST", TYPES, { body: minimal("perm") })).status).toBe(201);
  });
});

describe("tenant defaults: per-channel template and params", () => {
  it("accepts a template of the channel, refuses an unknown or another channel's (422 at the field)", async () => {
    const ok = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { sms: { templateId: smsTpl, params: { sig: "Team" } } } });
    expect(ok.status).toBe(200);
    expect((await json(ok)).sms).toEqual({ templateId: smsTpl, params: { sig: "Team" } });
    const wrong = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { templateId: smsTpl }, msgApp: { templateId: crypto.randomUUID() } } });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).errors.map((e: any) => e.path).sort()).toEqual(["email.templateId", "msgApp.templateId"]);
  });
});

describe("one-click unsubscribe per event type", () => {
  it("an event type turns it on over the tenant default, and a request's overrides turn it off", async () => {
    const t = await createTestTenant();
    const created = await asTenant(t, "POST", "/api/v1/notifyevent/types", {
      body: {
        code: "newsletter",
        name: "Newsletter",
        email: { unsubscribe: { enabled: true }, recipients: { to: ["{{email}}"] }, content: { subject: "News", body: "Hi" } },
      },
    });
    expect(created.status).toBe(201);
    const preview = async (extra: Record<string, unknown> = {}) =>
      json(await asTenant(t, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "newsletter", params: { email: "ann@example.com" }, ...extra } }));
    const on = await preview();
    expect(on.email[0].headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(on.email[0].headers["List-Unsubscribe"]).toMatch(/^<http:\/\/notify\.test\/u\/[^>]+>$/);
    const off = await preview({ overrides: { email: { unsubscribe: { enabled: false } } } });
    expect(off.email[0].headers?.["List-Unsubscribe"]).toBeUndefined();
  });
});

describe("event types name only what exists", () => {
  it("refuses unknown or another tenant's groups and services, and group references from placeholders", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    await asTenant(b, "POST", "/api/v1/groups", { body: { name: "BGroup", members: [{ email: "b@example.com" }] } });
    await asTenant(b, "POST", "/api/v1/service/subscriptions", { body: { name: "bsub", url: "https://svc.example.com/s", responseMapping: { email: "r[].e" } } });
    await asTenant(a, "POST", "/api/v1/groups", { body: { name: "AGroup", members: [{ email: "a@example.com" }] } });
    const res = await asTenant(a, "POST", "/api/v1/notifyevent/types", {
      body: {
        code: "refs",
        name: "Refs",
        email: {
          recipients: { to: ["group:BGroup", "lead@example.com, group:AGroup"], cc: ["group:{{g}}"], subscription: "bsub" },
          content: { subject: "s", body: "b" },
          attachments: [{ service: "nope" }],
        },
      },
    });
    expect(res.status).toBe(422);
    const { errors } = await json(res);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: "email.recipients.to[0]", message: 'No group named "BGroup"' },
        { path: "email.recipients.cc[0]", message: expect.stringMatching(/parameter cannot name a group/) },
        { path: "email.recipients.subscription", message: 'No subscription service named "bsub"' },
        { path: "email.attachments[0].service", message: 'No attachment service named "nope"' },
      ]),
    );
    expect(errors).toHaveLength(4);
    const ok = await asTenant(a, "POST", "/api/v1/notifyevent/types", {
      body: { code: "refs-ok", name: "Refs", email: { recipients: { to: ["lead@example.com, group:AGroup"] }, content: { subject: "s", body: "b" } } },
    });
    expect(ok.status).toBe(201);
  });
});

describe("event types never answer a chat target's secret", () => {
  it("an inline webhook target's secret is stored for sends but every read, create and update answers only secretSet", async () => {
    const secret = "whsec_ZXZlbnQtdHlwZS1pbmxpbmUtc2VjcmV0LTAxMjM0NTY3ODlhYg==";
    const target = { type: "webhook", url: "https://hooks.example.com/notify", secret };
    const created = await asTenant(tenant, "POST", TYPES, { body: { code: "inline-secret", name: "Inline", msgApp: { target, content: { body: "Hi" } } } });
    expect(created.status, await created.clone().text()).toBe(201);
    const body = await created.text();
    expect(body).not.toContain(secret);
    const id = (JSON.parse(body) as { id: string }).id;
    expect(JSON.parse(body).msgApp.target).toEqual({ type: "webhook", url: "https://hooks.example.com/notify", secretSet: true });
    const reads = [
      await asTenant(tenant, "GET", `${TYPES}/${id}`),
      await asTenant(tenant, "GET", `${TYPES}?limit=100`),
      await asTenant(tenant, "PATCH", `${TYPES}/${id}`, { body: { msgApp: { target: [target, { type: "webhook", url: "https://hooks.example.com/two" }], content: { body: "Hi" } } } }),
    ];
    for (const res of reads) {
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(secret);
    }
    const patched = await json(await asTenant(tenant, "GET", `${TYPES}/${id}`));
    expect(patched.msgApp.target).toEqual([
      { type: "webhook", url: "https://hooks.example.com/notify", secretSet: true },
      { type: "webhook", url: "https://hooks.example.com/two" },
    ]);
  });
});
