import { z } from "@hono/zod-openapi";
import { API_KEY_TYPES } from "../../db/schema";

export const ApiKeyTypeSchema = z.enum(API_KEY_TYPES).openapi({
  description: "`live` sends to anyone; `team` only to the tenant's team and guest list; `test` never reaches a provider",
});

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    name: z.string(),
    type: ApiKeyTypeSchema,
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({
    description: "The combined key `{name}-{tenantId}-{secret}`. Shown once: store it now.",
    example: "ci-9a3c2f0e-6a8b-4c1d-9e2f-3b4a5c6d7e8f-3d844edf-8d35-48ac-975b-e847b4f122b0",
  }),
}).openapi("CreatedApiKey");

export const CreateApiKeySchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{Cc}]*$/u, "Must not contain control characters")
      .openapi({ example: "ci" }),
    type: ApiKeyTypeSchema,
  })
  .strict()
  .openapi("CreateApiKey");

export const ApiKeyParamsSchema = z.object({
  tenantId: z.uuid().openapi({ param: { name: "tenantId", in: "path" } }),
  keyId: z.uuid().openapi({ param: { name: "keyId", in: "path" } }),
});
