import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { REPLAYED_HEADER } from "../../middleware/idempotency-key";
import { sendV2, type V2SendInput, type V2SendType } from "../../services/notify-v2/send";
import { serviceContext } from "../context";

/** Shared tail of the two v2 send routes: Notify's 201 (200 with `Idempotent-Replayed` for a duplicate). */
export async function respondV2Send(c: Context<AppEnv>, type: V2SendType, input: V2SendInput) {
  const result = await sendV2(serviceContext(c), type, input);
  for (const [name, value] of Object.entries(result.headers)) c.header(name, value);
  if (result.status === 200) {
    c.header(REPLAYED_HEADER, "true");
    return c.json(result.body, 200);
  }
  return c.json(result.body, 201);
}
