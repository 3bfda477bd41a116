import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { twilioSignature } from "../../src/services/receipts/twilio";
import { keywordOf, OPT_IN_WORDS, OPT_OUT_WORDS } from "../../src/services/received-texts/keywords";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith } from "../receipts/helpers";
import { dramaNumber, inboundEnv, inboundSender, storedTexts, twilioInbound, twilioSid, vonageInbound, vonageSms } from "./helpers";

let tenant: TestTenant;
let other: TestTenant;
let number: string;
let senderId: string;
let otherNumber: string;

beforeAll(async () => {
  tenant = await createTestTenant("Inbound texts");
  other = await createTestTenant("Inbound texts, other");
  number = dramaNumber();
  senderId = await inboundSender(tenant, number);
  otherNumber = dramaNumber();
  await inboundSender(other, otherNumber);
});

async function smsSuppressionsOf(t: TestTenant, recipient: string) {
  return (await json(await asTenant(t, "GET", `/api/v1/suppressions?channel=sms&recipient=${encodeURIComponent(recipient)}`))).items;
}

describe("POST /hooks/twilio/inbound", () => {
  it("a signed text is stored for the tenant whose inbound sender is To, answered with empty TwiML", async () => {
    const from = dramaNumber();
    const { res, sid } = await twilioInbound({ From: from, To: number, Body: "Hello, is it me you're looking for?" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const rows = await storedTexts(sid);
    expect(rows).toEqual([
      expect.objectContaining({ tenant_id: tenant.id, sms_sender_id: senderId, notify_number: number, user_number: from, content: "Hello, is it me you're looking for?", provider: "twilio", provider_message_id: sid }),
    ]);
    // The other tenant's number gets the other tenant's texts.
    const theirs = await twilioInbound({ From: from, To: otherNumber, Body: "Hi" });
    expect((await storedTexts(theirs.sid))[0]).toMatchObject({ tenant_id: other.id, notify_number: otherNumber });
  });

  it("To written without + and with spaces still finds the sender (E.164 through the phone rules)", async () => {
    const { res, sid } = await twilioInbound({ From: dramaNumber(), To: `${number.slice(0, 3)} ${number.slice(3)}`, Body: "spaced" });
    expect(res.status).toBe(200);
    expect((await storedTexts(sid))[0]).toMatchObject({ tenant_id: tenant.id, notify_number: number });
  });

  it("a wrong signature is a 403, a missing one a 401, and nothing is stored", async () => {
    const bad = await twilioInbound({ From: dramaNumber(), To: number, Body: "forged" }, { token: "not-the-auth-token" });
    expect(bad.res.status).toBe(403);
    expect(bad.res.headers.get("content-type")).toMatch(/problem\+json/);
    expect(await storedTexts(bad.sid)).toEqual([]);
    const none = await twilioInbound({ From: dramaNumber(), To: number, Body: "unsigned" }, { signature: null });
    expect(none.res.status).toBe(401);
    expect(await storedTexts(none.sid)).toEqual([]);
  });

  it("a signature for another URL (the status callback's) is refused", async () => {
    const sid = twilioSid();
    const params = new URLSearchParams({ MessageSid: sid, From: dramaNumber(), To: number, Body: "replayed", AccountSid: env.TWILIO_ACCOUNT_SID! });
    const signature = await twilioSignature(env.TWILIO_AUTH_TOKEN!, "https://notify.test/hooks/twilio", params);
    const res = await callWith(inboundEnv(), "/hooks/twilio/inbound", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }, body: params.toString() });
    expect(res.status).toBe(403);
    expect(await storedTexts(sid)).toEqual([]);
  });

  it("a number no tenant receives on: 200 with empty TwiML, stored nowhere, logged without the numbers or text", async () => {
    const logged: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => logged.push(line);
    try {
      const from = dramaNumber();
      const { res, sid } = await twilioInbound({ From: from, To: "+17787000000", Body: "secret words" });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("<Response/>");
      expect(await storedTexts(sid)).toEqual([]);
      expect(logged.join("\n")).toContain("no tenant receives on");
      expect(logged.join("\n")).not.toMatch(/secret words|7787000000|447700900/);
    } finally {
      console.warn = warn;
    }
  });

  it("the same MessageSid again is stored once", async () => {
    const sid = twilioSid();
    const from = dramaNumber();
    for (let i = 0; i < 3; i++) expect((await twilioInbound({ From: from, To: number, Body: "again", MessageSid: sid })).res.status).toBe(200);
    expect(await storedTexts(sid)).toHaveLength(1);
  });

  it("bounded: a Body over 1,600 characters is a 400, a form over 64 KB a 413; neither is stored", async () => {
    const long = await twilioInbound({ From: dramaNumber(), To: number, Body: "x".repeat(1601) });
    expect(long.res.status).toBe(400);
    expect(await storedTexts(long.sid)).toEqual([]);
    const huge = await callWith(inboundEnv(), "/hooks/twilio/inbound", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "x" }, body: `Body=${"y".repeat(70_000)}` });
    expect(huge.status).toBe(413);
    // 1,600 characters of emoji are taken.
    const emoji = await twilioInbound({ From: dramaNumber(), To: number, Body: "😀".repeat(1600) });
    expect(emoji.res.status).toBe(200);
    expect(await storedTexts(emoji.sid)).toHaveLength(1);
  });

  it("without a public origin the signature cannot be checked: 503, nothing stored", async () => {
    const { res, sid } = await twilioInbound({ From: dramaNumber(), To: number, Body: "x" }, { e: { ...env, PUBLIC_ORIGIN: undefined } as never });
    expect(res.status).toBe(503);
    expect(await storedTexts(sid)).toEqual([]);
  });
});

