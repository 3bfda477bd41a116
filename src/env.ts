/**
 * The Worker's environment. Bindings and the variables wrangler.toml declares are generated into
 * worker-configuration.d.ts by `npm run types` (CI checks it is current); this file adds what
 * wrangler.toml does not declare: secrets and optional variables (README "Configuration"). They
 * are optional in the type because a missing one must produce a clear configuration error at the
 * point of use rather than an undefined dereference.
 */
export type Env = Cloudflare.Env;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Cloudflare {
    interface Env {
      /** Operator credential for /api/v1/tenants (secret). */
      ADMIN_TOKEN?: string;
      /**
       * Cloudflare Access in front of /admin (README "Admin UI"): the team (`myteam` or
       * `myteam.cloudflareaccess.com`) and the Access application's AUD tag. With both set, the
       * admin UI signs operators in by the verified `Cf-Access-Jwt-Assertion` and the admin-token
       * form is off.
       */
      ACCESS_TEAM_DOMAIN?: string;
      ACCESS_AUD?: string;
      /** Key material that encrypts API key secrets at rest (secret, any high-entropy string). */
      API_KEY_ENCRYPTION_KEY?: string;
      /**
       * Key material for one-click unsubscribe links (secret, ≥ 16 characters). Optional: without it
       * the links are keyed by a separate derivation of API_KEY_ENCRYPTION_KEY. Changing it makes
       * links already sent invalid.
       */
      UNSUBSCRIBE_TOKEN_KEY?: string;

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
      /**
       * Days received text messages are kept before the cron deletes them (README "Received text
       * messages"): a whole number from 1 to 36500, default 7 (GOV.UK Notify's). Any other value
       * keeps every text and logs a warning each run.
       */
      RECEIVED_TEXT_RETENTION_DAYS?: string;
      /** Milliseconds a status callback POST may take, answer included, before it counts as a timeout and is retried (default 15000). */
      CALLBACK_TIMEOUT_MS?: string;
      /**
       * Provider circuit breakers (README "Provider failover and delivery guarantees"): failed calls
       * within CIRCUIT_WINDOW_SECONDS (default 60) that open a provider's circuit (default 5, and
       * failures must outnumber answered calls), and seconds an open circuit waits before one probe
       * call (CIRCUIT_COOLDOWN_SECONDS, default 30).
       */
      CIRCUIT_FAILURE_THRESHOLD?: string;
      CIRCUIT_WINDOW_SECONDS?: string;
      CIRCUIT_COOLDOWN_SECONDS?: string;
      /**
       * "true" lets tenant-supplied URLs (chat webhooks) reach loopback receivers only (127.0.0.0/8,
       * ::1, localhost) over http or https, for the local sink and a receiver on your own machine
       * (npm start sets it; never in production). Every other refused range stays refused.
       */
      OUTBOUND_ALLOW_LOOPBACK?: string;
      /** https origin where this deployment is reachable, used for absolute URLs and to refuse the service calling itself. */
      PUBLIC_ORIGIN?: string;
      /** "true" mounts the local provider sink and dev inbox under /dev (npm start sets it; never in production). */
      DEV_SINK?: string;
      /**
       * Providers whose delivery receipts are wired (README "Delivery receipts"), comma-separated
       * adapter names, e.g. `twilio,ses`: their accepted messages stay `sending` until the receipt.
       * Unset: none, and a provider's acceptance is reported as `delivered`.
       */
      RECEIPT_PROVIDERS?: string;
      /** Amazon SES receipts: the SNS topic ARNs /hooks/ses accepts notifications from (comma-separated). */
      SES_SNS_TOPIC_ARNS?: string;
      /**
       * Appended to every queue name of wrangler.toml in this deployment (e.g. `-ca` when an
       * `[env.ca]` block names its queues `notify-deliver-ca`…); empty by default. The consumer
       * dispatches on the exact name, so a batch from any other queue is retried, not processed.
       */
      QUEUE_NAME_SUFFIX?: string;

      // ── Regions (README "Regions") ────────────────────────────────────────────────────────────
      /** This deployment's tenant region (ca | eu | us); unset: a single-region deployment. Not DEFAULT_REGION (phone numbers). */
      DATA_REGION?: string;
      /** Every region's base URL, `ca=https://ca.example,eu=https://eu.example`: GET /api/v1/regions and the 421's pointer. */
      REGION_BASE_URLS?: string;
      /** Durable Object jurisdiction of this deployment (eu | us | fedramp | none); required when DATA_REGION is set. */
      DO_JURISDICTION?: string;
      /** Durable Object location hint (e.g. enam), for a region without a jurisdiction; best effort. */
      DO_LOCATION_HINT?: string;
      /** `ignore`: local workerd only (it does not implement jurisdictions); honoured only with DEV_SINK=true, else a 503. */
      DO_JURISDICTION_DEV_OVERRIDE?: string;

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
      /** Event Webhook verification key (base64 DER P-256 public key from SendGrid's Mail Settings) for /hooks/sendgrid. */
      SENDGRID_WEBHOOK_PUBLIC_KEY?: string;
      // Mailgun
      MAILGUN_API_KEY?: string;
      MAILGUN_DOMAIN?: string;
      /** https://api.mailgun.net (US) or https://api.eu.mailgun.net (EU) */
      MAILGUN_API_URL?: string;
      /** HTTP webhook signing key (Mailgun's Webhooks page, secret) for /hooks/mailgun. */
      MAILGUN_WEBHOOK_SIGNING_KEY?: string;
      // Postmark
      POSTMARK_SERVER_TOKEN?: string;
      POSTMARK_MESSAGE_STREAM?: string;
      POSTMARK_API_URL?: string;
      /** HTTP Basic credentials put in the Postmark webhook URL (password secret) for /hooks/postmark. */
      POSTMARK_WEBHOOK_USER?: string;
      POSTMARK_WEBHOOK_PASSWORD?: string;
      // Resend
      RESEND_API_KEY?: string;
      RESEND_API_URL?: string;
      /** Signing secret of the Resend webhook (`whsec_…`, secret) for /hooks/resend. */
      RESEND_WEBHOOK_SECRET?: string;
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
      /** Signature secret of the Vonage account (secret): signs the Messages API status webhooks (JWT) for /hooks/vonage. */
      VONAGE_SIGNATURE_SECRET?: string;
    }
  }
}

