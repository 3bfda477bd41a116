import { importX509 } from "jose";
import { z } from "zod";
import { LruCache } from "../../lib/lru-cache";
import { DEFAULT_OUTBOUND_POLICY } from "../../lib/outbound/url-policy";
import { outboundFetch } from "../../lib/outbound/fetch";
import { fromBase64 } from "../../lib/crypto/encoding";

/*
 * Amazon SNS HTTP(S) deliveries: the message, its signature and the subscription handshake, per
 * "Verifying the signatures of Amazon SNS messages". SNS signs a canonical string of the message's
 * fields with the private key of a certificate it serves from https://sns.<region>.amazonaws.com/;
 * SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA.
 */

/** An SNS message body is at most 256 KiB plus its envelope. */
export const MAX_SNS_BODY_BYTES = 300_000;

/**
 * How old a message may be (its Timestamp) and still be taken: SNS's default HTTP/S delivery
 * policy retries for well under an hour, so a genuine older one is a replay. A deployment whose
 * subscription has a longer custom retry policy loses its late retries, not its security.
 */
export const SNS_MAX_AGE_MS = 3_600_000;
/** Clock skew tolerated the other way. */
const SNS_MAX_FUTURE_MS = 300_000;

const text = (max: number) => z.string().max(max);
const SnsMessageSchema = z.object({
  Type: z.enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  MessageId: text(128),
  TopicArn: text(256),
  Message: text(MAX_SNS_BODY_BYTES),
  Timestamp: text(64),
  SignatureVersion: text(8),
  Signature: text(1024),
  SigningCertURL: text(1024),
  Subject: text(256).optional(),
  Token: text(1024).optional(),
  SubscribeURL: text(2048).optional(),
  UnsubscribeURL: text(2048).optional(),
});
export type SnsMessage = z.infer<typeof SnsMessageSchema>;

/**
 * The SNS message a request body holds, or null when it is not one.
 *
 * @example
 * ```ts
 * parseSnsMessage('{"Type":"Notification",…}') // { Type: "Notification", MessageId: "…", … }
 * parseSnsMessage("hello")                     // null
 * ```
 */
