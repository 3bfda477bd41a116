import { describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { CloudflareEmailProvider } from "./cloudflare";

const message: EmailMessage = {
  deliveryId: "dlv_cf_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [{ filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) }],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

/** An Error as the binding throws it: a documented string `code` beside the message. */
const bindingError = (code: string, text: string) => Object.assign(new Error(text), { code });

/**
 * A stand-in for the `send_email` binding (msw cannot intercept it): records what it was given,
 * and answers like the binding, `{ messageId }`, or throws the error it was told to.
 */
function fakeBinding(failure?: unknown) {
  const sent: unknown[] = [];
  const binding = {
    async send(input: unknown) {
      sent.push(input);
      if (failure) throw failure;
      return { messageId: `<cf-${sent.length}@notify.example>` };
    },
  } as SendEmail;
  return { binding, sent };
}

describe("CloudflareEmailProvider", () => {
  it("sends one builder message with to, cc, bcc, reply-to, both bodies and attachments, and maps messageId", async () => {
    const { binding, sent } = fakeBinding();
    const outcome = await new CloudflareEmailProvider(binding).send(message);

    // Without the Message-ID brackets, as Email Sending events are matched.
    expect(outcome).toEqual({ providerMessageId: "cf-1@notify.example", status: "delivered" });
    expect(sent).toEqual([
      {
        from: { email: "noreply@notify.example", name: "Notify Team" },
        to: ["ada@example.com", "grace@example.org"],
        cc: ["boss@example.com"],
        bcc: ["hidden@example.net"],
        // The builder holds one Reply-To.
        replyTo: { email: "help@notify.example", name: "Help" },
        subject: "Votre dossier ✓",
        text: "Bonjour Ada",
        html: "<p>Bonjour <b>Ada</b></p>",
        headers: { "X-Notify-Delivery-Id": "dlv_cf_1" },
        attachments: [{ disposition: "attachment", filename: "dossier.pdf", type: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) }],
      },
    ]);
  });

  it("passes plain addresses as strings and leaves out what is empty", async () => {
    const { binding, sent } = fakeBinding();
    await new CloudflareEmailProvider(binding).send({
      ...message,
      from: { email: "noreply@notify.example" },
      replyTo: [{ email: "audit@notify.example" }],
      to: ["ann@bücher.example"],
      cc: [],
      bcc: [],
      html: undefined,
      attachments: [],
    });
    expect(sent).toEqual([
      {
        from: "noreply@notify.example",
        to: ["ann@xn--bcher-kva.example"],
        replyTo: "audit@notify.example",
        subject: "Votre dossier ✓",
        text: "Bonjour Ada",
        headers: { "X-Notify-Delivery-Id": "dlv_cf_1" },
      },
    ]);
  });

  it("maps the binding's documented error codes to kinds, keeping the code and message", async () => {
    for (const [code, kind] of [
      ["E_RECIPIENT_SUPPRESSED", "permanent"],
      ["E_VALIDATION_ERROR", "permanent"],
      ["E_SENDER_NOT_VERIFIED", "configuration"],
      ["E_SENDER_DOMAIN_NOT_AVAILABLE", "configuration"],
      ["E_RATE_LIMIT_EXCEEDED", "retryable"],
      ["E_DAILY_LIMIT_EXCEEDED", "retryable"],
      ["E_INTERNAL_SERVER_ERROR", "retryable"],
    ] as const) {
      const { binding } = fakeBinding(bindingError(code, `${code} happened`));
      await expect(new CloudflareEmailProvider(binding).send(message)).rejects.toMatchObject({
        name: "ProviderError",
        provider: "cloudflare",
        kind,
        providerCode: code,
        message: `cloudflare: ${code} happened`,
      });
    }
  });

  it("treats an error without a documented code as retryable", async () => {
    const { binding } = fakeBinding(new Error("internal error; reference = 1234"));
    await expect(new CloudflareEmailProvider(binding).send(message)).rejects.toMatchObject({ kind: "retryable", providerCode: undefined });
  });

  it("does not start a send once the signal has fired (retryable)", async () => {
    const { binding, sent } = fakeBinding();
    const signal = AbortSignal.abort(new DOMException("timed out", "TimeoutError"));
    await expect(new CloudflareEmailProvider(binding).send(message, signal)).rejects.toMatchObject({ kind: "retryable", message: "cloudflare: request timed out" });
    expect(sent).toEqual([]);
  });
});

describe("CloudflareEmailProvider: one-click unsubscribe", () => {
  it("passes List-Unsubscribe and List-Unsubscribe-Post in the builder's headers", async () => {
    const { binding, sent } = fakeBinding();
    await new CloudflareEmailProvider(binding).send({ ...message, headers: UNSUBSCRIBE });
    expect((sent[0] as { headers: Record<string, string> }).headers).toEqual({ "X-Notify-Delivery-Id": message.deliveryId, ...UNSUBSCRIBE });
  });
});
