import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { EmailFileRow } from "../../db/schema";
import type { AppEnv } from "../../lib/app-env";
import { EMAIL_FILE_PATH } from "../../services/email-files/plan";
import { PAGE_HEADERS } from "../unsubscribe/page";

export const FileParamsSchema = z.object({
  fileId: z.string().max(64).openapi({ param: { name: "fileId", in: "path" }, description: "The file's id, from the link in the email" }),
});

export const FileQuerySchema = z.object({
  key: z.string().max(128).optional().openapi({ param: { name: "key", in: "query" }, description: "The link's secret, from the link in the email" }),
});

export const FILE_DESCRIPTION =
  "The link GOV.UK Notify-style \"send a file by email\" puts in an email (`params.<name> = {file, filename, confirm_email_before_download, retention_period}`). No credentials: the link's `key` is the authority, and without it the id opens nothing (404, as an unknown id). A file past its retention period is a 410. Pages are HTML for people; nothing is cached, indexed or referred.";

function layout(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}label{display:block;font-weight:600;margin:1rem 0 .3rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:2px solid #1b1b1b}button{font:inherit;margin-top:1rem;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}.error{color:#b91c1c;font-weight:600}</style>
</head>
<body>
${body}
</body>
</html>`;
}

const sizeText = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);
const dateText = (d: Date) => d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/**
 * The download page: what the file is and until when it is available, and a form POSTing to the
 * same link (mail scanners open links; only the form's POST hands the file over). With
 * confirmation on, the form asks for the recipient's email address, and `error` says the last
 * one given was not it.
 */
export function downloadPage(input: { file: EmailFileRow; tenantName: string; key: string; error?: boolean }) {
  const { file } = input;
  const action = `${EMAIL_FILE_PATH}/${file.id}?key=${encodeURIComponent(input.key)}`;
  const confirm = file.confirmEmailHash !== null;
  return layout(
    "Download your file",
    html`<h1>You have a file to download</h1>
<p><strong>${input.tenantName}</strong> sent you <strong>${file.filename ?? "a file"}</strong> (${sizeText(file.size)}). It is available until ${dateText(file.expiresAt)}.</p>
<form method="post" action="${action}">
${
  confirm
    ? html`<p>To protect the file, confirm the email address it was sent to.</p>
${input.error ? html`<p class="error" role="alert">This is not the email address the file was sent to. Check it and try again.</p>` : ""}
<label for="email">Email address</label>
<input type="email" id="email" name="email" autocomplete="email" spellcheck="false" maxlength="320" required>
<button type="submit">Continue</button>`
    : html`<button type="submit">Download the file</button>`
}
</form>`,
  );
}

/** The refusal pages: an unknown or altered link (404) and an expired file (410). */
export function unavailable(c: Context<AppEnv>, kind: "not_found" | "expired") {
  const [title, message, status] =
    kind === "expired"
      ? ["This file is no longer available", "Files can be downloaded for a limited time. Ask the sender for a new copy.", 410 as const]
      : ["This link is not valid", "The download link is incomplete or was changed. Open it again from the email.", 404 as const];
  return c.html(layout(title, html`<h1>${title}</h1>
<p>${message}</p>`), status, PAGE_HEADERS);
}

/**
 * The page of a file locked after too many wrong addresses (429): it takes no more, the right
 * address included, for the rest of its retention. It says nothing about the address.
 */
export function lockedPage(c: Context<AppEnv>, tenantName: string) {
  const title = "This file is locked";
  return c.html(
    layout(
      title,
      html`<h1>${title}</h1>
<p>The wrong email address was entered too many times, so this file can no longer be downloaded from this link.</p>
<p>Ask <strong>${tenantName}</strong> to send it to you again.</p>`,
    ),
    429,
    PAGE_HEADERS,
  );
}
