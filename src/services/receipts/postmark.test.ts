import { describe, expect, it } from "vitest";
import { postmarkReceipts, verifyPostmark } from "./postmark";

const basic = (credentials: string) => new Headers({ authorization: `Basic ${btoa(credentials)}` });

describe("verifyPostmark", () => {
  it("accepts the configured Basic credentials only", () => {
    expect(verifyPostmark(basic("postmark:s3cret"), "postmark", "s3cret")).toEqual({ ok: true });
    expect(verifyPostmark(basic("postmark:wrong"), "postmark", "s3cret")).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyPostmark(basic("other:s3cret"), "postmark", "s3cret")).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyPostmark(new Headers({ authorization: "Basic %%%" }), "postmark", "s3cret")).toMatchObject({ ok: false, kind: "missing" });
    expect(verifyPostmark(new Headers({ authorization: "Bearer x" }), "postmark", "s3cret")).toMatchObject({ ok: false, kind: "missing" });
    expect(verifyPostmark(new Headers(), "postmark", "s3cret")).toMatchObject({ ok: false, kind: "missing" });
  });
});

// Postmark's example payloads: https://postmarkapp.com/developer/webhooks/delivery-webhook,
// https://postmarkapp.com/developer/webhooks/bounce-webhook and
// https://postmarkapp.com/developer/webhooks/spam-complaint-webhook
const DELIVERY = {
  MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
  Recipient: "john@example.com",
  DeliveredAt: "2019-11-05T16:33:54.9070259Z",
  Details: "Test delivery webhook details",
  Tag: "welcome-email",
  ServerID: 23,
  Metadata: { a_key: "a_value", b_key: "b_value" },
  RecordType: "Delivery",
  MessageStream: "outbound",
};
const BOUNCE = {
  RecordType: "Bounce",
  MessageStream: "outbound",
  ID: 4323372036854775807,
  Type: "HardBounce",
  TypeCode: 1,
  Name: "Hard bounce",
  Tag: "Test",
  MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
  Metadata: { a_key: "a_value", b_key: "b_value" },
  ServerID: 23,
  Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
  Details: "Test bounce details",
  Email: "john@example.com",
  From: "sender@example.com",
  BouncedAt: "2019-11-05T16:33:54.9070259Z",
  DumpAvailable: true,
  Inactive: true,
  CanActivate: true,
  Subject: "Test subject",
  Content: "<Full dump of bounce>",
};
const SPAM = { ...BOUNCE, RecordType: "SpamComplaint", ID: 42, Type: "SpamComplaint", TypeCode: 100001, Name: "Spam complaint", Description: "", Details: "Test spam complaint details", CanActivate: false, Content: "<Abuse report dump>" };

describe("postmarkReceipts", () => {
  it("maps Delivery, Bounce by type and SpamComplaint to receipts keyed by MessageID", () => {
    expect(postmarkReceipts(DELIVERY, new Date())).toEqual([
      { provider: "postmark", providerMessageId: DELIVERY.MessageID, recipient: "john@example.com", at: new Date("2019-11-05T16:33:54.907Z"), status: "delivered", detail: "Test delivery webhook details" },
    ]);
    expect(postmarkReceipts(BOUNCE, new Date())[0]).toMatchObject({ status: "permanent-failure", providerCode: "HardBounce", recipient: "john@example.com", detail: BOUNCE.Description });
    expect(postmarkReceipts({ ...BOUNCE, Type: "SoftBounce" }, new Date())[0]).toMatchObject({ status: "temporary-failure", providerCode: "SoftBounce" });
    expect(postmarkReceipts({ ...BOUNCE, Type: "Transient" }, new Date())[0]).toMatchObject({ status: "sending" });
    expect(postmarkReceipts({ ...BOUNCE, Type: "AutoResponder" }, new Date())).toEqual([]);
    expect(postmarkReceipts({ ...BOUNCE, Type: "constructor" }, new Date())).toEqual([]);
    expect(postmarkReceipts(SPAM, new Date())[0]).toMatchObject({ status: "delivered", complaint: true, recipient: "john@example.com" });
  });

  it("gives no receipt for opens and clicks, and refuses a body that is not a record", () => {
    expect(postmarkReceipts({ RecordType: "Open", MessageID: "x" }, new Date())).toEqual([]);
    expect(() => postmarkReceipts([DELIVERY], new Date())).toThrow("RecordType");
  });
});
