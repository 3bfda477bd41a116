import { z } from "@hono/zod-openapi";

/**
 * The cascade's `callbacks` setting (tenant defaults, event type channels, send channels): status
 * callback registration ids; `[]` turns callbacks off for the channel.
 */
export const CallbackIdsSchema = z
  .array(z.uuid())
  .max(50)
  .openapi({ description: "Status callback registration ids (/api/v1/notify/registerCallback); [] for none", example: ["0193a1c2-7d4e-7b1a-9c3d-2e4f5a6b7c8d"] });
