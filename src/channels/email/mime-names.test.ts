import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { formatMailbox } from "../../lib/mailbox";
import type { EmailMessage } from "../types";
import { buildMime } from "./mime";

const message: EmailMessage = {
  deliveryId: "dlv_names",
  from: { email: "noreply@notify.example", name: "Notify\u0000\u000B\u202E Team\r\nBcc: victim@example.com" },
  replyTo: [{ email: "help@notify.example", name: "Help\u0007 desk\u2066" }],
  to: ["ada@example.com"],
  cc: [],
  bcc: [],
  subject: "Hi",
  text: "Hello",
  attachments: [],
};

describe("display names on the wire (defence in depth behind input validation)", () => {
  it("buildMime strips control and bidi characters from From and Reply-To names", async () => {
    const raw = buildMime(message);
    expect(raw).not.toMatch(/[\u0000\u0007\u000B\u202E\u2066]/);
    expect(raw).not.toMatch(/^Bcc:/im);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.from).toEqual({ name: "Notify Team Bcc: victim@example.com", address: "noreply@notify.example" });
    expect(parsed.replyTo).toEqual([{ name: "Help desk", address: "help@notify.example" }]);
  });

  it("formatMailbox (JSON providers' From) strips them too, and drops a name left empty", () => {
    expect(formatMailbox({ name: "Ann\u0000\r\nLee", email: "a@example.com" })).toBe("Ann Lee <a@example.com>");
    expect(formatMailbox({ name: "\u202E\u0000", email: "a@example.com" })).toBe("a@example.com");
  });
});
