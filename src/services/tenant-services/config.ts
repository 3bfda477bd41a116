import type { ServiceKind } from "../../db/schema/tenant-services";
import type { RequestMapping } from "./mapping";

/** Where a subscription service's answer holds recipients: a path per channel (email: `to`, or per role). */
export interface SubscriptionResponseMapping {
  email?: string | { to?: string; cc?: string; bcc?: string };
  sms?: string;
}

/** What `tenant_services.config` holds (no secrets: the auth header value is sealed apart). */
export interface ServiceConfig {
  timeoutMs: number;
  authHeaderName?: string;
  requestMapping?: RequestMapping;
  /** Subscription services only. */
  responseMapping?: SubscriptionResponseMapping;
  /** Attachment services only: the file name used when neither the send nor the answer gives one. */
  filename?: string;
}

export const SERVICE_LIMITS = {
  /** Default and largest time a call may take, answer included. */
  defaultTimeoutMs: 5_000,
  minTimeoutMs: 100,
  maxTimeoutMs: 10_000,
  /** Largest answer read from a subscription service. */
  maxSubscriptionAnswerBytes: 1024 * 1024,
  /** Largest document read from an attachment service (the attachment rules' per-file limit). */
  maxDocumentBytes: 5 * 1024 * 1024,
  /** Services per tenant and kind. */
  maxPerKind: 100,
} as const;

/** The URL segment of each kind: /api/v1/service/subscriptions, /api/v1/service/attachments. */
export const KIND_SEGMENT: Record<ServiceKind, string> = { subscription: "subscriptions", attachment: "attachments" };

/** "subscription service \"applicants\"": how messages name a service. */
export function describeService(kind: ServiceKind, name: string): string {
  return `${kind} service "${name}"`;
}

/** AAD binding a sealed auth header to its row, so a ciphertext copied to another row fails to open. */
export function authHeaderContext(tenantId: string, serviceId: string): string {
  return `tenant-service/${tenantId}/${serviceId}`;
}
