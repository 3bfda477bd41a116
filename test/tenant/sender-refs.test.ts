import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

const preview = (tenant: Awaited<ReturnType<typeof createTestTenant>>, body: unknown) => asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", { body });
const email = (sender: Record<string, unknown>) => ({ recipients: { to: ["ann@example.com"] }, content: { subject: "s", body: "b" }, sender: { from: "notify@example.gov", ...sender } });
const sms = (sender: Record<string, unknown>) => ({ recipients: { to: ["+17787001234"] }, content: { body: "hi" }, sender });

describe("sender.replyToId and sender.senderIdRef", () => {
  it("resolve to the tenant's stored reply-to address and SMS sender, in place of replyTo and senderId", async () => {
    const tenant = await createTestTenant();
    const replyTo = await json(await asTenant(tenant, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: "help@example.gov" } }));
    const sender = await json(await asTenant(tenant, "POST", "/api/v1/tenant/sms-senders", { body: { sender: "NotifyGC" } }));
    const res = await preview(tenant, { email: email({ replyTo: ["other@example.com"], replyToId: replyTo.id }), sms: sms({ senderId: "Other", senderIdRef: sender.id }) });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.email[0].replyTo).toEqual(["help@example.gov"]);
    expect(body.sms[0].from).toBe("NotifyGC");

    const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.test, body: { email: email({ replyToId: replyTo.id }), sms: sms({ senderIdRef: sender.id }) } });
    expect(sent.status).toBe(201);
  });

  it("through an event type: the request's own replyTo still overrides the event type's replyToId", async () => {
    const tenant = await createTestTenant();
    const replyTo = await json(await asTenant(tenant, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: "help@example.gov" } }));
    const created = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", { body: { code: "refs", name: "Refs", email: email({ replyToId: replyTo.id }) } });
    expect(created.status).toBe(201);
    const fromEvent = await json(await asTenant(tenant, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "refs" } }));
    expect(fromEvent.email[0].replyTo).toEqual(["help@example.gov"]);
    const overridden = await json(
      await asTenant(tenant, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "refs", overrides: { email: { sender: { replyTo: ["mine@example.com"] } } } } }),
    );
    expect(overridden.email[0].replyTo).toEqual(["mine@example.com"]);
  });

  it("422 at the field for an unknown id or another tenant's, 400 for one that is not a uuid", async () => {
    const tenant = await createTestTenant();
    const other = await createTestTenant();
    const theirs = await json(await asTenant(other, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: "theirs@example.com" } }));
    const theirSender = await json(await asTenant(other, "POST", "/api/v1/tenant/sms-senders", { body: { sender: "Theirs" } }));
    for (const id of [theirs.id, crypto.randomUUID()]) {
      const res = await preview(tenant, { email: email({ replyToId: id }) });
      expect(res.status).toBe(422);
      expect((await json(res)).errors).toEqual([{ path: "email.sender.replyToId", message: "None of your reply-to addresses has this id" }]);
    }
    for (const id of [theirSender.id, crypto.randomUUID()]) {
      const res = await preview(tenant, { sms: sms({ senderIdRef: id }) });
      expect(res.status).toBe(422);
      expect((await json(res)).errors).toEqual([{ path: "sms.sender.senderIdRef", message: "None of your SMS senders has this id" }]);
    }
    expect((await preview(tenant, { email: email({ replyToId: "nope" }) })).status).toBe(400);
    // A deleted address is unknown from then on.
    const mine = await json(await asTenant(tenant, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: "mine@example.com" } }));
    expect((await asTenant(tenant, "DELETE", `/api/v1/tenant/reply-to-addresses/${mine.id}`)).status).toBe(204);
    expect((await preview(tenant, { email: email({ replyToId: mine.id }) })).status).toBe(422);
  });
});
