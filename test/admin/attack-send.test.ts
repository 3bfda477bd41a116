import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { notifications } from "../../src/db/schema";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiTemplate, postForm, userSession } from "./helpers";

// Hostile and careless clients against the one-off Send screen (issue 13 attack pass).
const db = createDb(env.DB);
let tenant: TestTenant;
let sender: string;
let emailId: string;
let smsId: string;

beforeAll(async () => {
  tenant = await createTestTenant("Send attack tenant");
  sender = await userSession(tenant, "send");
  emailId = await apiTemplate(tenant, { name: "Long subject", channel: "email", subject: "Hello {{name}}", body: "Hi {{name}}", bodyType: "text" });
  smsId = await apiTemplate(tenant, { name: "Long sms", channel: "sms", body: "Code {{code}}" });
});

describe("admin UI attack: send", () => {
  it("a placeholder value that makes the subject too long is named at the placeholder as the message's fault, not at the email address", async () => {
    const res = await postForm(`/admin/send/${emailId}/preview`, { recipient: "ann@example.com", "param-0": "x".repeat(5000) }, { cookie: sender });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("The message: Longer than 998 characters once rendered");
    expect(html).toMatch(/href="#param-0"/);
    expect(html).not.toContain("Email address: Longer than 998");
    // The value typed is given back, bounded.
    expect(html).toContain(`value="${"x".repeat(5000)}"`);
  });

  it("an SMS made too long by a value is the message's fault too", async () => {
    const res = await postForm(`/admin/send/${smsId}/preview`, { recipient: "+17787001234", "param-0": "9".repeat(9000) }, { cookie: sender });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/The message: \d+ characters once rendered/);
    expect(html).not.toMatch(/Phone number: \d+ characters once rendered/);
  });

  it("a wrong recipient is still named at the recipient", async () => {
    const res = await postForm(`/admin/send/${emailId}/preview`, { recipient: "not-an-address", "param-0": "Ann" }, { cookie: sender });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/href="#recipient"/);
    expect(html).toContain("Email address:");
  });

  it.each([
    ["a comma list", "ann@example.com, bo@example.com"],
    ["a semicolon list", "ann@example.com;bo@example.com"],
    ["a group", "group:everyone"],
    ["a placeholder", "{{email}}"],
  ])("the one-off form sends to one person: %s in the recipient field (or its hidden copy) is refused at the field and nothing is sent", async (_, recipient) => {
    const group = await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "everyone", members: [{ email: "c1@example.com" }, { email: "c2@example.com" }] } });
    expect([201, 409]).toContain(group.status);
    const before = (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, tenant.id)).all()).length;
    for (const path of [`/admin/send/${emailId}/preview`, `/admin/send/${emailId}`]) {
      const res = await postForm(path, { recipient, "param-0": "Ann" }, { cookie: sender });
      expect(res.status, path).toBe(422);
      const html = await res.text();
      expect(html).toMatch(/href="#recipient"/);
      expect(html).toContain("enter one email address, not a list, a group or a placeholder");
    }
    const after = (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, tenant.id)).all()).length;
    expect(after).toBe(before);
  });
});
