import { z } from "@hono/zod-openapi";
import { MAX_SENDERS_PER_TENANT } from "../../services/senders/store";

export const CreateReplyToSchema = z
  .object({
    email: z.string().min(1).max(320).openapi({ description: "Validated and normalised as an email recipient is", example: "help@example.gov" }),
    isDefault: z.boolean().optional().openapi({ description: "Make it the tenant's default, clearing the previous default in the same write" }),
  })
  .strict()
  .openapi("CreateReplyToAddress");

export const ReplyToSchema = z
  .object({ id: z.uuid(), email: z.string(), isDefault: z.boolean(), createdAt: z.iso.datetime() })
  .openapi("ReplyToAddress");

export const ReplyToListSchema = z
  .object({ items: z.array(ReplyToSchema).max(MAX_SENDERS_PER_TENANT) })
  .openapi("ReplyToAddressList", { description: `Every address, oldest first (at most ${MAX_SENDERS_PER_TENANT}, so not paged)` });

export const ReplyToIdParamSchema = z.object({
  replyToId: z.uuid().openapi({ param: { name: "replyToId", in: "path" } }),
});

/** Tenant configuration, beside the defaults that name senders inline. */
export const REPLY_TO_TAG = "Tenant";
