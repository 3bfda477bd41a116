import type { Env } from "../../env";
import { type EmailProvider, ProviderError } from "../types";
import { CloudflareEmailProvider } from "./cloudflare";
import { MailgunEmailProvider } from "./mailgun";
import { PostmarkEmailProvider } from "./postmark";
import { ResendEmailProvider } from "./resend";
import { SendGridEmailProvider } from "./sendgrid";
import { SesEmailProvider } from "./ses";

// Every adapter reports a provider's acceptance as `delivered`: no provider delivery receipts are
// wired yet, so acceptance is the last word the service gets.

export const EMAIL_PROVIDERS = ["ses", "sendgrid", "mailgun", "postmark", "resend", "cloudflare"] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

/** The settings each provider cannot work without (a binding for Cloudflare). */
const REQUIRED: Record<EmailProviderName, (keyof Env)[]> = {
  ses: ["SES_ACCESS_KEY_ID", "SES_SECRET_ACCESS_KEY", "SES_REGION"],
  sendgrid: ["SENDGRID_API_KEY"],
  mailgun: ["MAILGUN_API_KEY", "MAILGUN_DOMAIN"],
  postmark: ["POSTMARK_SERVER_TOKEN"],
  resend: ["RESEND_API_KEY"],
  cloudflare: ["SEND_EMAIL"],
};

function missing(name: EmailProviderName, env: Env): (keyof Env)[] {
  return REQUIRED[name].filter((key) => !env[key]);
}

/**
 * Providers usable on this deployment.
 *
 * @example
 * ```ts
 * configuredEmailProviders({ ...env, SENDGRID_API_KEY: "SG.x" }) // [..., "sendgrid", ...]
 * ```
 */
export function configuredEmailProviders(env: Env): EmailProviderName[] {
  return EMAIL_PROVIDERS.filter((name) => missing(name, env).length === 0);
}

export function createEmailProvider(name: EmailProviderName, env: Env): EmailProvider {
  const absent = EMAIL_PROVIDERS.includes(name) ? missing(name, env) : [];
  if (!EMAIL_PROVIDERS.includes(name) || absent.length > 0) {
    throw new ProviderError(name, "configuration", `Email provider ${name} is not configured${absent.length ? `: set ${absent.join(", ")}` : ""}`);
  }
  switch (name) {
    case "ses":
      return new SesEmailProvider({
        accessKeyId: env.SES_ACCESS_KEY_ID!,
        secretAccessKey: env.SES_SECRET_ACCESS_KEY!,
        region: env.SES_REGION!,
        endpoint: env.SES_ENDPOINT,
        configurationSet: env.SES_CONFIGURATION_SET,
      });
    case "sendgrid":
      return new SendGridEmailProvider({ apiKey: env.SENDGRID_API_KEY!, baseUrl: env.SENDGRID_API_URL });
    case "mailgun":
      return new MailgunEmailProvider({ apiKey: env.MAILGUN_API_KEY!, domain: env.MAILGUN_DOMAIN!, baseUrl: env.MAILGUN_API_URL });
    case "postmark":
      return new PostmarkEmailProvider({ serverToken: env.POSTMARK_SERVER_TOKEN!, messageStream: env.POSTMARK_MESSAGE_STREAM, baseUrl: env.POSTMARK_API_URL });
    case "resend":
      return new ResendEmailProvider({ apiKey: env.RESEND_API_KEY!, baseUrl: env.RESEND_API_URL });
    case "cloudflare":
      return new CloudflareEmailProvider(env.SEND_EMAIL!);
  }
}
