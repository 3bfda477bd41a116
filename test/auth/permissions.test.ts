import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { asAdmin, call, json, notifyToken } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

type Permission = "send" | "read" | "manage";

let tenant: TestTenant;
/** One key per single permission, all of type `test` so nothing reaches a provider. */
const only = {} as Record<Permission, string>;
let templateId: string;
let legacyTemplateIds: { sms: string; email: string };
let notifyId: string;
let groupId: string;
let suppressionId: string;
const serviceIds = {} as Record<"subscriptions" | "attachments", string>;
let callbackId: string;
let callbackEventId: string;
const senderIds = {} as Record<"reply-to-addresses" | "sms-senders", string>;

async function issueKey(tenantId: string, body: Record<string, unknown>) {
  const res = await asAdmin("POST", `/api/v1/tenants/${tenantId}/api-keys`, { body });
  return { status: res.status, body: await json(res) };
}

beforeAll(async () => {
  tenant = await createTestTenant("Permissions");
  for (const permission of ["send", "read", "manage"] as const) {
    const created = await issueKey(tenant.id, { name: `only ${permission}`, type: permission === "manage" ? "live" : "test", permissions: [permission] });
    expect(created.status).toBe(201);
    only[permission] = created.body.key;
  }
  const template = await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "perm", channel: "sms", body: "Hi {{name}}" } });
  templateId = (await json(template)).id;
  // The early API's sends need templates that the template routes' DELETE does not remove first.
  legacyTemplateIds = {
    sms: (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "perm legacy sms", channel: "sms", body: "b" } }))).id,
    email: (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "perm legacy email", channel: "email", subject: "s", body: "b" } }))).id,
  };
  const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", {
    key: tenant.keys.test,
    body: { recipients: { to: ["+17787001234"] }, content: { body: "later" }, delayedSend: new Date(Date.now() + 3_600_000).toISOString() },
  });
  notifyId = (await json(sent)).notifyId;
  const eventType = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
    body: { code: "perm-event", name: "Permissions", email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } },
  });
  expect(eventType.status).toBe(201);
  const group = await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "perm-group", members: [{ email: "a@example.com" }] } });
  groupId = (await json(group)).id;
  const suppression = await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "gone@example.com" } });
  suppressionId = (await json(suppression)).id;
  callbackId = (await json(await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: "https://cb.example.com/status", channelType: ["sms"], trigger: ["success"] } }))).callbackId;
  // An outbox row of the notification, so replay has an event to address (the send is scheduled: none fired yet).
  callbackEventId = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  await env.DB.prepare(
    "INSERT INTO callback_events (id, tenant_id, notification_id, message_id, callback_id, status, state, attempts, series_start, next_attempt_at, occurred_at, created_at, updated_at) SELECT ?, tenant_id, notification_id, id, ?, 'scheduled', 'failed', 1, 0, 0, 0, 0, 0 FROM messages WHERE notification_id = ?",
  ).bind(callbackEventId, callbackId, notifyId).run();
  for (const kind of ["reply-to-addresses", "sms-senders"] as const) senderIds[kind] = (await json(await asTenant(tenant, "POST", `/api/v1/tenant/${kind}`, { body: senderBody(kind) }))).id;
  for (const kind of ["subscriptions", "attachments"] as const) {
    const created = await asTenant(tenant, "POST", `/api/v1/service/${kind}`, { body: serviceBody(kind, `perm-${kind}`) });
    expect(created.status).toBe(201);
    serviceIds[kind] = (await json(created)).id;
  }
});

function serviceBody(kind: "subscriptions" | "attachments", name: string) {
  return kind === "subscriptions"
    ? { name, url: "https://svc.example.com/recipients", responseMapping: { email: "recipients[].email" } }
    : { name, url: "https://svc.example.com/render" };
}

const serviceRoutes = (kind: "subscriptions" | "attachments") => [
  { method: "GET", path: `/api/v1/service/${kind}`, doc: `/api/v1/service/${kind}`, permission: "read" as const },
  { method: "GET", path: `/api/v1/service/${kind}/${serviceIds[kind]}`, doc: `/api/v1/service/${kind}/{serviceId}`, permission: "read" as const },
  { method: "POST", path: `/api/v1/service/${kind}`, doc: `/api/v1/service/${kind}`, permission: "manage" as const, body: serviceBody(kind, `p-${crypto.randomUUID().slice(0, 8)}`) },
  { method: "PATCH", path: `/api/v1/service/${kind}/${serviceIds[kind]}`, doc: `/api/v1/service/${kind}/{serviceId}`, permission: "manage" as const, body: { timeoutMs: 2000 } },
  { method: "DELETE", path: `/api/v1/service/${kind}/${serviceIds[kind]}`, doc: `/api/v1/service/${kind}/{serviceId}`, permission: "manage" as const },
];

