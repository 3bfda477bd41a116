import { httpFailure, kindForStatus, providerFetch } from "../http-errors";
import type { ChatMessage, ProviderError, ProviderErrorKind } from "../types";

// Chat targets are incoming-webhook URLs whose path or query IS the credential (Slack and
// Rocket.Chat tokens, the Teams workflow `sig`). Nothing here lets one reach an error message.

/**
 * POSTs an already serialised JSON body, so a signature can cover the exact bytes sent.
 *
 * @example
 * ```ts
 * const res = await postJson("slack", target.url, JSON.stringify({ text: "Hi" }), signal);
 * ```
 */
export function postJson(provider: string, url: string, body: string, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  return providerFetch(provider, url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal,
  });
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
 * Removes the target URL and its token-like parts from text a receiver sent back (some echo the
 * request path), and caps its length.
 *
 * @example
 * ```ts
 * scrub("no route for /hooks/abc/sekrit-token-123", "https://chat.example/hooks/abc/sekrit-token-123") // "no route for …"
 * ```
 */
export function scrub(text: string, url: string): string {
  // Longest first, so the whole URL goes before its parts.
  const secrets = secretParts(url).sort((a, b) => b.length - a.length);
  const clean = secrets.reduce((acc, secret) => acc.split(secret).join("…"), text);
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
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
 * The ProviderError for a non-2xx answer from a chat target: the receiver's own words (scrubbed),
 * then the target's host, never its full URL.
 *
 * @example
 * ```ts
 * throw targetFailure("slack", res, target.url, { message: "no_service", code: "no_service" });
 * ```
 */
export function targetFailure(
  provider: string,
  res: Response,
  url: string,
  detail: { message?: string; code?: string; kind?: ProviderErrorKind },
): ProviderError {
  const said = detail.message ? scrub(detail.message, url) : res.statusText || `HTTP ${res.status}`;
  return httpFailure(provider, res, {
    message: `${said} (${redactUrl(url)})`,
    code: detail.code,
    kind: detail.kind ?? targetKind(res.status),
  });
}
