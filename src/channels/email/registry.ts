import type { Env } from "../../env";
import { type ProviderDefinition, providerRegistry } from "../provider-registry";
import type { EmailProvider } from "../types";
import { CloudflareEmailProvider } from "./cloudflare";
import { MailgunEmailProvider } from "./mailgun";
import { PostmarkEmailProvider } from "./postmark";
import { ResendEmailProvider } from "./resend";
import { SendGridEmailProvider } from "./sendgrid";
import { SesEmailProvider } from "./ses";

// Every adapter reports a provider's acceptance as `delivered`. Where the deployment wires the
// provider's delivery receipts (RECEIPT_PROVIDERS), services/delivery/call-provider.ts turns that
// into `sending` and the receipt settles it (services/receipts/); elsewhere acceptance is the last
// word the service gets about an email.

export const EMAIL_PROVIDERS = ["ses", "sendgrid", "mailgun", "postmark", "resend", "cloudflare"] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

const DEFINITIONS: Record<EmailProviderName, ProviderDefinition<EmailProvider>> = {
  ses: {
    required: ["SES_ACCESS_KEY_ID", "SES_SECRET_ACCESS_KEY", "SES_REGION"],
    create: (env) =>
      new SesEmailProvider({
        accessKeyId: env.SES_ACCESS_KEY_ID!,
        secretAccessKey: env.SES_SECRET_ACCESS_KEY!,
        region: env.SES_REGION!,
        endpoint: env.SES_ENDPOINT || undefined,
        configurationSet: env.SES_CONFIGURATION_SET || undefined,
      }),
  },
  sendgrid: {
    required: ["SENDGRID_API_KEY"],
    create: (env) => new SendGridEmailProvider({ apiKey: env.SENDGRID_API_KEY!, baseUrl: env.SENDGRID_API_URL || undefined }),
  },
  mailgun: {
    required: ["MAILGUN_API_KEY", "MAILGUN_DOMAIN"],
    create: (env) =>
      new MailgunEmailProvider({ apiKey: env.MAILGUN_API_KEY!, domain: env.MAILGUN_DOMAIN!, baseUrl: env.MAILGUN_API_URL || undefined }),
  },
  postmark: {
    required: ["POSTMARK_SERVER_TOKEN"],
    create: (env) =>
      new PostmarkEmailProvider({
        serverToken: env.POSTMARK_SERVER_TOKEN!,
        messageStream: env.POSTMARK_MESSAGE_STREAM || undefined,
        baseUrl: env.POSTMARK_API_URL || undefined,
      }),
  },
  resend: {
    required: ["RESEND_API_KEY"],
    create: (env) => new ResendEmailProvider({ apiKey: env.RESEND_API_KEY!, baseUrl: env.RESEND_API_URL || undefined }),
  },
  cloudflare: {
    required: ["SEND_EMAIL"],
    create: (env) => new CloudflareEmailProvider(env.SEND_EMAIL!),
  },
};

const registry = providerRegistry("email", EMAIL_PROVIDERS, DEFINITIONS);

/**
 * Email providers usable on this deployment: those whose required settings are all present.
 *
 * @example
 * ```ts
 * configuredEmailProviders({ ...env, POSTMARK_SERVER_TOKEN: "…" }) // ["postmark"]
 * ```
 */
export const configuredEmailProviders: (env: Env) => EmailProviderName[] = registry.configured;

/**
 * The adapter for `name`, configured from Env; a `configuration` ProviderError when it cannot be.
 *
 * @example
 * ```ts
 * createEmailProvider("mailgun", env) // ProviderError: Email provider mailgun is not configured: set MAILGUN_API_KEY, MAILGUN_DOMAIN
 * ```
 */
export const createEmailProvider: (name: EmailProviderName, env: Env) => EmailProvider = registry.create;