const senderBody = (kind: "reply-to-addresses" | "sms-senders") => (kind === "reply-to-addresses" ? { email: `p-${crypto.randomUUID().slice(0, 8)}@example.com` } : { sender: `P${crypto.randomUUID().slice(0, 8)}` });
const senderRoutes = (kind: "reply-to-addresses" | "sms-senders", idName: string) => [
  { method: "GET", path: `/api/v1/tenant/${kind}`, doc: `/api/v1/tenant/${kind}`, permission: "read" as const },
  { method: "GET", path: `/api/v1/tenant/${kind}/${senderIds[kind]}`, doc: `/api/v1/tenant/${kind}/{${idName}}`, permission: "read" as const },
  { method: "POST", path: `/api/v1/tenant/${kind}`, doc: `/api/v1/tenant/${kind}`, permission: "manage" as const, body: senderBody(kind) },
  { method: "DELETE", path: `/api/v1/tenant/${kind}/${senderIds[kind]}`, doc: `/api/v1/tenant/${kind}/{${idName}}`, permission: "manage" as const },
];

/**
 * Every tenant route and the permission it needs (`granted`: the status a key with it gets, when
 * not a success); the OpenAPI test below keeps this complete.
 */
const routes = (): { method: string; path: string; doc: string; permission: Permission; body?: unknown; granted?: number }[] => [
  { method: "POST", path: "/api/v1/notifysimple", doc: "/api/v1/notifysimple", permission: "send", body: { sms: { recipients: { to: ["+17787001234"] }, content: { body: "x" } } } },
  { method: "POST", path: "/api/v1/notifysimple/email", doc: "/api/v1/notifysimple/email", permission: "send", body: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } },
  { method: "POST", path: "/api/v1/notifysimple/sms", doc: "/api/v1/notifysimple/sms", permission: "send", body: { recipients: { to: ["+17787001234"] }, content: { body: "x" } } },
  { method: "GET", path: `/api/v1/notify/${notifyId}`, doc: "/api/v1/notify/{notifyId}", permission: "read" },
  { method: "GET", path: `/api/v1/notify/status/${notifyId}`, doc: "/api/v1/notify/status/{notifyId}", permission: "read" },
  { method: "GET", path: `/api/v1/notify/${notifyId}/messages`, doc: "/api/v1/notify/{notifyId}/messages", permission: "read" },
  { method: "GET", path: `/api/v1/notify/${notifyId}/attempts`, doc: "/api/v1/notify/{notifyId}/attempts", permission: "read" },
  { method: "GET", path: `/api/v1/notify/${notifyId}/callbacks`, doc: "/api/v1/notify/{notifyId}/callbacks", permission: "read" },
  { method: "POST", path: `/api/v1/notify/${notifyId}/callbacks/${callbackEventId}/replay`, doc: "/api/v1/notify/{notifyId}/callbacks/{eventId}/replay", permission: "manage" },
  { method: "POST", path: "/api/v1/notify/registerCallback", doc: "/api/v1/notify/registerCallback", permission: "manage", body: { url: "https://cb.example.com/other", channelType: ["email"], trigger: ["failure"] } },
  { method: "GET", path: "/api/v1/notify/registerCallback", doc: "/api/v1/notify/registerCallback", permission: "manage" },
  { method: "GET", path: `/api/v1/notify/registerCallback/${callbackId}`, doc: "/api/v1/notify/registerCallback/{callbackId}", permission: "manage" },
  { method: "PATCH", path: `/api/v1/notify/registerCallback/${callbackId}`, doc: "/api/v1/notify/registerCallback/{callbackId}", permission: "manage", body: { description: "perm" } },
  { method: "POST", path: `/api/v1/notify/registerCallback/${callbackId}/rotateSecret`, doc: "/api/v1/notify/registerCallback/{callbackId}/rotateSecret", permission: "manage" },
  { method: "DELETE", path: `/api/v1/notify/registerCallback/${callbackId}`, doc: "/api/v1/notify/registerCallback/{callbackId}", permission: "manage" },
  { method: "GET", path: "/api/v1/notify", doc: "/api/v1/notify", permission: "read" },
  { method: "DELETE", path: `/api/v1/notify/${notifyId}`, doc: "/api/v1/notify/{notifyId}", permission: "send" },
  { method: "GET", path: "/api/v1/templates", doc: "/api/v1/templates", permission: "read" },
  { method: "GET", path: `/api/v1/templates/${templateId}`, doc: "/api/v1/templates/{templateId}", permission: "read" },
  { method: "POST", path: `/api/v1/templates/${templateId}/preview`, doc: "/api/v1/templates/{templateId}/preview", permission: "read", body: { params: { name: "x" } } },
  { method: "POST", path: "/api/v1/templates", doc: "/api/v1/templates", permission: "manage", body: { name: `t-${crypto.randomUUID()}`, channel: "sms", body: "b" } },
  { method: "PATCH", path: `/api/v1/templates/${templateId}`, doc: "/api/v1/templates/{templateId}", permission: "manage", body: { body: "Hello {{name}}" } },
  { method: "DELETE", path: `/api/v1/templates/${templateId}`, doc: "/api/v1/templates/{templateId}", permission: "manage" },
  { method: "GET", path: "/api/v1/tenant/defaults", doc: "/api/v1/tenant/defaults", permission: "read" },
  { method: "PATCH", path: "/api/v1/tenant/defaults", doc: "/api/v1/tenant/defaults", permission: "manage", body: { defaultRegion: "CA" } },
  { method: "GET", path: "/api/v1/tenant/guest-list", doc: "/api/v1/tenant/guest-list", permission: "read" },
  { method: "PUT", path: "/api/v1/tenant/guest-list", doc: "/api/v1/tenant/guest-list", permission: "manage", body: { emails: [], phones: [] } },
  { method: "POST", path: "/api/v1/notifyevent", doc: "/api/v1/notifyevent", permission: "send", body: { notificationEventType: "perm-event" } },
  { method: "GET", path: "/api/v1/notifyevent/types", doc: "/api/v1/notifyevent/types", permission: "read" },
  { method: "GET", path: "/api/v1/notifyevent/types/perm-event", doc: "/api/v1/notifyevent/types/{eventType}", permission: "read" },
  { method: "POST", path: "/api/v1/notifyevent/types", doc: "/api/v1/notifyevent/types", permission: "manage", body: { code: `p-${crypto.randomUUID().slice(0, 8)}`, name: "P" } },
  { method: "PATCH", path: "/api/v1/notifyevent/types/perm-event", doc: "/api/v1/notifyevent/types/{eventType}", permission: "manage", body: { name: "Renamed" } },
  { method: "DELETE", path: "/api/v1/notifyevent/types/perm-event", doc: "/api/v1/notifyevent/types/{eventType}", permission: "manage" },
  { method: "GET", path: "/api/v1/groups", doc: "/api/v1/groups", permission: "read" },
  { method: "GET", path: `/api/v1/groups/${groupId}`, doc: "/api/v1/groups/{groupId}", permission: "read" },
  { method: "POST", path: "/api/v1/groups", doc: "/api/v1/groups", permission: "manage", body: { name: `g-${crypto.randomUUID().slice(0, 8)}`, members: [{ email: "b@example.com" }] } },
  { method: "PATCH", path: `/api/v1/groups/${groupId}`, doc: "/api/v1/groups/{groupId}", permission: "manage", body: { description: "renamed" } },
  { method: "DELETE", path: `/api/v1/groups/${groupId}`, doc: "/api/v1/groups/{groupId}", permission: "manage" },
  { method: "GET", path: "/api/v1/suppressions", doc: "/api/v1/suppressions", permission: "read" },
  { method: "POST", path: "/api/v1/suppressions", doc: "/api/v1/suppressions", permission: "manage", body: { channel: "sms", recipient: "+17787001234" } },
  { method: "DELETE", path: `/api/v1/suppressions/${suppressionId}`, doc: "/api/v1/suppressions/{suppressionId}", permission: "manage" },
  { method: "DELETE", path: "/api/v1/suppressions?channel=sms&recipient=%2B17787001234", doc: "/api/v1/suppressions", permission: "manage" },
  { method: "POST", path: "/notifications/sms", doc: "/notifications/sms", permission: "send", body: { to: "+17787001299", template: legacyTemplateIds.sms } },
  { method: "POST", path: "/notifications/email", doc: "/notifications/email", permission: "send", body: { to: "a@example.com", template: legacyTemplateIds.email } },
  { method: "GET", path: `/notifications/${notifyId}`, doc: "/notifications/{id}", permission: "read" },
  { method: "GET", path: "/notifications?page=1", doc: "/notifications", permission: "read" },
  ...["/v2", "/gcnotify/v2"].flatMap((v2) => [
    { method: "GET", path: `${v2}/template/${legacyTemplateIds.sms}`, doc: `${v2}/template/{id}`, permission: "read" as const },
    { method: "GET", path: `${v2}/template/${legacyTemplateIds.sms}/version/1`, doc: `${v2}/template/{id}/version/{version}`, permission: "read" as const },
    { method: "GET", path: `${v2}/templates`, doc: `${v2}/templates`, permission: "read" as const },
    { method: "POST", path: `${v2}/template/${legacyTemplateIds.sms}/preview`, doc: `${v2}/template/{id}/preview`, permission: "read" as const, body: { personalisation: { name: "x" } } },
    { method: "POST", path: `${v2}/notifications/sms`, doc: `${v2}/notifications/sms`, permission: "send" as const, body: { phone_number: "+17787001299", template_id: legacyTemplateIds.sms } },
    { method: "POST", path: `${v2}/notifications/email`, doc: `${v2}/notifications/email`, permission: "send" as const, body: { email_address: "a@example.com", template_id: legacyTemplateIds.email } },
    // Letters are refused after the permission check: a key with `send` learns they are not supported.
    { method: "POST", path: `${v2}/notifications/letter`, doc: `${v2}/notifications/letter`, permission: "send" as const, body: {}, granted: 400 },
    { method: "GET", path: `${v2}/notifications/${notifyId}`, doc: `${v2}/notifications/{notification_id}`, permission: "read" as const },
    { method: "GET", path: `${v2}/notifications`, doc: `${v2}/notifications`, permission: "read" as const },
  ]),
  {
    method: "POST",
    path: "/gcnotify/v2/notifications/bulk",
    doc: "/gcnotify/v2/notifications/bulk",
    permission: "send",
    body: { name: "perm", template_id: legacyTemplateIds.sms, rows: [["phone number"], ["+17787001299"]] },
  },
  ...serviceRoutes("subscriptions"),
  ...serviceRoutes("attachments"),
  ...senderRoutes("reply-to-addresses", "replyToId"),
  ...senderRoutes("sms-senders", "senderId"),
  { method: "GET", path: "/api/v1/tenant/received-texts", doc: "/api/v1/tenant/received-texts", permission: "read" },
  ...["/v2", "/gcnotify/v2"].map((v2) => ({ method: "GET", path: `${v2}/received-text-messages`, doc: `${v2}/received-text-messages`, permission: "read" as const })),
];

