import { providerFetch } from "../http-errors";

/**
 * POSTs JSON to a webhook. Webhook URLs carry their secret in the path, so errors name only the
 * host.
 */
export function postJson(provider: string, url: string, body: unknown, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  return providerFetch(provider, url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

/** `https://hooks.slack.com/…` for a URL whose path is a secret. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}
