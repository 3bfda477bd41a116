import { describe, expect, it } from "vitest";
import { twilioReceipts, twilioSignature, verifyTwilioSignature } from "./twilio";

const now = new Date("2026-11-20T12:00:00Z");
const SID = "SM0123456789abcdef0123456789abcdef";

describe("twilioSignature", () => {
  it("matches Twilio's published example (Webhooks security / the helper libraries' test vector)", async () => {
    const params = new URLSearchParams({ CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" });
    const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    expect(await twilioSignature("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(await verifyTwilioSignature("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toBe(true);
    expect(await verifyTwilioSignature("12345", "https://mycompany.com/myapp.php", params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toBe(false);
  });
});

describe("twilioReceipts", () => {
  const receipt = (fields: Record<string, string>) => twilioReceipts(new URLSearchParams({ MessageSid: SID, ...fields }), now)[0];

  it("maps interim, delivered and failed statuses", () => {
    for (const s of ["queued", "accepted", "sending", "sent"]) expect(receipt({ MessageStatus: s })?.status).toBe("sending");
    expect(receipt({ MessageStatus: "delivered" })?.status).toBe("delivered");
    expect(receipt({ MessageStatus: "read" })?.status).toBe("delivered");
    expect(receipt({ MessageStatus: "undelivered", ErrorCode: "30003" })).toMatchObject({ status: "temporary-failure", providerCode: "30003" });
    expect(receipt({ MessageStatus: "undelivered", ErrorCode: "30008" })?.status).toBe("temporary-failure");
    expect(receipt({ MessageStatus: "undelivered", ErrorCode: "30005" })?.status).toBe("permanent-failure");
    expect(receipt({ MessageStatus: "failed", ErrorCode: "30006" })?.status).toBe("permanent-failure");
    expect(receipt({ MessageStatus: "undelivered" })?.status).toBe("temporary-failure");
    expect(receipt({ MessageStatus: "failed" })?.status).toBe("permanent-failure");
  });

  it("reads nothing from inbound or malformed callbacks", () => {
    expect(receipt({ MessageStatus: "received" })).toBeUndefined();
    expect(twilioReceipts(new URLSearchParams({ MessageSid: "SM1' OR 1=1", MessageStatus: "delivered" }), now)).toEqual([]);
  });
});