describe("key permissions", () => {
  it("refuse every tenant route to a key without its permission, with a 403 naming it", async () => {
    for (const route of routes()) {
      for (const permission of ["send", "read", "manage"] as const) {
        if (permission === route.permission) continue;
        const res = await call(route.method, route.path, { headers: { "x-api-key": only[permission] }, body: route.body });
        const label = `${route.method} ${route.doc} with only ${permission}`;
        expect(res.status, label).toBe(403);
        const problem = await json(res);
        const message = `This API key lacks the \`${route.permission}\` permission`;
        if (/^\/(gcnotify\/)?v2\//.test(route.path)) {
          // The Notify v2 routes answer in Notify's error shape.
          expect(problem, label).toEqual({ status_code: 403, errors: [{ error: "AuthError", message }] });
          continue;
        }
        expect(problem.code, label).toBe("forbidden");
        expect(problem.detail, label).toBe(message);
      }
    }
  });

  it("let a key with the permission through (deletions last, so each route still has its target)", async () => {
    for (const route of routes()) {
      const res = await call(route.method, route.path, { headers: { "x-api-key": only[route.permission] }, body: route.body });
      const label = `${route.method} ${route.doc}`;
      if (route.granted !== undefined) expect(res.status, label).toBe(route.granted);
      else expect([200, 201, 202, 204], label).toContain(res.status);
    }
  });

  it("let any key ask who it is", async () => {
    for (const permission of ["send", "read", "manage"] as const) {
      const who = await json(await call("GET", "/api/v1/tenant", { headers: { "x-api-key": only[permission] } }));
      expect(who.key.permissions).toEqual([permission]);
    }
  });

  it("hold for JWTs too: the token carries its key's permissions", async () => {
    const res = await call("PATCH", "/api/v1/tenant/defaults", {
      headers: { authorization: `Bearer ${await notifyToken(only.send)}` },
      body: { defaultRegion: "GB" },
    });
    expect(res.status).toBe(403);
    expect((await json(res)).detail).toBe("This API key lacks the `manage` permission");
  });

  it("stop a test key from rewriting the configuration live sends use (defaults, templates, guest list)", async () => {
    const attack = {
      email: { from: "Attacker <attacker@evil.example>", bcc: ["attacker@evil.example"] },
      msgApp: { targets: { exfil: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/EVIL" } } },
    };
    for (const key of [tenant.keys.test, tenant.keys.team]) {
      expect((await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { key, body: attack })).status).toBe(403);
      expect((await asTenant(tenant, "POST", "/api/v1/templates", { key, body: { name: "evil", channel: "sms", body: "x" } })).status).toBe(403);
      expect((await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { key, body: { emails: ["attacker@evil.example"], phones: [] } })).status).toBe(403);
    }
    const defaults = await json(await asTenant(tenant, "GET", "/api/v1/tenant/defaults"));
    expect(defaults.email).toBeUndefined();
    expect(defaults.msgApp).toBeUndefined();
    // The live key keeps every permission.
    expect((await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { from: "Ops <ops@example.com>" } } })).status).toBe(200);
  });

  it("refuse before the body is read, so a refused key learns nothing about the schema", async () => {
    const res = await call("PATCH", "/api/v1/tenant/defaults", { headers: { "x-api-key": only.read }, body: { nonsense: true } });
    expect(res.status).toBe(403);
  });

  it("are documented on every tenant route in the OpenAPI document (security scopes and x-permission)", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const expected = new Map(routes().map((r) => [`${r.method} ${r.doc}`, r.permission]));
    const documented = new Map<string, string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        const schemes = (op.security ?? []).flatMap((s: Record<string, string[]>) => Object.keys(s));
        if (!schemes.includes("tenantApiKey") || path === "/api/v1/tenant") continue;
        documented.set(`${method.toUpperCase()} ${path}`, op["x-permission"]);
        expect(op.security, `${method} ${path}`).toEqual([{ tenantJwt: [op["x-permission"]] }, { tenantApiKey: [op["x-permission"]] }]);
      }
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
    expect(doc.paths["/api/v1/tenant"].get.security).toEqual([{ tenantJwt: [] }, { tenantApiKey: [] }]);
  });
});