describe("POST /hooks/vonage/inbound", () => {
  it("a signed inbound SMS is stored for the tenant (numbers without +), answered 200", async () => {
    const from = dramaNumber();
    const message = vonageSms(from.slice(1), number.slice(1), "Hello from Vonage");
    const res = await vonageInbound(message);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true });
    expect(await storedTexts(message.message_uuid)).toEqual([
      expect.objectContaining({ tenant_id: tenant.id, notify_number: number, user_number: from, content: "Hello from Vonage", provider: "vonage" }),
    ]);
    // Repeated: stored once.
    expect((await vonageInbound(message)).status).toBe(200);
    expect(await storedTexts(message.message_uuid)).toHaveLength(1);
  });

  it("unsigned is a 401, wrongly signed a 403; nothing stored", async () => {
    const message = vonageSms(dramaNumber().slice(1), number.slice(1), "forged");
    expect((await vonageInbound(message, { unsigned: true })).status).toBe(401);
    expect((await vonageInbound(message, { secret: "another-secret" })).status).toBe(403);
    expect(await storedTexts(message.message_uuid)).toEqual([]);
  });

  it("unknown number and another channel's message: 200, stored nowhere", async () => {
    const unknown = vonageSms(dramaNumber().slice(1), "17787000001", "hi");
    expect((await vonageInbound(unknown)).status).toBe(200);
    expect(await storedTexts(unknown.message_uuid)).toEqual([]);
    const whatsapp = { ...vonageSms(dramaNumber().slice(1), number.slice(1), "hi"), channel: "whatsapp" };
    expect((await vonageInbound(whatsapp)).status).toBe(200);
    expect(await storedTexts(whatsapp.message_uuid)).toEqual([]);
  });

  it("not Vonage's shape (no message_uuid): 400", async () => {
    const res = await vonageInbound({ channel: "sms", to: number.slice(1), from: "447700900999", text: "x" });
    expect(res.status).toBe(400);
  });
});

describe("opt-out words", () => {
  it("the words: Notify's family's (AWS End User Messaging's) and Twilio's STOPALL; START and UNSTOP undo", () => {
    expect(OPT_OUT_WORDS).toEqual(expect.arrayContaining(["STOP", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT", "OPT-OUT", "REMOVE", "ARRET", "TD", "STOPALL"]));
    expect(OPT_IN_WORDS).toEqual(["START", "UNSTOP"]);
    expect(keywordOf("  sToP \n")).toBe("out");
    expect(keywordOf("stop it")).toBeNull();
    expect(keywordOf("Unstop")).toBe("in");
    expect(keywordOf("")).toBeNull();
  });

  it("STOP suppresses the sender's number for that tenant only, in the same batch as the text; a later send to it is suppressed", async () => {
    const from = dramaNumber();
    const { sid } = await twilioInbound({ From: from, To: number, Body: " Stop " });
    expect(await storedTexts(sid)).toHaveLength(1);
    expect(await smsSuppressionsOf(tenant, from)).toEqual([expect.objectContaining({ channel: "sms", recipient: from, reason: "opt-out", source: "provider" })]);
    expect(await smsSuppressionsOf(other, from)).toEqual([]);

    const send = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms?preview=true", { body: { recipients: { to: [from] }, content: { body: "Hello again" } } });
    expect(send.status).toBe(422);
    expect((await json(send)).errors).toEqual([{ path: "recipients.to[0]", message: `${from} is on your sms suppression list: opt-out` }]);

    // STOP again (or a repeat of the post) keeps one entry.
    await twilioInbound({ From: from, To: number, Body: "STOP" });
    await twilioInbound({ From: from, To: number, Body: "stop", MessageSid: sid });
    expect(await smsSuppressionsOf(tenant, from)).toHaveLength(1);
  });

  it("Vonage's UNSUBSCRIBE too; START re-subscribes only what an opt-out word added", async () => {
    const from = dramaNumber();
    await vonageInbound(vonageSms(from.slice(1), number.slice(1), "unsubscribe"));
    expect(await smsSuppressionsOf(tenant, from)).toHaveLength(1);
    const { sid } = await twilioInbound({ From: from, To: number, Body: "START" });
    expect(await storedTexts(sid)).toHaveLength(1);
    expect(await smsSuppressionsOf(tenant, from)).toEqual([]);

    // An entry the tenant added itself stays.
    const kept = dramaNumber();
    await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "sms", recipient: kept, reason: "Asked by phone" } });
    await twilioInbound({ From: kept, To: number, Body: "unstop" });
    expect(await smsSuppressionsOf(tenant, kept)).toEqual([expect.objectContaining({ reason: "Asked by phone", source: "api" })]);
  });

  it("STOP to a number nobody receives on suppresses nothing anywhere", async () => {
    const from = dramaNumber();
    await twilioInbound({ From: from, To: "+17787000002", Body: "STOP" });
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM suppressions WHERE recipient = ?").bind(from).first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});
