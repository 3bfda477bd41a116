import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../env";
import { type EmailMessage, ProviderError } from "../types";
import { configuredEmailProviders, createEmailProvider, EMAIL_PROVIDERS, type EmailProviderName } from "./registry";

/** Only what the registry reads; the other bindings are irrelevant here. */
const envWith = (vars: Partial<Env>): Env => ({ DEFAULT_REGION: "CA", ...vars }) as Env;

const sent: unknown[] = [];
const binding = { send: async (m: unknown) => (sent.push(m), { messageId: "cf-1" }) } as SendEmail;

const SETTINGS = {
  ses: { SES_ACCESS_KEY_ID: "AKIDTEST", SES_SECRET_ACCESS_KEY: "secret", SES_REGION: "eu-west-1" },
  sendgrid: { SENDGRID_API_KEY: "SG.key" },
  mailgun: { MAILGUN_API_KEY: "key-1", MAILGUN_DOMAIN: "mg.notify.example" },
  postmark: { POSTMARK_SERVER_TOKEN: "pm-token" },
  resend: { RESEND_API_KEY: "re_key" },
  cloudflare: { SEND_EMAIL: binding },
} satisfies Record<EmailProviderName, Partial<Env>>;
const ALL = Object.assign({}, ...Object.values(SETTINGS)) as Partial<Env>;

const message: EmailMessage = {
  deliveryId: "dlv_reg_1",
  from: { email: "noreply@notify.example" },
  replyTo: [],
  to: ["ada@example.com"],
  cc: [],
  bcc: [],
  subject: "Hello",
  text: "Hi",
  attachments: [],
};

/** Where each call landed, with what identifies the configuration used. */
let calls: { url: string; detail?: unknown }[] = [];
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  calls = [];
  sent.length = 0;
});
afterAll(() => server.close());

