import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { API_KEY_PERMISSIONS, API_KEY_TYPES } from "../../db/schema";

export const ApiKeyTypeSchema = z.enum(API_KEY_TYPES).openapi({
  description: "`live` sends to anyone; `team` only to the tenant's guest list; `test` never reaches a provider",
});

export const ApiKeyPermissionSchema = z.enum(API_KEY_PERMISSIONS).openapi({
  description:
    "`send`: send and cancel notifications; `read`: read notifications, templates, defaults and the guest list; " +
    "`manage`: change configuration (defaults, templates, guest list)",
});

export const ApiKeyPermissionsSchema = z
  .array(ApiKeyPermissionSchema)
  .min(1)
  .max(API_KEY_PERMISSIONS.length)
  .refine((list) => new Set(list).size === list.length, { message: "Each permission may appear once" })
  .openapi({ example: ["send", "read"] });

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    name: z.string(),
    type: ApiKeyTypeSchema,
    permissions: z.array(ApiKeyPermissionSchema),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({
      description: "When the key last authenticated a request, to within an hour (a key's use is recorded at most hourly); null if never used",
    }),
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
    name: displayNameSchema(100).openapi({ example: "ci" }),
    type: ApiKeyTypeSchema,
    permissions: ApiKeyPermissionsSchema.optional().openapi({
      description: "Defaults by type: live keys get send, read and manage; team and test keys send and read (and never manage)",
    }),
  })
  .strict()
  // A key that cannot reach anyone must not change what live sends use (the original attack).
  .refine((k) => k.type === "live" || !k.permissions?.includes("manage"), {
    message: "Only live keys may have the manage permission: team and test keys cannot change the configuration live sends use",
    path: ["permissions"],
  })
  .openapi("CreateApiKey");

export const ApiKeyParamsSchema = z.object({
  tenantId: z.uuid().openapi({ param: { name: "tenantId", in: "path" } }),
  keyId: z.uuid().openapi({ param: { name: "keyId", in: "path" } }),
});