export function parseSnsMessage(body: string): SnsMessage | null {
  try {
    const parsed = SnsMessageSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The string SNS signs: name and value of each signed field on lines of their own, in this order,
 * Subject only when present (Notification), SubscribeURL and Token for the subscription messages.
 *
 * @example
 * ```ts
 * snsCanonicalString({ Type: "Notification", Message: "hi", MessageId: "1", Timestamp: "t", TopicArn: "arn" , … })
 * // "Message\nhi\nMessageId\n1\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n"
 * ```
 */
export function snsCanonicalString(m: SnsMessage): string {
  const fields: [string, string | undefined][] =
    m.Type === "Notification"
      ? [["Message", m.Message], ["MessageId", m.MessageId], ["Subject", m.Subject], ["Timestamp", m.Timestamp], ["TopicArn", m.TopicArn], ["Type", m.Type]]
      : [["Message", m.Message], ["MessageId", m.MessageId], ["SubscribeURL", m.SubscribeURL], ["Timestamp", m.Timestamp], ["Token", m.Token], ["TopicArn", m.TopicArn], ["Type", m.Type]];
  return fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([name, value]) => `${name}\n${value}\n`)
    .join("");
}

const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com$/;

/**
 * Whether a URL is one of SNS's own (https, sns.<region>.amazonaws.com, default port, no
 * credentials): the only place a signing certificate or a subscription confirmation may come from.
 *
 * @example
 * ```ts
 * isSnsUrl("https://sns.ca-central-1.amazonaws.com/SimpleNotificationService-abc.pem") // true
 * isSnsUrl("https://sns.ca-central-1.amazonaws.com.evil.test/x.pem")                    // false
 * ```
 */
export function isSnsUrl(input: string): boolean {
  if (!URL.canParse(input)) return false;
  const url = new URL(input);
  return url.protocol === "https:" && url.port === "" && url.username === "" && url.password === "" && SNS_HOST.test(url.hostname);
}

/** The SPKI of the key that signs with a certificate URL; null when that URL is not to be trusted. */
export type SigningKeySource = (certUrl: string) => Promise<ArrayBuffer | null>;

/** Public keys of SNS certificates by URL, per isolate: SNS rotates them rarely, and every notification names one. */
const certificates = new LruCache<string, Promise<ArrayBuffer>>(16);

/**
 * The public key of an SNS signing certificate: only from an SNS URL (isSnsUrl), fetched through
 * the outbound-URL policy (no redirects, bounded time and size), remembered per isolate.
 */
export const snsCertificateKey: SigningKeySource = async (certUrl) => {
  if (!isSnsUrl(certUrl) || !new URL(certUrl).pathname.endsWith(".pem")) return null;
  let key = certificates.get(certUrl);
  if (!key) {
    key = (async () => {
      const res = await outboundFetch(certUrl, { method: "GET" }, { ...DEFAULT_OUTBOUND_POLICY, timeoutMs: 5_000, maxResponseBytes: 16_384 });
      if (!res.ok || res.truncated) throw new Error(`the signing certificate could not be fetched (HTTP ${res.status})`);
      const cert = await importX509(res.text, "RS256", { extractable: true });
      return crypto.subtle.exportKey("spki", cert) as Promise<ArrayBuffer>;
    })();
    certificates.set(certUrl, key);
    // A failed fetch is not remembered: the next notification tries again.
    key.catch(() => certificates.delete(certUrl));
  }
  return key;
};

export type SnsVerification = { ok: true } | { ok: false; status: 401 | 403 | 503; reason: string };

/**
 * Verifies an SNS message: from a topic this deployment expects, fresh (SNS_MAX_AGE_MS), signed
 * (version 1 or 2) by the certificate its SigningCertURL names, that URL being one `keyFor`
 * trusts (production: snsCertificateKey, SNS's own hosts only). Refusals say why, never with
 * anything secret; a certificate that cannot be fetched is 503, so SNS retries.
 *
 * @example
 * ```ts
 * await verifySnsMessage(message, { topics: ["arn:aws:sns:ca-central-1:123456789012:ses"], now: new Date(), keyFor: snsCertificateKey })
 * // { ok: true } or { ok: false, status: 403, reason: "TopicArn … is not one this deployment expects" }
 * ```
 */
export async function verifySnsMessage(m: SnsMessage, options: { topics: readonly string[]; now: Date; keyFor: SigningKeySource }): Promise<SnsVerification> {
  if (!m.Signature || !m.SigningCertURL) return { ok: false, status: 401, reason: "The message is not signed" };
  if (!options.topics.includes(m.TopicArn)) return { ok: false, status: 403, reason: `TopicArn ${m.TopicArn.slice(0, 256)} is not one this deployment expects (SES_SNS_TOPIC_ARNS)` };
  const hash = m.SignatureVersion === "1" ? "SHA-1" : m.SignatureVersion === "2" ? "SHA-256" : null;
  if (!hash) return { ok: false, status: 403, reason: `SignatureVersion ${m.SignatureVersion.slice(0, 8)} is not 1 or 2` };
  const at = Date.parse(m.Timestamp);
  if (!Number.isFinite(at)) return { ok: false, status: 403, reason: "Timestamp is not a date" };
  if (options.now.getTime() - at > SNS_MAX_AGE_MS) return { ok: false, status: 403, reason: `The message is older than ${SNS_MAX_AGE_MS / 60_000} minutes` };
  if (at - options.now.getTime() > SNS_MAX_FUTURE_MS) return { ok: false, status: 403, reason: "The message is dated in the future" };
  let spki: ArrayBuffer | null;
  try {
    spki = await options.keyFor(m.SigningCertURL);
  } catch {
    return { ok: false, status: 503, reason: "The SNS signing certificate could not be fetched; retry later" };
  }
  if (!spki) return { ok: false, status: 403, reason: "SigningCertURL is not an https://sns.<region>.amazonaws.com/ certificate" };
  const signature = fromBase64(m.Signature);
  if (!signature) return { ok: false, status: 403, reason: "Signature is not base64" };
  const key = await crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]);
  const valid = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, new TextEncoder().encode(snsCanonicalString(m)));
  return valid ? { ok: true } : { ok: false, status: 403, reason: "The signature does not match the message" };
}
