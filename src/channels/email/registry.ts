import type { Env } from "../../env";
import { type EmailProvider, ProviderError } from "../types";
import { CloudflareEmailProvider } from "./cloudflare";
import { MailgunEmailProvider } from "./mailgun";
import { PostmarkEmailProvider } from "./postmark";
import { ResendEmailProvider } from "./resend";
import { SendGridEmailProvider } from "./sendgrid";
import { SesEmailProvider } from "./ses";

// Every adapter reports a provider's acceptance as `delivered`: no delivery receipts (webhooks)
// are wired yet, so acceptance is the last word the service gets about an email.

export const EMAIL_PROVIDERS = ["ses", "sendgrid", "mailgun", "postmark", "resend", "cloudflare"] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

interface Definition {
  /** The settings (a binding for Cloudflare) the provider cannot work without. */
  required: (keyof Env)[];
  /**
   * Maps Env to the adapter's config; only called once every required setting is present. An
   * empty optional setting means the adapter's default (its documented public endpoint).
   */
  create(env: Env): EmailProvider;
}

const DEFINITIONS: Record<EmailProviderName, Definition> = {
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

function isEmailProviderName(name: string): name is EmailProviderName {
  return (EMAIL_PROVIDERS as readonly string[]).includes(name);
}

function missing(name: EmailProviderName, env: Env): (keyof Env)[] {
  return DEFINITIONS[name].required.filter((key) => !env[key]);
}

/**
 * Email providers usable on this deployment: those whose required settings are all present.
 *
 * @example
 * ```ts
 * configuredEmailProviders({ ...env, POSTMARK_SERVER_TOKEN: "…" }) // ["postmark"]
 * ```
 */
export function configuredEmailProviders(env: Env): EmailProviderName[] {
  return EMAIL_PROVIDERS.filter((name) => missing(name, env).length === 0);
}

/**
 * The adapter for `name`, configured from Env. Throws a `configuration` ProviderError naming the
 * missing settings (or the unknown provider), so a delivery fails as misconfigured rather than
 * reaching the provider with half a configuration.
 *
 * @example
 * ```ts
 * createEmailProvider("mailgun", env) // ProviderError: Email provider mailgun is not configured: set MAILGUN_API_KEY, MAILGUN_DOMAIN
 * ```
 */
export function createEmailProvider(name: EmailProviderName, env: Env): EmailProvider {
  // Names come from stored deliveries and tenant settings, so an unknown one is possible at runtime.
  if (!isEmailProviderName(name)) throw new ProviderError(name, "configuration", `Unknown email provider ${name} (known: ${EMAIL_PROVIDERS.join(", ")})`);
  const absent = missing(name, env);
  if (absent.length > 0) throw new ProviderError(name, "configuration", `Email provider ${name} is not configured: set ${absent.join(", ")}`);
  return DEFINITIONS[name].create(env);
}
