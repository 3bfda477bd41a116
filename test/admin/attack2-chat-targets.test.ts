import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { hidePayloadSecrets } from "../../src/services/notifications/payloads";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

// Attack pass 2 (issue 13): chat target names that are names of Object.prototype's members.
let tenant: TestTenant;
let manager: string;

beforeAll(async () => {
  tenant = await createTestTenant("Chat targets attack 2");
  manager = await userSession(tenant, "manage");
});

const storedSettings = async () => (await env.DB.prepare("SELECT settings FROM tenants WHERE id = ?").bind(tenant.id).first<{ settings: string | null }>())?.settings ?? "";

describe("admin UI attack 2: chat target names", () => {
  it("__proto__ is refused at the name (it was stored as an empty, schema-breaking target that no page could change or remove)", async () => {
    const res = await postForm("/admin/settings/chat-targets", { name: "__proto__", type: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" }, { cookie: manager });
    const html = await res.text();
    expect(res.status).toBe(422);
    expect(html).toContain('id="name-error"');
    expect(await storedSettings()).not.toContain("__proto__");
    expect(await (await getPage("/admin/settings/chat-targets", manager)).text()).not.toContain("__proto__");
  });

  it("a send naming a target that is an Object.prototype member (constructor, toString, __proto__) is refused at the target as an unknown name is, not a 500", async () => {
    // A real target, so the tenant has a targets object to look the name up in.
    expect((await postForm("/admin/settings/chat-targets", { name: "ops", type: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" }, { cookie: manager })).status).toBe(303);
    const unknown = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { msgApp: { target: "nope", content: { body: "Hello" } } } });
    expect(unknown.status).toBe(422);
    for (const target of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { msgApp: { target, content: { body: "Hello" } } } });
      const problem = (await res.json()) as { errors?: { path: string; message: string }[] };
      expect([target, res.status]).toEqual([target, 422]);
      expect(problem.errors?.[0]?.path, target).toContain("target");
    }
  });

  it("an event type naming such a target is refused at the field, as an unknown name is", async () => {
    const template = await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "Chat attack 2", channel: "msgApp", body: "Hello" } });
    const { id } = (await template.json()) as { id: string };
    for (const target of ["constructor", "toString"]) {
      const res = await postForm("/admin/event-types/new", { code: `chat-${target.toLowerCase()}`, name: `Chat ${target}`, msgAppTemplate: id, msgAppTarget: target }, { cookie: manager });
      expect([target, res.status]).toEqual([target, 422]);
      expect(await res.text()).toContain('id="msgAppTarget-error"');
    }
  });

  it("a chat message's payload on Activity (the read role's) shows the target's origin, not the webhook URL's path or query, which the chat targets screen keeps from that role", () => {
    const shown = hidePayloadSecrets({ provider: "slack", target: { type: "slack", url: "https://hooks.slack.com/services/T000/B000/PATHSECRET?token=QSECRET", secret: "whsec_x" }, content: { text: "Hi" } });
    expect(JSON.stringify(shown)).not.toMatch(/PATHSECRET|QSECRET|whsec_x/);
    expect(shown.target).toEqual({ type: "slack", url: "https://hooks.slack.com/…" });
    expect(hidePayloadSecrets({ target: { type: "webhook", url: "not a url PATHSECRET" } }).target).toEqual({ type: "webhook", url: "[hidden]" });
  });
});
