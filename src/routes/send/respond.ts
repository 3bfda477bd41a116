import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import type { SendContext } from "../../services/send/context";
import type { SendRequest } from "../../services/send/plan";
import { previewSend, RATE_LIMIT_HEADERS, sendNotification } from "../../services/send/send";
import { REPLAYED_HEADER } from "../../middleware/idempotency-key";

/** `?preview=true&explain=true` as the send routes take it. */
export interface PreviewFlags {
  preview?: "true" | "false";
  explain?: "true" | "false";
  previewRows?: number;
}

/** Shared tail of every send route: preview (200, nothing stored) or send (201 + Location). */
export async function previewOrSend(c: Context<AppEnv>, ctx: SendContext, request: SendRequest, flags: PreviewFlags, source = "simple") {
  if (flags.preview === "true") {
    const preview = await previewSend(ctx, request, { explain: flags.explain === "true", previewRows: flags.previewRows });
    for (const [name, value] of Object.entries(preview[RATE_LIMIT_HEADERS] ?? {})) c.header(name, value);
    return c.json(preview, 200);
  }
  const receipt = await sendNotification(ctx, request, source);
  c.header("Location", receipt.statusUrl);
  for (const [name, value] of Object.entries(receipt[RATE_LIMIT_HEADERS] ?? {})) c.header(name, value);
  if (receipt.duplicate) {
    c.header(REPLAYED_HEADER, "true");
    return c.json(receipt, 200);
  }
  return c.json(receipt, 201);
}
