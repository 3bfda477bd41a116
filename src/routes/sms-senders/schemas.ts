import { z } from "@hono/zod-openapi";
import { MAX_SENDERS_PER_TENANT } from "../../services/senders/store";

export const CreateSmsSenderSchema = z
  .object({
    sender: z.string().min(1).max(32).openapi({ description: "An alphanumeric id, a short code or a phone number", example: "+17787001234" }),
    isDefault: z.boolean().optional().openapi({ description: "Make it the tenant's default, clearing the previous default in the same write" }),
    inbound: z.boolean().optional().openapi({ description: "Only `false` (or absent) from a tenant key: the operator assigns inbound numbers (POST /api/v1/tenants/{tenantId}/inbound-numbers), so `true` is a 422" }),
  })
  .strict()
  .openapi("CreateSmsSender");

export const SmsSenderSchema = z
  .object({ id: z.uuid(), sender: z.string(), isDefault: z.boolean(), inbound: z.boolean(), createdAt: z.iso.datetime() })
  .openapi("SmsSender");

export const SmsSenderListSchema = z
  .object({ items: z.array(SmsSenderSchema).max(MAX_SENDERS_PER_TENANT) })
  .openapi("SmsSenderList", { description: `Every sender, oldest first (at most ${MAX_SENDERS_PER_TENANT}, so not paged)` });

export const SmsSenderIdParamSchema = z.object({
  senderId: z.uuid().openapi({ param: { name: "senderId", in: "path" } }),
});

/** Tenant configuration, beside the defaults that name senders inline. */
export const SMS_SENDER_TAG = "Tenant";
