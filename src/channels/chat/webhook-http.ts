import { OutboundError, type OutboundResponse, outboundFetch } from "../../lib/outbound/fetch";
import { remoteSummary } from "../../lib/outbound/summary";
import type { OutboundPolicy } from "../../lib/outbound/url-policy";
import { httpFailure, kindForStatus } from "../http-errors";
import { type ChatMessage, ProviderError, type ProviderErrorKind } from "../types";

// Chat targets are incoming-webhook URLs whose path or query IS the credential (Slack and
// Rocket.Chat tokens, the Teams workflow `sig`). Nothing here lets one reach an error message.
// They are also tenant-supplied, so they go through the outbound-URL policy (src/lib/outbound),
// and what a target answers is never stored beyond a known error code.

/** The ProviderError for a call that got no usable answer. */
function noAnswer(provider: string, url: string, err: OutboundError): ProviderError {
  switch (err.failure) {
    case "refused":
      // Checked when the target was saved; refused now means the policy or the URL changed since.
      return new ProviderError(provider, "permanent", `${provider}: the target URL is refused: ${err.message}`, { errorCode: "url_refused", cause: err });
    case "redirected":
      // Like a webhook that is gone (404): the tenant has to fix the target.
      return new ProviderError(provider, "configuration", `${provider}: ${err.message} (${redactUrl(url)})`, { httpStatus: err.status, cause: err });
    case "not_sent":
      return new ProviderError(provider, "retryable", `${provider}: no time left to send; not sent`, { cause: err });
    case "network":
      return new ProviderError(provider, "retryable", `${provider}: network error`, { cause: err });
    case "timeout":
      return new ProviderError(provider, "unknown", `${provider}: request timed out; the provider may have accepted it`, { cause: err });
  }
}

/**
 * POSTs an already serialised JSON body (so a signature can cover the exact bytes sent) through
 * the outbound-URL policy, and answers with at most the policy's size of the target's answer.
 *
 * @example
 * ```ts
 * const res = await postJson("slack", target.url, JSON.stringify({ text: "Hi" }), policy, signal);
 * ```
 */
export async function postJson(
  provider: string,
  url: string,
  body: string,
  policy: OutboundPolicy,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): Promise<OutboundResponse> {
  try {
    return await outboundFetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal }, policy);
  } catch (err) {
    if (err instanceof OutboundError) throw noAnswer(provider, url, err);
    throw err;
  }
}

/**
 * The list a chat app takes from a card: the card itself when it is an array, or its `key` list
 * when it is an object (a message payload saved from the app's own builder).
 *
 * @example
 * ```ts
 * cardList({ blocks: [{ type: "divider" }] }, "blocks") // [{ type: "divider" }]
 * cardList({ text: "no blocks" }, "blocks")             // undefined
 * ```
 */
export function cardList(card: ChatMessage["card"], key: string): unknown[] | undefined {
  if (Array.isArray(card)) return card;
  const list = card?.[key];
  return Array.isArray(list) ? list : undefined;
}

/**
 * The URL with its secret parts dropped: scheme and host only.
 *
 * @example
 * ```ts
 * redactUrl("https://hooks.slack.com/services/T0/B0/secret") // "https://hooks.slack.com/…"
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

/** Path segments and query values long enough to be tokens, plus the URL itself. */
function secretParts(url: string): string[] {
  try {
    const u = new URL(url);
    const parts = [...u.pathname.split("/"), ...u.searchParams.values()].filter((part) => part.length >= 8);
    return [u.href, url, `${u.pathname}${u.search}`, ...parts].filter((part) => part.length > 1);
  } catch {
    return [url];
  }
}

/**
 * Whether text a receiver sent back contains the target URL or one of its token-like parts (some
 * receivers echo the request path): such text is not kept, even when it looks like a code.
 *
 * @example
 * ```ts
 * echoesUrl("sekrit-token-123", "https://chat.example/hooks/abc/sekrit-token-123") // true
 * ```
 */
export function echoesUrl(text: string, url: string): boolean {
  return secretParts(url).some((part) => text.includes(part));
}

/**
 * Kind for a chat target's HTTP answer. Beyond the shared rules, 404 and 410 mean the webhook
 * itself is gone (deleted, disabled, archived): the tenant has to fix the target, so it is a
 * configuration problem rather than a refusal of this one message.
 */
function targetKind(status: number): ProviderErrorKind {
  return status === 404 || status === 410 ? "configuration" : kindForStatus(status);
}

/**
 * The ProviderError for a non-2xx answer from a chat target: the receiver's known error code when
 * it gave one (unless it echoes part of the URL), otherwise only the HTTP status; then
 * the target's host, never its full URL. Free text from the receiver is never kept.
 *
 * @example
 * ```ts
 * throw targetFailure("slack", res, target.url, { code: "no_service" });
 * // slack: no_service (https://hooks.slack.com/…)
 * ```
 */
export function targetFailure(
  provider: string,
  res: Pick<OutboundResponse, "status" | "headers">,
  url: string,
  detail: { code?: string; kind?: ProviderErrorKind },
): ProviderError {
  const code = detail.code !== undefined && !echoesUrl(detail.code, url) ? detail.code : undefined;
  return httpFailure(provider, res, {
    message: `${remoteSummary(res.status, code)} (${redactUrl(url)})`,
    code,
    kind: detail.kind ?? targetKind(res.status),
  });
}
