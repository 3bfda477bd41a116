import { beforeEach, describe, expect, it } from "vitest";
import { clear } from "../store";
import { devApp, devEnv, inboxItems } from "../testing";

const ACCOUNT = "AC00000000000000000000000000000000";
const PATH = `/dev/sink/twilio/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const BASIC = `Basic ${btoa(`${ACCOUNT}:local-sink-token`)}`;

/** Create a Message as the Twilio adapter sends it: form-encoded, HTTP Basic. */
function createMessage(fields: Record<string, string>, init: { path?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(`http://127.0.0.1:8787${init.path ?? PATH}`, {
    method: "POST",
    headers: { authorization: BASIC, "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...init.headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("Twilio sink", () => {
  const app = devApp();
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  it("creates a Message and answers 201 with the Message resource", async () => {
    const res = await app.request(createMessage({ To: "+17787001234", From: "+15005550006", Body: "Hello Ada" }), undefined, devEnv);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toContain("application/json");
    const message = (await res.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      account_sid: ACCOUNT,
      api_version: "2010-04-01",
      body: "Hello Ada",
      direction: "outbound-api",
      error_code: null,
      from: "+15005550006",
      num_segments: "1",
      status: "queued",
      to: "+17787001234",
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(message.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages/${message.sid as string}.json`);

    const [item] = await inboxItems(app);
    expect(item).toMatchObject({
      channel: "sms",
      provider: "twilio",
      providerMessageId: message.sid,
      from: "+15005550006",
      to: ["+17787001234"],
      text: "Hello Ada",
      raw: { To: "+17787001234", From: "+15005550006", Body: "Hello Ada" },
    });
    // The auth token never reaches the inbox.
    expect(item!.headers).toMatchObject({ authorization: "Basic (redacted)", "content-type": "application/x-www-form-urlencoded" });
  });

  it("sends through a Messaging Service when there is no From, as Twilio answers it", async () => {
    const service = "MG00000000000000000000000000000001";
    const res = await app.request(createMessage({ To: "+17787001234", MessagingServiceSid: service, Body: "Hi" }), undefined, devEnv);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ from: null, messaging_service_sid: service, status: "accepted" });
    expect((await inboxItems(app))[0]).toMatchObject({ from: service });
  });

  it("counts segments as a phone network bills them", async () => {
    const res = await app.request(createMessage({ To: "+17787001234", From: "+15005550006", Body: "é".repeat(71) }), undefined, devEnv);
    expect(await res.json()).toMatchObject({ num_segments: "1" });
    const unicode = await app.request(createMessage({ To: "+17787001234", From: "+15005550006", Body: "✓".repeat(71) }), undefined, devEnv);
    expect(await unicode.json()).toMatchObject({ num_segments: "2" });
  });

  it.each([
    ["no credentials", createMessage({ To: "+17787001234", From: "+15005550006", Body: "x" }, { headers: { authorization: "" } }), 401, 20003],
    ["a bearer token", createMessage({ To: "+17787001234", From: "+15005550006", Body: "x" }, { headers: { authorization: "Bearer abc" } }), 401, 20003],
    ["no To", createMessage({ From: "+15005550006", Body: "x" }), 400, 21604],
    ["a To that is no phone number", createMessage({ To: "ada", From: "+15005550006", Body: "x" }), 400, 21211],
    ["no From or MessagingServiceSid", createMessage({ To: "+17787001234", Body: "x" }), 400, 21603],
    ["no Body", createMessage({ To: "+17787001234", From: "+15005550006" }), 400, 21602],
    ["a Body over 1600 characters", createMessage({ To: "+17787001234", From: "+15005550006", Body: "x".repeat(1601) }), 400, 21617],
    ["a JSON body", createMessage({}, { headers: { "content-type": "application/json" } }), 400, 400],
    ["an account SID that is not one", createMessage({ To: "+17787001234", From: "+15005550006", Body: "x" }, { path: "/dev/sink/twilio/2010-04-01/Accounts/nope/Messages.json" }), 404, 20404],
    ["another resource", createMessage({}, { path: `/dev/sink/twilio/2010-04-01/Accounts/${ACCOUNT}/Calls.json` }), 404, 20404],
  ])("refuses %s with Twilio's error document", async (_case, request, status, code) => {
    const res = await app.request(request, undefined, devEnv);
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    expect(await inboxItems(app)).toEqual([]);
  });

  it("answers another method with 405 (20004)", async () => {
    const res = await app.request(`http://127.0.0.1:8787${PATH}`, { headers: { authorization: BASIC } }, devEnv);
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: 20004, status: 405 });
  });
});
