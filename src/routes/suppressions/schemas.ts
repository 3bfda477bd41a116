import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { SUPPRESSION_SOURCES } from "../../db/schema";
import { SUPPRESSIBLE_CHANNELS } from "../../services/suppressions/suppressions";

export const SuppressibleChannelSchema = z.enum(SUPPRESSIBLE_CHANNELS).openapi({ description: "email or sms (chat targets are not suppressible)", example: "email" });

export const CreateSuppressionSchema = z
  .object({
    channel: SuppressibleChannelSchema,
    recipient: z.string().min(1).max(320).openapi({ description: "An email address or a phone number (national numbers in the tenant's defaultRegion); normalised as recipients are", example: "ann@example.com" }),
    reason: displayNameSchema(500).optional().openapi({ description: "Free text; default: Added through the API", example: "Asked by phone to stop" }),
  })
  .strict()
  .openapi("CreateSuppression");

export const SuppressionSchema = z
  .object({
    id: z.uuid(),
    channel: SuppressibleChannelSchema,
    recipient: z.string().openapi({ description: "Email addresses case-folded, phone numbers in E.164" }),
    reason: z.string(),
    source: z.enum(SUPPRESSION_SOURCES).openapi({ description: "api (added here), unsubscribe (one-click link), provider (reported by a provider)" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("Suppression");

export const SuppressionIdParamSchema = z.object({
  suppressionId: z.uuid().openapi({ param: { name: "suppressionId", in: "path" } }),
});

export const RecipientQuerySchema = z.string().min(1).max(320).openapi({ example: "ann@example.com" });
