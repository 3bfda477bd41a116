import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import type { SendContext } from "../../services/send/context";
import type { SendRequest } from "../../services/send/plan";
import { previewSend, sendNotification } from "../../services/send/send";

/** Shared tail of every simple-send route: preview (200, nothing stored) or send (201 + Location). */
export async function previewOrSend(c: Context<AppEnv>, ctx: SendContext, request: SendRequest, preview: boolean) {
  if (preview) return c.json(await previewSend(ctx, request), 200);
  const receipt = await sendNotification(ctx, request, "simple");
  c.header("Location", receipt.statusUrl);
  return c.json(receipt, 201);
}