describe("email provider registry", () => {
  it("lists the providers", () => {
    expect(EMAIL_PROVIDERS).toEqual(["ses", "sendgrid", "mailgun", "postmark", "resend", "cloudflare"]);
  });

  it("reports a provider as configured only when every required setting is present", () => {
    expect(configuredEmailProviders(envWith({}))).toEqual([]);
    for (const name of EMAIL_PROVIDERS) expect(configuredEmailProviders(envWith(SETTINGS[name]))).toEqual([name]);
    expect(configuredEmailProviders(envWith(ALL))).toEqual([...EMAIL_PROVIDERS]);
    // Half a configuration, or an empty secret, is none.
    expect(configuredEmailProviders(envWith({ SES_ACCESS_KEY_ID: "AKIDTEST", SES_SECRET_ACCESS_KEY: "secret" }))).toEqual([]);
    expect(configuredEmailProviders(envWith({ MAILGUN_API_KEY: "key-1" }))).toEqual([]);
    expect(configuredEmailProviders(envWith({ ...SETTINGS.sendgrid, SENDGRID_API_KEY: "" }))).toEqual([]);
  });

  it("creates every configured adapter", () => {
    for (const name of EMAIL_PROVIDERS) expect(createEmailProvider(name, envWith(ALL)).name).toBe(name);
  });

  it("throws a configuration ProviderError naming the missing variables", () => {
    const attempt = () => createEmailProvider("mailgun", envWith({ MAILGUN_API_KEY: "key-1" }));
    expect(attempt).toThrow(ProviderError);
    expect(attempt).toThrow(expect.objectContaining({ kind: "configuration", provider: "mailgun", message: "Email provider mailgun is not configured: set MAILGUN_DOMAIN" }));
    expect(() => createEmailProvider("ses", envWith({ SES_REGION: "eu-west-1" }))).toThrow(/set SES_ACCESS_KEY_ID, SES_SECRET_ACCESS_KEY$/);
    expect(() => createEmailProvider("cloudflare", envWith(SETTINGS.sendgrid))).toThrow(/set SEND_EMAIL$/);
  });

  it("throws a configuration ProviderError for an unknown provider name", () => {
    expect(() => createEmailProvider("carrier-pigeon" as EmailProviderName, envWith(ALL))).toThrow(
      expect.objectContaining({ kind: "configuration", provider: "carrier-pigeon" }),
    );
  });

  it("defaults to each provider's public endpoint (and Postmark's outbound stream)", async () => {
    server.use(
      http.post("https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails", async ({ request }) => {
        calls.push({ url: request.url, detail: request.headers.get("authorization")?.split(", ")[0] });
        return HttpResponse.json({ MessageId: "ses-1" });
      }),
      http.post("https://api.sendgrid.com/v3/mail/send", ({ request }) => {
        calls.push({ url: request.url });
        return new HttpResponse(null, { status: 202, headers: { "x-message-id": "sg-1" } });
      }),
      http.post("https://api.mailgun.net/v3/mg.notify.example/messages", ({ request }) => {
        calls.push({ url: request.url });
        return HttpResponse.json({ id: "<mg-1>", message: "Queued. Thank you." });
      }),
      http.post("https://api.postmarkapp.com/email", async ({ request }) => {
        calls.push({ url: request.url, detail: ((await request.json()) as { MessageStream: string }).MessageStream });
        return HttpResponse.json({ MessageID: "pm-1", ErrorCode: 0, Message: "OK" });
      }),
      http.post("https://api.resend.com/emails", ({ request }) => {
        calls.push({ url: request.url });
        return HttpResponse.json({ id: "rs-1" });
      }),
    );
    const ids = [];
    for (const name of EMAIL_PROVIDERS) ids.push((await createEmailProvider(name, envWith({ ...ALL, SENDGRID_API_URL: "" })).send(message)).providerMessageId);

    expect(ids).toEqual(["ses-1", "sg-1", "<mg-1>", "pm-1", "rs-1", "cf-1"]);
    expect(calls).toEqual([
      { url: "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails", detail: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/ses\/aws4_request$/) },
      { url: "https://api.sendgrid.com/v3/mail/send" },
      { url: "https://api.mailgun.net/v3/mg.notify.example/messages" },
      { url: "https://api.postmarkapp.com/email", detail: "outbound" },
      { url: "https://api.resend.com/emails" },
    ]);
    expect(sent).toHaveLength(1);
  });

  it("applies the override variables: endpoints, SES configuration set, Postmark stream", async () => {
    const sink = "http://127.0.0.1:8787/dev/sink";
    server.use(
      http.post(`${sink}/ses/v2/email/outbound-emails`, async ({ request }) => {
        calls.push({ url: request.url, detail: ((await request.json()) as { ConfigurationSetName?: string }).ConfigurationSetName });
        return HttpResponse.json({ MessageId: "ses-local" });
      }),
      http.post(`${sink}/sendgrid/v3/mail/send`, ({ request }) => {
        calls.push({ url: request.url });
        return new HttpResponse(null, { status: 202, headers: { "x-message-id": "sg-local" } });
      }),
      http.post(`${sink}/mailgun/v3/mg.notify.example/messages`, ({ request }) => {
        calls.push({ url: request.url });
        return HttpResponse.json({ id: "<mg-local>" });
      }),
      http.post(`${sink}/postmark/email`, async ({ request }) => {
        calls.push({ url: request.url, detail: ((await request.json()) as { MessageStream: string }).MessageStream });
        return HttpResponse.json({ MessageID: "pm-local", ErrorCode: 0, Message: "OK" });
      }),
      http.post(`${sink}/resend/emails`, ({ request }) => {
        calls.push({ url: request.url });
        return HttpResponse.json({ id: "rs-local" });
      }),
    );
    const env = envWith({
      ...ALL,
      SES_ENDPOINT: `${sink}/ses`,
      SES_CONFIGURATION_SET: "notify-events",
      SENDGRID_API_URL: `${sink}/sendgrid`,
      MAILGUN_API_URL: `${sink}/mailgun`,
      POSTMARK_API_URL: `${sink}/postmark`,
      POSTMARK_MESSAGE_STREAM: "notifications",
      RESEND_API_URL: `${sink}/resend`,
    });
    for (const name of EMAIL_PROVIDERS.filter((n) => n !== "cloudflare")) await createEmailProvider(name, env).send(message);

    expect(calls).toEqual([
      { url: `${sink}/ses/v2/email/outbound-emails`, detail: "notify-events" },
      { url: `${sink}/sendgrid/v3/mail/send` },
      { url: `${sink}/mailgun/v3/mg.notify.example/messages` },
      { url: `${sink}/postmark/email`, detail: "notifications" },
      { url: `${sink}/resend/emails` },
    ]);
  });
});
