import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects, both run by `npm test`:
// - workers: tests inside workerd with the real bindings from wrangler.toml (D1 with the real
//   migrations, R2, Durable Objects, Queues); only third-party provider APIs are mocked (msw).
// - e2e: Node tests against `npm start` itself (wrangler dev on a free port, fresh local state),
//   including a headless Chromium for the pages.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: "test-admin-token-0123456789",
                  API_KEY_ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef",
                  // System defaults for delivery; the provider APIs themselves are mocked with msw.
                  EMAIL_PROVIDER: "ses",
                  EMAIL_FROM: "Edge Notify <noreply@notify.test>",
                  SES_ACCESS_KEY_ID: "AKIDTESTKEY",
                  SES_SECRET_ACCESS_KEY: "test-ses-secret",
                  SES_REGION: "ca-central-1",
                  SMS_PROVIDER: "twilio",
                  SMS_FROM: "+15005550006",
                  TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000001",
                  TWILIO_AUTH_TOKEN: "test-twilio-token",
                  SENDGRID_API_KEY: "SG.test-key",
                  // Second providers, for provider lists and failover.
                  POSTMARK_SERVER_TOKEN: "test-postmark-token",
                  RESEND_API_KEY: "re_test_key",
                  VONAGE_API_KEY: "test-vonage-key",
                  VONAGE_API_SECRET: "test-vonage-secret",
                  // Receipt webhook secrets (test/receipts/*): a test key pair's public half, whose
                  // private half signs the SendGrid test posts.
                  SENDGRID_WEBHOOK_PUBLIC_KEY: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOxQijPEWTtDnltKgP8ODTFkcBvy4Ln24Xictt/cTqUf9AyyCAgQRxAHs671O9J5bYKT3lpjT722BxuLTK4ioYg==",
                  MAILGUN_WEBHOOK_SIGNING_KEY: "test-mailgun-signing-key",
                  POSTMARK_WEBHOOK_USER: "postmark-hook",
                  POSTMARK_WEBHOOK_PASSWORD: "test-postmark-hook-password",
                  RESEND_WEBHOOK_SECRET: "whsec_dGVzdC1yZXNlbmQtd2ViaG9vay1zZWNyZXQ=",
                  VONAGE_SIGNATURE_SECRET: "test-vonage-signature-secret",
                  PROVIDER_TIMEOUT_MS: "2000",
                  // The deployment's one circuit object is shared by every test file, and many
                  // script provider failures on purpose: they must not open it for the others.
                  // Circuit tests give their own thresholds and their own object.
                  CIRCUIT_FAILURE_THRESHOLD: "1000000",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["src/**/*.test.ts", "test/**/*.test.ts"],
            // One runtime per vitest worker, reused by the files it runs (modules transformed and
            // imported once, migrations applied once), rather than a workerd started per file:
            // about eight times faster. Files therefore share the database, the Durable Objects
            // and the queues: tests make their own tenants and ids, the provider mocks mint ids
            // that never repeat, and each file lets its queue work finish before the next starts
            // (test/helpers/queues.ts). Two workers: most of a test's time is waiting on queues.
            isolate: false,
            maxWorkers: 2,
            setupFiles: ["./test/setup/apply-migrations.ts", "./test/setup/drain-queues.ts"],
          },
        },
        {
          test: {
            name: "e2e",
            include: ["e2e/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./e2e/global-setup.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
