import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { type Region, REGIONS } from "../../lib/regions";
import { TenantLimitsSchema } from "../../services/tenants/limits";
import { TenantSettingsSchema } from "../../services/tenants/settings";
import { TenantSettingsViewSchema } from "../../services/tenants/settings-view";

/** Same object with every key also accepting `null` (meaning "clear it"). */
export function nullableKeys<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const shape = {} as { [K in keyof S]: z.ZodNullable<S[K]> };
  for (const key of Object.keys(schema.shape) as (keyof S)[]) shape[key] = z.nullable(schema.shape[key]);
  return z.object(shape).strict();
}

export const TenantStatusSchema = z.enum(["trial", "live"]).openapi({
  description: "`trial` tenants have trial allowances; `live` tenants send at full limits",
});

/** A tenant's home region (README "Regions"). */
export const RegionSchema = z.enum(REGIONS as [Region, ...Region[]]).openapi({ description: "A tenant region: each is its own deployment with its own storage", example: "ca" });

export const TenantIdParamSchema = z.object({
  tenantId: z.uuid().openapi({ param: { name: "tenantId", in: "path" }, example: "9a3c2f0e-6a8b-4c1d-9e2f-3b4a5c6d7e8f" }),
});

export const TenantSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: TenantStatusSchema,
    region: RegionSchema.nullable().openapi({ description: "Home region, fixed at creation (written in the id); null on a single-region deployment" }),
    limits: z.object({
      requestsPerMinute: z.number().int(),
      dailyEmail: z.number().int(),
      dailySms: z.number().int(),
      dailyMsgApp: z.number().int(),
    }),
    settings: TenantSettingsViewSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Tenant");

export const CreateTenantSchema = z
  .object({
    name: displayNameSchema(200).openapi({ example: "Funding Applications" }),
    region: RegionSchema.optional().openapi({ description: "Home region; must be this deployment's (the default). It cannot change later" }),
    status: TenantStatusSchema.optional(),
    limits: TenantLimitsSchema.optional(),
    settings: TenantSettingsSchema.optional(),
  })
  .strict()
  .openapi("CreateTenant");

/** PATCH bodies: `null` clears a limit or setting back to the system default. */
export const UpdateTenantSchema = z
  .object({
    name: displayNameSchema(200).optional(),
    region: z.string().max(16).optional().openapi({ description: "Refused (422): a tenant's home region cannot change" }),
    status: TenantStatusSchema.optional(),
    limits: nullableKeys(TenantLimitsSchema).optional(),
    settings: nullableKeys(TenantSettingsSchema).optional(),
  })
  .strict()
  .openapi("UpdateTenant");
