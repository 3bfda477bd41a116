import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { REPLAYED_HEADER } from "../../middleware/idempotency-key";
import { inLegacyTerms, type LegacyMethod, type LegacySendInput, legacySendRequest } from "../../services/notify-legacy/legacy";
import { RATE_LIMIT_HEADERS, sendNotification } from "../../services/send/send";
import { serviceContext } from "../context";

/**
 * Shared tail of the two legacy send routes: our send path, answered in the seed's shape
 * (201, or 200 with `Idempotent-Replayed` for a duplicate, like the other send routes).
 */
export async function legacySend(c: Context<AppEnv>, method: LegacyMethod, input: LegacySendInput) {
  const ctx = serviceContext(c);
  let receipt;
  try {
    receipt = await sendNotification(ctx, legacySendRequest(method, input), "notify-legacy");
  } catch (err) {
    throw inLegacyTerms(err);
  }
  c.header("Location", `${ctx.origin}/notifications/${receipt.notifyId}`);
  for (const [name, value] of Object.entries(receipt[RATE_LIMIT_HEADERS] ?? {})) c.header(name, value);
  const body = { data: { notification: { id: receipt.notifyId } } };
  if (receipt.duplicate) {
    c.header(REPLAYED_HEADER, "true");
    return c.json(body, 200);
  }
  return c.json(body, 201);
}