describe("operator: key permissions", () => {
  it("default by type: live keys send, read and manage; team and test keys send and read", async () => {
    const list = await json(await asAdmin("GET", `/api/v1/tenants/${tenant.id}/api-keys?limit=100`));
    const byId = new Map(list.items.map((k: any) => [k.id, k.permissions]));
    expect(byId.get(tenant.keyIds.live)).toEqual(["send", "read", "manage"]);
    expect(byId.get(tenant.keyIds.team)).toEqual(["send", "read"]);
    expect(byId.get(tenant.keyIds.test)).toEqual(["send", "read"]);
  });

  it("are chosen at creation, answered in canonical order and shown in listings", async () => {
    const created = await issueKey(tenant.id, { name: "ops", type: "live", permissions: ["manage", "read"] });
    expect(created.status).toBe(201);
    expect(created.body.permissions).toEqual(["read", "manage"]);
    const list = await json(await asAdmin("GET", `/api/v1/tenants/${tenant.id}/api-keys?limit=100`));
    expect(list.items.find((k: any) => k.id === created.body.id).permissions).toEqual(["read", "manage"]);
  });

  it("must be a non-empty list of distinct known permissions", async () => {
    for (const permissions of [[], ["send", "send"], ["admin"], "send"]) {
      const res = await issueKey(tenant.id, { name: "bad", type: "live", permissions });
      expect(res.status, JSON.stringify(permissions)).toBe(400);
      expect([...new Set(res.body.errors.map((e: any) => e.path.split("[")[0]))]).toEqual(["permissions"]);
    }
  });
});
