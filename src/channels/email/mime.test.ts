import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { buildMime } from "./mime";

const pdf = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);

const message: EmailMessage = {
  deliveryId: "dlv_01JABCDEF",
  from: { email: "noreply@notify.example", name: "Équipe Notify" },
  replyTo: [{ email: "help@notify.example", name: "Help desk" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Bienvenue, Ada ✓ — votre dossier n° 42",
  text: "Bonjour Ada,\nvotre dossier est prêt.",
  html: "<p>Bonjour <strong>Ada</strong>, votre dossier est prêt ✓</p>",
  attachments: [
    { filename: "dossier.pdf", contentType: "application/pdf", content: pdf },
    { filename: "résumé \"final\".txt", contentType: "text/plain", content: new TextEncoder().encode("ligne 1\nligne 2") },
  ],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

const parse = (raw: string) => PostalMime.parse(raw);
const header = (parsed: Awaited<ReturnType<typeof parse>>, key: string) => parsed.headers.filter((h) => h.key === key).map((h) => h.value);

describe("buildMime", () => {
  it("writes From, To, Cc, every Reply-To and the UTF-8 subject, and never Bcc", async () => {
    const raw = buildMime(message);
    const parsed = await parse(raw);

    expect(parsed.from).toEqual({ name: "Équipe Notify", address: "noreply@notify.example" });
    expect(parsed.to).toEqual([
      { name: "", address: "ada@example.com" },
      { name: "", address: "grace@example.org" },
    ]);
    expect(parsed.cc).toEqual([{ name: "", address: "boss@example.com" }]);
    expect(parsed.replyTo).toEqual([
      { name: "Help desk", address: "help@notify.example" },
      { name: "", address: "audit@notify.example" },
    ]);
    expect(parsed.subject).toBe("Bienvenue, Ada ✓ — votre dossier n° 42");
    expect(parsed.bcc).toBeUndefined();
    expect(header(parsed, "bcc")).toEqual([]);
    expect(raw).not.toContain("hidden@example.net");
  });

  it("derives Message-ID from the delivery id and adds X-Notify-Delivery-Id", async () => {
    const parsed = await parse(buildMime(message));
    expect(parsed.messageId).toBe("<dlv_01JABCDEF@notify.example>");
    expect(header(parsed, "x-notify-delivery-id")).toEqual(["dlv_01JABCDEF"]);
    expect(parsed.date).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("puts text and HTML in a multipart/alternative inside multipart/mixed with the attachments", async () => {
    const raw = buildMime(message);
    const parsed = await parse(raw);

    expect(raw).toMatch(/^Content-Type: multipart\/mixed; boundary=/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative; boundary=/m);
    expect(parsed.text).toBe("Bonjour Ada,\nvotre dossier est prêt.");
    expect(parsed.html).toBe("<p>Bonjour <strong>Ada</strong>, votre dossier est prêt ✓</p>");
    expect(parsed.attachments).toHaveLength(2);
    const [file, note] = parsed.attachments;
    expect(file).toMatchObject({ filename: "dossier.pdf", mimeType: "application/pdf", disposition: "attachment" });
    expect(new Uint8Array(file!.content as ArrayBuffer)).toEqual(pdf);
    // Non-ASCII and quotes in a filename survive (RFC 2231), and the bytes are intact.
    expect(note).toMatchObject({ filename: 'résumé "final".txt', mimeType: "text/plain", disposition: "attachment" });
    expect(new TextDecoder().decode(note!.content as ArrayBuffer)).toBe("ligne 1\nligne 2");
  });

  it("sends a single part when there is only text or only HTML", async () => {
    const textOnly = buildMime({ ...message, html: undefined, attachments: [] });
    expect(textOnly).not.toContain("multipart/");
    expect(textOnly).toMatch(/^Content-Type: text\/plain; charset=UTF-8$/m);
    expect(await parse(textOnly)).toMatchObject({ text: "Bonjour Ada,\nvotre dossier est prêt.", attachments: [] });

    const htmlOnly = await parse(buildMime({ ...message, text: undefined, attachments: [] }));
    expect(htmlOnly.html).toBe("<p>Bonjour <strong>Ada</strong>, votre dossier est prêt ✓</p>");
  });

  it("stays 7-bit with lines under the RFC 5322 limit, even for a 998-character subject and a large attachment", async () => {
    const subject = "Avis important ✓ ".repeat(58).slice(0, 998);
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => i % 251);
    const raw = buildMime({ ...message, subject, attachments: [{ filename: "big.bin", contentType: "application/octet-stream", content: big }] });

    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    const longest = Math.max(...raw.split("\r\n").map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(78);
    const parsed = await parse(raw);
    expect(parsed.subject).toBe(subject);
    expect(new Uint8Array(parsed.attachments[0]!.content as ArrayBuffer)).toEqual(big);
  });

  it("writes internationalised domains in their ASCII (punycode) form", async () => {
    const parsed = await parse(buildMime({ ...message, to: ["ann@bücher.example"], cc: [] }));
    expect(parsed.to).toEqual([{ name: "", address: "ann@xn--bcher-kva.example" }]);
  });
});

describe("buildMime: extra headers", () => {
  it("writes List-Unsubscribe and List-Unsubscribe-Post, and refuses a header that would add a recipient or a line", async () => {
    const raw = buildMime({ ...message, headers: { ...UNSUBSCRIBE, Bcc: "spy@example.com", "X-Evil": "x\r\nBcc: spy@example.com" } });
    const parsed = await PostalMime.parse(raw);
    expect(parsed.headers.find((h) => h.key === "list-unsubscribe")?.value).toBe(UNSUBSCRIBE["List-Unsubscribe"]);
    expect(parsed.headers.find((h) => h.key === "list-unsubscribe-post")?.value).toBe("List-Unsubscribe=One-Click");
    expect(raw).not.toContain("spy@example.com");
  });
});
