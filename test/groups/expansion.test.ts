import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

async function tenantWithGroups(extra: Record<string, unknown> = {}): Promise<TestTenant> {
  const tenant = await createTestTenant(undefined, extra);
  const approvers = await asTenant(tenant, "POST", "/api/v1/groups", {
    body: {
      name: "FundingApprovers",
      members: [
        { name: "Ann", email: "ann@example.com", phone: "+17787001111" },
        { email: "bob@example.com" },
        { phone: "+17787002222" },
        { email: "gone@example.com", phone: "+17787003333", optedOut: true },
      ],
    },
  });
  expect(approvers.status).toBe(201);
  expect((await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "Auditors", members: [{ email: "audit@example.com" }, { email: "ann@example.com" }] } })).status).toBe(201);
  return tenant;
}

const preview = (tenant: TestTenant, body: unknown, key?: string) => asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", { body, key });
const content = { subject: "s", body: "b" };

describe("group:<name> expansion", () => {
  it("expands in email to, cc and bcc and in SMS to; opted-out members and members without the channel's address are skipped", async () => {
    const tenant = await tenantWithGroups();
    const res = await preview(tenant, {
      email: { recipients: { to: ["group:FundingApprovers"], cc: "lead@example.com, group:Auditors", bcc: ["group:Auditors"] }, content },
      sms: { recipients: { to: ["group:FundingApprovers", "+17787004444"] }, content: { body: "hi" } },
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    // Repeats are dropped across to, cc and bcc (one person, one recipient: to, then cc, then bcc).
    expect(body.email[0].recipients).toEqual({
      to: ["ann@example.com", "bob@example.com"],
      cc: ["audit@example.com", "lead@example.com"],
    });
    expect(body.sms.map((s: any) => s.recipients.to[0])).toEqual(["+17787001111", "+17787002222", "+17787004444"]);
  });

  it("sends to the expanded members and stores one message row per member", async () => {
    const tenant = await tenantWithGroups();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      key: tenant.keys.test,
      body: { email: { recipients: { to: ["group:FundingApprovers"] }, content }, sms: { recipients: { to: "group:FundingApprovers" }, content: { body: "hi" } } },
    });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 2, sms: 2 });
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
    const recipients = status.messages.map((m: any) => m.recipient).sort();
    expect(recipients).toEqual(["+17787001111", "+17787002222", "ann@example.com", "bob@example.com"]);
  });

  it("422 naming the field for an unknown group, another tenant's group, a wrong-case name, a reference from a parameter, or one in replyTo", async () => {
    const tenant = await tenantWithGroups();
    const other = await createTestTenant();
    expect((await asTenant(other, "POST", "/api/v1/groups", { body: { name: "OtherTenants", members: [{ email: "x@example.com" }] } })).status).toBe(201);
    const res = await preview(tenant, {
      params: { who: "group:FundingApprovers" },
      email: {
        recipients: { to: ["ann@example.com", "group:Nobody"], cc: ["group:OtherTenants"], bcc: ["group:fundingapprovers", "{{who}}"] },
        sender: { replyTo: ["group:Auditors"] },
        content,
      },
      sms: { recipients: { to: ["group:Missing"] }, content: { body: "hi" } },
    });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: "email.recipients.to[1]", message: 'No group named "Nobody"' },
        { path: "email.recipients.cc[0]", message: 'No group named "OtherTenants"' },
        { path: "email.recipients.bcc[0]", message: 'No group named "fundingapprovers" (group names are case-sensitive: did you mean "FundingApprovers"?)' },
        { path: "email.recipients.bcc[1]", message: "A group reference must be written in the recipient list itself; a parameter cannot name a group" },
        { path: "email.sender.replyTo[0]", message: "Group references are not accepted in this field" },
        { path: "sms.recipients.to[0]", message: 'No group named "Missing"' },
      ]),
    );
    expect(problem.errors).toHaveLength(6);
    // The same on the send route, and nothing is stored.
    const send = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["group:Nobody"] }, content } });
    expect(send.status).toBe(422);
    expect((await json(send)).errors).toEqual([{ path: "recipients.to[0]", message: 'No group named "Nobody"' }]);
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toEqual([]);
  });

  it("a group whose members are all opted out leaves the list empty (a 422 when nothing else is addressed)", async () => {
    const tenant = await createTestTenant();
    await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "Quiet", members: [{ email: "a@example.com", optedOut: true }] } });
    const res = await preview(tenant, { email: { recipients: { to: ["group:Quiet"] }, content } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "email.recipients.to", message: "At least one recipient is required" }]);
  });

  it("the guest list applies to expanded members (team keys)", async () => {
    const tenant = await tenantWithGroups();
    await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: ["ann@example.com"], phones: [] } });
    const res = await preview(tenant, { email: { recipients: { to: ["group:FundingApprovers"] }, content } }, tenant.keys.team);
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([{ path: "email.recipients.to[0]", message: "bob@example.com is not on your guest list (team key)" }]);
  });

  it("the expanded email is still held to 50 recipients", async () => {
    const tenant = await createTestTenant();
    await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "Crowd", members: Array.from({ length: 51 }, (_, i) => ({ email: `p${i}@example.com` })) } });
    const res = await preview(tenant, { email: { recipients: { to: ["group:Crowd"] }, content } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors[0].path).toBe("email.recipients");
  });
});
