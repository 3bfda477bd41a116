import { describe, expect, it } from "vitest";
import { isSnsUrl, parseSnsMessage, snsCanonicalString, type SnsMessage } from "./sns";

const base: SnsMessage = {
  Type: "Notification",
  MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  TopicArn: "arn:aws:sns:us-west-2:123456789012:MyTopic",
  Message: "Hello world!",
  Timestamp: "2012-05-02T00:54:06.655Z",
  SignatureVersion: "1",
  Signature: "EXAMPLE",
  SigningCertURL: "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
};

describe("SNS messages", () => {
  it("builds the canonical string SNS signs: Subject only when present; SubscribeURL and Token for confirmations", () => {
    expect(snsCanonicalString(base)).toBe(
      "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n",
    );
    expect(snsCanonicalString({ ...base, Subject: "My First Message" })).toContain("MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\nTimestamp\n");
    const confirmation = snsCanonicalString({ ...base, Type: "SubscriptionConfirmation", Token: "2336412f", SubscribeURL: "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription" });
    expect(confirmation).toBe(
      "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription\nTimestamp\n2012-05-02T00:54:06.655Z\nToken\n2336412f\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nSubscriptionConfirmation\n",
    );
  });

  it("trusts only https://sns.<region>.amazonaws.com", () => {
    expect(isSnsUrl(base.SigningCertURL)).toBe(true);
    for (const url of [
      "http://sns.us-west-2.amazonaws.com/x.pem",
      "https://sns.us-west-2.amazonaws.com.evil.test/x.pem",
      "https://evil.test/sns.us-west-2.amazonaws.com/x.pem",
      "https://sns.us-west-2.amazonaws.com:8443/x.pem",
      "https://user@sns.us-west-2.amazonaws.com/x.pem",
      "https://s3.amazonaws.com/x.pem",
      "not a url",
    ]) {
      expect(isSnsUrl(url), url).toBe(false);
    }
  });

  it("reads only SNS message bodies", () => {
    expect(parseSnsMessage(JSON.stringify(base))).toEqual(base);
    expect(parseSnsMessage(JSON.stringify({ ...base, Type: "Other" }))).toBeNull();
    expect(parseSnsMessage("{")).toBeNull();
  });
});
