import type { TenantGate } from "./durable-objects/tenant-gate";
import type * as MainModule from "./index";

/**
 * Bindings, variables and secrets of the Worker (see wrangler.toml and README "Configuration").
 * Secrets are optional in the type because a missing one must produce a clear configuration
 * error at the point of use rather than an undefined dereference.
 */
export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  ASSETS?: Fetcher;
  TENANT_GATE: DurableObjectNamespace<TenantGate>;
  DELIVER_QUEUE: Queue;
  FANOUT_QUEUE: Queue;
  EVENTS_QUEUE: Queue;

  /** ISO 3166 alpha-2 region used to read phone numbers written without a country code. */
  DEFAULT_REGION: string;
  /** Largest accepted request body, in bytes, for ordinary routes. */
  MAX_BODY_BYTES?: string;
  /** Largest accepted request body for send routes, which may carry base64 attachments. */
  MAX_SEND_BODY_BYTES?: string;

  /** Operator credential for /api/v1/tenants (secret). */
  ADMIN_TOKEN?: string;
  /** Key material that encrypts API key secrets at rest (secret, any high-entropy string). */
  API_KEY_ENCRYPTION_KEY?: string;

  // ── System defaults for delivery (the first layer of the cascade) ─────────────────────────
  /** Email provider used when a tenant does not choose one: ses | sendgrid | mailgun | postmark | resend | cloudflare. */
  EMAIL_PROVIDER?: string;
  /** Default sender, e.g. `Notify <noreply@example.gov>`; tenants override it. */
  EMAIL_FROM?: string;
  /** SMS provider used when a tenant does not choose one: twilio | vonage. */
  SMS_PROVIDER?: string;
  /** Default SMS sender (E.164 number or alphanumeric id); tenants override it. */
  SMS_FROM?: string;
  /** Milliseconds before a provider call is abandoned (and retried). */
  PROVIDER_TIMEOUT_MS?: string;
  /** "true" allows http:// chat webhook targets (local development only). */
  ALLOW_INSECURE_WEBHOOKS?: string;
  /** "true" mounts the local provider sink and dev inbox under /dev (npm start sets it; never in production). */
  DEV_SINK?: string;

  // Amazon SES v2 (SigV4 via aws4fetch)
  SES_ACCESS_KEY_ID?: string;
  SES_SECRET_ACCESS_KEY?: string;
  SES_REGION?: string;
  /** Base URL override, e.g. for a local sink; default https://email.{region}.amazonaws.com */
  SES_ENDPOINT?: string;
  SES_CONFIGURATION_SET?: string;
  // SendGrid
  SENDGRID_API_KEY?: string;
  SENDGRID_API_URL?: string;
  // Mailgun
  MAILGUN_API_KEY?: string;
  MAILGUN_DOMAIN?: string;
  /** https://api.mailgun.net (US) or https://api.eu.mailgun.net (EU) */
  MAILGUN_API_URL?: string;
  // Postmark
  POSTMARK_SERVER_TOKEN?: string;
  POSTMARK_MESSAGE_STREAM?: string;
  POSTMARK_API_URL?: string;
  // Resend
  RESEND_API_KEY?: string;
  RESEND_API_URL?: string;
  /** Cloudflare Email Routing `send_email` binding (optional; see README). */
  SEND_EMAIL?: SendEmail;
  // Twilio
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_MESSAGING_SERVICE_SID?: string;
  TWILIO_API_URL?: string;
  // Vonage
  VONAGE_API_KEY?: string;
  VONAGE_API_SECRET?: string;
  VONAGE_API_URL?: string;
}

type WorkerEnv = Env;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Cloudflare {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof MainModule;
      durableNamespaces: "TenantGate";
    }
  }
}
