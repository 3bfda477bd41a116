import type { EmailMessage } from "../types";

/** RFC 5322 field name: printable ASCII except the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;
/** A single-line value: no CR, LF or other control character. */
const FIELD_VALUE = /^[^\x00-\x1f\x7f]*$/;
/** Fields an adapter sets itself from the message; a custom header may not replace them. */
const RESERVED = new Set(["from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "date", "mime-version", "content-type", "content-transfer-encoding", "x-notify-delivery-id"]);

/**
 * A message's extra header fields as adapters may write them: valid single-line fields that do
 * not replace an addressing or structural one. Everything reaching here was made by the service
 * (unsubscribe headers); the checks keep it so if tenant-supplied headers ever arrive.
 *
 * @example
 * ```ts
 * safeHeaders({ ...message, headers: { "List-Unsubscribe": "<https://…/u/t>", Bcc: "x@y.z" } })
 * // [["List-Unsubscribe", "<https://…/u/t>"]]
 * ```
 */
export function safeHeaders(message: Pick<EmailMessage, "headers">): [string, string][] {
  return Object.entries(message.headers ?? {}).filter(
    ([name, value]) => FIELD_NAME.test(name) && !RESERVED.has(name.toLowerCase()) && typeof value === "string" && FIELD_VALUE.test(value) && value.length <= 900,
  );
}

/** The same as an object, after the delivery id header: the form JSON providers take. */
export function headerObject(message: Pick<EmailMessage, "deliveryId" | "headers">): Record<string, string> {
  return { "X-Notify-Delivery-Id": message.deliveryId, ...Object.fromEntries(safeHeaders(message)) };
}
