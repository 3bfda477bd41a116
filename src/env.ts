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
