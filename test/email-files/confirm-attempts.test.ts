import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/crypto/encoding";
import { EMAIL_FILE_CONFIRM_LIMIT } from "../../src/services/email-files/download";
import { call, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// msw errors on any unmocked request and records every mocked one (SES's raw MIME parsed).
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Files by email, confirmation attempts");
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const PDF = new TextEncoder().encode("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
const LINK = /http:\/\/notify\.test\/f\/([0-9a-f-]{36})\?key=([A-Za-z0-9_-]{43})/;
const RIGHT = "amala@example.com";

let sent = 0;

/** Sends a confirmed file to RIGHT (a new subject each time, past the duplicate window), waits for delivery, and answers the link's id and key. */
async function sendFile() {
  sent += 1;
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
    body: {
      recipients: { to: [RIGHT] },
      content: { subject: `Your letter ${sent}`, body: "Download your letter: {{doc}}" },
      params: { doc: { file: toBase64(PDF), filename: "letter.pdf", confirm_email_before_download: true } },
    },
  });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  await waitForNotification(tenant, notifyId, (n) => n.status === "delivered");
  const match = LINK.exec(mocks.captured.ses.at(-1)!.mime.text ?? "");
  expect(match).not.toBeNull();
  return { id: match![1]!, key: match![2]! };
}

const failures = async (id: string) =>
  (await env.DB.prepare("SELECT confirm_failures FROM email_files WHERE id = ?").bind(id).first<{ confirm_failures: number }>())!.confirm_failures;
const download = (id: string, key: string, email: string) =>
  call("POST", `/f/${id}?key=${key}`, { rawBody: new URLSearchParams({ email }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
const page = (id: string, key: string) => call("GET", `/f/${id}?key=${key}`, { headers: { accept: "text/html" } });

/** A 429 locked page that names neither the right address nor any part of it. */
async function expectLocked(res: Response) {
  expect(res.status).toBe(429);
  expect(res.headers.get("content-type")).toContain("text/html");
  expect(res.headers.get("cache-control")).toBe("no-store");
  const html = await res.text();
  expect(html).toContain("This file is locked");
  expect(html).not.toContain('name="email"');
  expect(html.toLowerCase()).not.toContain("amala");
}

describe("wrong addresses on a file's download page", () => {
  it("are counted, and the one reaching the limit locks the file: every address after it, the right one too, is refused (429)", async () => {
    const file = await sendFile();
    for (let n = 1; n < EMAIL_FILE_CONFIRM_LIMIT; n++) {
      const res = await download(file.id, file.key, `guess${n}@example.com`);
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain("not the email address the file was sent to");
      expect(html.toLowerCase()).not.toContain("amala");
      expect(await failures(file.id)).toBe(n);
    }

    await expectLocked(await download(file.id, file.key, "last-guess@example.com"));
    expect(await failures(file.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT);

    await expectLocked(await download(file.id, file.key, RIGHT));
    await expectLocked(await download(file.id, file.key, "another@example.com"));
    // Nothing is counted past the limit, and the page no longer asks.
    expect(await failures(file.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT);
    await expectLocked(await page(file.id, file.key));
  });

  it("20 at once leave the count exactly at the limit, and all are refused", async () => {
    const file = await sendFile();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => download(file.id, file.key, `concurrent${n}@example.com`)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.every((s) => s === 403 || s === 429), statuses.join()).toBe(true);
    // 20 guesses over a limit of 10: at least the ones past it were locked out.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20 - (EMAIL_FILE_CONFIRM_LIMIT - 1));
    await Promise.all(answers.map((res) => res.body?.cancel()));
    expect(await failures(file.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT);
    await expectLocked(await download(file.id, file.key, RIGHT));
  });

  it("a right address before the limit downloads and does not reset the count; other files are unaffected", async () => {
    const locked = await sendFile();
    const open = await sendFile();
    for (let n = 1; n < EMAIL_FILE_CONFIRM_LIMIT - 1; n++) expect((await download(open.id, open.key, `typo${n}@example.com`)).status).toBe(403);
    expect(await failures(open.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT - 2);

    const got = await download(open.id, open.key, ` ${RIGHT.toUpperCase()} `);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PDF);
    expect(await failures(open.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT - 2);

    // Locking another file changes nothing here.
    for (let n = 0; n < EMAIL_FILE_CONFIRM_LIMIT; n++) await (await download(locked.id, locked.key, `x${n}@example.com`)).text();
    expect(await failures(locked.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT);
    expect(await failures(open.id)).toBe(EMAIL_FILE_CONFIRM_LIMIT - 2);
    expect((await download(open.id, open.key, RIGHT)).status).toBe(200);
    expect((await page(open.id, open.key)).status).toBe(200);

    // The count is on the file: one more wrong one is still answered as wrong, the next locks it.
    expect((await download(open.id, open.key, "typo-last@example.com")).status).toBe(403);
    await expectLocked(await download(open.id, open.key, "one-too-many@example.com"));
    await expectLocked(await download(open.id, open.key, RIGHT));
  });

  it("does not count anything for a file sent without confirmation, nor lock it", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: {
        recipients: { to: [RIGHT] },
        content: { subject: "Your letter", body: "Download your letter: {{doc}}" },
        params: { doc: { file: toBase64(PDF), filename: "open.pdf", confirm_email_before_download: false } },
      },
    });
    expect(res.status).toBe(201);
    const { notifyId } = await json(res);
    await waitForNotification(tenant, notifyId, (n) => n.status === "delivered");
    const [, id, key] = LINK.exec(mocks.captured.ses.at(-1)!.mime.text ?? "")!;
    for (let n = 0; n <= EMAIL_FILE_CONFIRM_LIMIT; n++) {
      const got = await download(id!, key!, `anyone${n}@example.com`);
      expect(got.status).toBe(200);
      await got.arrayBuffer();
    }
    expect(await failures(id!)).toBe(0);
  });
});
