import { z } from "@hono/zod-openapi";
import { boundedJson, JSON_VALUE_LIMITS } from "../../lib/json-bounds";

/** Template parameters, bounded wherever they are accepted (requests, tenant defaults). */
export const ParamsSchema = boundedJson(z.record(z.string().max(256), z.unknown()), JSON_VALUE_LIMITS.params).openapi({
  description: `Template parameters; a channel's own params override the top-level ones. At most ${JSON_VALUE_LIMITS.params.maxDepth} levels deep, ${JSON_VALUE_LIMITS.params.maxKeys} keys and elements, ${JSON_VALUE_LIMITS.params.maxBytes / 1024} KB as JSON.`,
  example: { firstname: "Lucky" },
});

/** A chat card, bounded wherever it is accepted (requests, templates). */
export const CardSchema = boundedJson(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]), JSON_VALUE_LIMITS.card).openapi({
  description: `A native card (Slack blocks array, Adaptive Card object, Rocket.Chat attachments). At most ${JSON_VALUE_LIMITS.card.maxDepth} levels deep, ${JSON_VALUE_LIMITS.card.maxKeys} keys and elements, ${JSON_VALUE_LIMITS.card.maxBytes / 1024} KB as JSON.`,
});
