import { Webhook } from "standardwebhooks";
import { timingSafeEqualString } from "../../lib/crypto/hash";
import type { Receipt } from "./apply";
import { detailOf, emailRecipient, eventTime, MalformedReceipts, objectOf, textOf } from "./normalise";
import { checkFreshness, misconfigured, missing, refused, type SignedRequest, type Verification, VERIFIED } from "./verification";

const UTF8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Resend signs webhooks with Svix (the Standard Webhooks scheme): `svix-signature` holds one or
 * more `v1,<base64 HMAC-SHA256>` of `svix-id.svix-timestamp.body` under the endpoint's `whsec_`
 * secret. The signature is computed by `standardwebhooks`; the timestamp is checked against
 * `now` here rather than the library's clock, so the check is a function of its inputs.
 *
 * @example
 * ```ts
 * await verifyResend({ headers, body }, env.RESEND_WEBHOOK_SECRET, new Date()) // { ok: true }
 * ```
 */
export function verifyResend(request: SignedRequest, secret: string, now: Date): Verification {
  const id = request.headers.get("svix-id");
  const timestamp = request.headers.get("svix-timestamp");
  const signatures = request.headers.get("svix-signature");
  if (!id || !timestamp || !signatures) return missing("the svix-id, svix-timestamp and svix-signature header fields are required");
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch {
    return misconfigured("RESEND_WEBHOOK_SECRET is not a whsec_ signing secret");
  }
  const fresh = checkFreshness(timestamp, now);
  if (!fresh.ok) return fresh;
  const expected = webhook.sign(id, new Date(Number(timestamp) * 1000), UTF8.decode(request.body)).split(",")[1]!;
  // Several signatures while Resend rotates the secret: any current one will do.
  const matched = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value !== undefined)
    .map(([, value]) => timingSafeEqualString(value!, expected));
  return matched.includes(true) ? VERIFIED : refused("no v1 signature matches the id, timestamp and body");
}

/**
 * The receipts of one Resend webhook event, one per address in `data.to`:
 *
 * | type | status |
 * |---|---|
 * | email.sent | sending |
 * | email.delivery_delayed | sending |
 * | email.delivered | delivered |
 * | email.bounced | permanent-failure (bounce type `Transient`: temporary-failure) |
 * | email.failed | permanent-failure (Resend did not send it) |
 * | email.complained | delivered, complaint |
 *
 * Opens, clicks and non-email events are not receipts. The message is `data.email_id` (the id
 * Resend's send answered); the event id is `svix-id` with the address, since one event may name
 * several recipients.
 *
 * @example
 * ```ts
 * resendReceipts({ type: "email.delivered", created_at: "2024-11-22T23:41:12.126Z", data: { email_id: "5676…", to: ["ann@example.com"] } }, now, "msg_2Kx…")
 * // [{ provider: "resend", providerMessageId: "5676…", recipient: "ann@example.com", status: "delivered", eventId: "msg_2Kx…/ann@example.com", … }]
 * ```
 */
export function resendReceipts(payload: unknown, now: Date, svixId?: string): Receipt[] {
  const event = objectOf(payload);
  const type = textOf(event?.type);
  const data = objectOf(event?.data);
  if (!event || !type || !data) throw new MalformedReceipts("Resend posts {type, created_at, data}");
  const emailId = textOf(data.email_id);
  const mapped = statusOf(type, data);
  if (!emailId || !mapped) return [];
  const to = Array.isArray(data.to) ? data.to.filter((a): a is string => typeof a === "string") : typeof data.to === "string" ? [data.to] : [];
  const at = eventTime(event.created_at, now);
  const one = (recipient?: string): Receipt => ({
    provider: "resend",
    providerMessageId: emailId.trim(),
    ...(recipient !== undefined ? { recipient } : {}),
    at,
    ...mapped,
    ...(svixId ? { eventId: recipient !== undefined ? `${svixId}/${recipient}` : svixId } : {}),
  });
  return to.length > 0 ? to.map((address) => one(emailRecipient(address))) : [one()];
}

function statusOf(type: string, data: Record<string, unknown>): Pick<Receipt, "status" | "detail" | "providerCode" | "complaint"> | undefined {
  switch (type) {
    case "email.sent":
      return { status: "sending", detail: "Sent by Resend" };
    case "email.delivery_delayed":
      return { status: "sending", detail: "Delivery delayed, Resend retries" };
    case "email.delivered":
      return { status: "delivered", detail: "Accepted by the receiving server" };
    case "email.bounced": {
      const bounce = objectOf(data.bounce);
      const kind = textOf(bounce?.type);
      const subType = textOf(bounce?.subType);
      return {
        status: kind === "Transient" ? "temporary-failure" : "permanent-failure",
        detail: detailOf(bounce?.message) ?? "Bounced",
        ...(kind ? { providerCode: subType ? `${kind}/${subType}` : kind } : {}),
      };
    }
    case "email.failed":
      return { status: "permanent-failure", detail: `Not sent by Resend: ${detailOf(objectOf(data.failed)?.reason) ?? "no reason given"}` };
    case "email.complained":
      return { status: "delivered", detail: "The recipient reported the email as spam", complaint: true };
    default:
      return undefined;
  }
}
