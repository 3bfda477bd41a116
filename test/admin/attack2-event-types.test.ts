import { beforeAll, describe, expect, it } from "vitest";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, userSession } from "./helpers";

// Attack pass 2 (issue 13): an event type may name a chat target inline ({type, url, secret});
// its page is the read role's, which never sees a signing secret or a webhook URL's path (the
// credential of Slack and Teams webhooks) on the chat targets screen.
const SECRET = `whsec_${btoa("attack2-attack2-attack2-attack2-")}`;
const HOOK_PATH = "/services/T000/B000/ATTACK2PATHSECRET";
let tenant: TestTenant;
let reader: string;
let eventTypeId: string;

beforeAll(async () => {
  tenant = await createTestTenant("Event types attack 2");
  reader = await userSession(tenant, "read");
  const template = await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "Chat", channel: "msgApp", body: "Hello" } });
  const templateId = ((await template.json()) as { id: string }).id;
  const created = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
    body: { code: "inline-chat", name: "Inline chat", msgApp: { content: { templateId }, target: [{ type: "webhook", url: `https://hooks.example.com${HOOK_PATH}`, secret: SECRET }, { type: "slack", url: `https://hooks.slack.com${HOOK_PATH}` }] } },
  });
  expect(created.status).toBe(201);
  eventTypeId = ((await created.json()) as { id: string }).id;
});

describe("admin UI attack 2: an event type's inline chat targets", () => {
  it("show the read role their kind and host, never the signing secret or the URL's path", async () => {
    const res = await getPage(`/admin/event-types/${eventTypeId}`, reader);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain("ATTACK2PATHSECRET");
    expect(html).toContain("hooks.example.com");
    expect(html).toContain("hooks.slack.com");
  });
});
