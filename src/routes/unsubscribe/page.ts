import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Pages served to people, not programs: no scripts, nothing loaded, never cached or indexed. */
export const PAGE_HEADERS: Record<string, string> = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Robots-Tag": "noindex, nofollow",
  "X-Content-Type-Options": "nosniff",
};

/**
 * `a•••@example.com`: enough for the reader to recognise their address, not enough to harvest it
 * from a forwarded link.
 */
export function maskRecipient(recipient: string): string {
  const at = recipient.lastIndexOf("@");
  if (at > 0) return `${recipient[0]}•••${recipient.slice(at)}`;
  return recipient.length > 4 ? `•••${recipient.slice(-4)}` : "•••";
}

function layout(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** GET /u/{token}: asks; only the button (a POST) unsubscribes, so a mail scanner fetching the link changes nothing. */
export function confirmPage(input: { tenantName: string; recipient: string; action: string }) {
  return layout(
    "Unsubscribe",
    html`<h1>Unsubscribe?</h1>
<p>Stop emails from <strong>${input.tenantName}</strong> to <strong>${maskRecipient(input.recipient)}</strong>.</p>
<form method="post" action="${input.action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function donePage(input: { tenantName: string; recipient: string }) {
  return layout(
    "Unsubscribed",
    html`<h1>You are unsubscribed</h1>
<p><strong>${maskRecipient(input.recipient)}</strong> will no longer receive emails from <strong>${input.tenantName}</strong> through this service.</p>`,
  );
}

export function refusedPage(input: { title: string; message: string }) {
  return layout(input.title, html`<h1>${input.title}</h1>
<p>${input.message}</p>`);
}
