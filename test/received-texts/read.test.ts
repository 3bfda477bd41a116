import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getInboundSmsResponse, schemaErrors } from "../notify-v2/notify-schemas";
import { dramaNumber, inboundSender, twilioInbound } from "./helpers";

let tenant: TestTenant;
let other: TestTenant;
let number: string;
let senderId: string;
/** The tenant's texts as stored, newest first. */
let ids: string[];
const TOTAL = 262;

/** Notify's timestamp: `%Y-%m-%dT%H:%M:%S.%fZ`. */
const NOTIFY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

async function asNotify(t: TestTenant, path: string, key = t.keys.live) {
  return call("GET", path, { headers: { authorization: `Bearer ${await notifyToken(key)}` } });
}

beforeAll(async () => {
  tenant = await createTestTenant("Received texts reader");
  other = await createTestTenant("Received texts, other reader");
  number = dramaNumber();
  senderId = await inboundSender(tenant, number);
  const otherNumber = dramaNumber();
  await inboundSender(other, otherNumber);
  // Two through the real hook, the rest written directly (a page of 250 needs many), one second apart.
  await twilioInbound({ From: "+447700900555", To: number, Body: "first, through the hook" });
  await twilioInbound({ From: "+447700900556", To: otherNumber, Body: "the other tenant's" });
  const base = Date.now() - 3_600_000;
  const statements = [];
  for (let i = 0; i < TOTAL - 1; i++) {
    statements.push(
      env.DB.prepare(
        "INSERT INTO received_texts (id, tenant_id, sms_sender_id, notify_number, user_number, content, provider, provider_message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 'twilio', ?, ?)",
      ).bind(crypto.randomUUID(), tenant.id, senderId, number, "+447700900123", `text ${i}`, `SM${crypto.randomUUID().replaceAll("-", "")}`, base + i * 1000),
    );
  }
  await env.DB.batch(statements);
  const rows = await env.DB.prepare("SELECT id FROM received_texts WHERE tenant_id = ? ORDER BY created_at DESC, id DESC").bind(tenant.id).all<{ id: string }>();
  ids = rows.results.map((r) => r.id);
  expect(ids).toHaveLength(TOTAL);
});

describe("GET /api/v1/tenant/received-texts", () => {
  it("pages the tenant's texts newest first with the cursor; another tenant's never appear", async () => {
    const first = await json(await asTenant(tenant, "GET", "/api/v1/tenant/received-texts?limit=2"));
    expect(first.items).toEqual([
      {
        id: ids[0],
        smsSenderId: senderId,
        notifyNumber: number,
        userNumber: "+447700900555",
        content: "first, through the hook",
        provider: "twilio",
        createdAt: expect.stringMatching(/Z$/),
      },
      expect.objectContaining({ id: ids[1], content: `text ${TOTAL - 2}` }),
    ]);
    const second = await json(await asTenant(tenant, "GET", `/api/v1/tenant/received-texts?limit=2&cursor=${first.nextCursor}`));
    expect(second.items.map((t: any) => t.id)).toEqual(ids.slice(2, 4));

    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: any = await json(await asTenant(tenant, "GET", `/api/v1/tenant/received-texts?limit=200${cursor ? `&cursor=${cursor}` : ""}`));
      seen.push(...page.items.map((t: any) => t.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(ids);

    const theirs = await json(await asTenant(other, "GET", "/api/v1/tenant/received-texts"));
    expect(theirs.items.map((t: any) => t.content)).toEqual(["the other tenant's"]);
  });

  it("any key type reads them, test keys too; no key is a 401", async () => {
    const res = await asTenant(tenant, "GET", "/api/v1/tenant/received-texts", { key: tenant.keys.test });
    expect(res.status).toBe(200);
    expect((await json(res)).items).toHaveLength(50);
    expect((await call("GET", "/api/v1/tenant/received-texts")).status).toBe(401);
  });
});

describe("GET /v2/received-text-messages", () => {
  it("Notify's exact shape, 250 a page newest first, links.current without a query and links.next with older_than", async () => {
    const res = await asNotify(tenant, "/v2/received-text-messages");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(schemaErrors(getInboundSmsResponse, body)).toEqual([]);
    expect(Object.keys(body).sort()).toEqual(["links", "received_text_messages"]);
    expect(body.received_text_messages).toHaveLength(250);
    expect(body.received_text_messages[0]).toEqual({
      id: ids[0],
      created_at: expect.stringMatching(NOTIFY_TIME),
      service_id: tenant.id,
      notify_number: number,
      user_number: "+447700900555",
      content: "first, through the hook",
    });
    expect(body.received_text_messages.map((t: any) => t.id)).toEqual(ids.slice(0, 250));
    expect(body.links).toEqual({
      current: "http://notify.test/v2/received-text-messages",
      next: `http://notify.test/v2/received-text-messages?older_than=${ids[249]}`,
    });

    const next = await json(await asNotify(tenant, `/v2/received-text-messages?older_than=${ids[249]}`));
    expect(next.received_text_messages.map((t: any) => t.id)).toEqual(ids.slice(250));
    expect(next.links).toEqual({ current: "http://notify.test/v2/received-text-messages", next: `http://notify.test/v2/received-text-messages?older_than=${ids.at(-1)}` });

    // Past the last: an empty page without next.
    expect(await json(await asNotify(tenant, `/v2/received-text-messages?older_than=${ids.at(-1)}`))).toEqual({
      received_text_messages: [],
      links: { current: "http://notify.test/v2/received-text-messages" },
    });
  });

  it("at /gcnotify/v2 too, with links on that path; any key type reads them (test keys too)", async () => {
    const body = await json(await asNotify(tenant, `/gcnotify/v2/received-text-messages?older_than=${ids[259]}`, tenant.keys.test));
    expect(body.received_text_messages.map((t: any) => t.id)).toEqual(ids.slice(260));
    expect(body.links).toEqual({ current: "http://notify.test/gcnotify/v2/received-text-messages", next: `http://notify.test/gcnotify/v2/received-text-messages?older_than=${ids.at(-1)}` });
  });

  it("another tenant never sees them: its list holds its own only, and our id as older_than is an empty page", async () => {
    const theirs = await json(await asNotify(other, "/v2/received-text-messages"));
    expect(theirs.received_text_messages.map((t: any) => [t.content, t.service_id])).toEqual([["the other tenant's", other.id]]);
    const probe = await json(await asNotify(other, `/v2/received-text-messages?older_than=${ids[0]}`));
    expect(probe.received_text_messages).toEqual([]);
    // An unknown id: empty, as in Notify.
    expect((await json(await asNotify(tenant, `/v2/received-text-messages?older_than=${crypto.randomUUID()}`))).received_text_messages).toEqual([]);
  });

  it("Notify's errors: a bad older_than or another key is a ValidationError; no token an AuthError", async () => {
    const bad = await asNotify(tenant, "/v2/received-text-messages?older_than=nope");
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "older_than is not a valid UUID" }] });
    const extra = await asNotify(tenant, "/v2/received-text-messages?page=2");
    expect(await json(extra)).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "Additional properties are not allowed (page was unexpected)" }] });
    const none = await call("GET", "/v2/received-text-messages");
    expect(none.status).toBe(401);
    expect((await json(none)).errors[0].error).toBe("AuthError");
  });
});
