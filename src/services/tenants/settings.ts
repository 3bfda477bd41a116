import { z } from "@hono/zod-openapi";
import { getCountries, type CountryCode } from "libphonenumber-js/min";

const COUNTRIES = new Set<string>(getCountries());

export const RegionSchema = z
  .string()
  .length(2)
  .refine((v) => COUNTRIES.has(v.toUpperCase()), { message: "Not an ISO 3166 alpha-2 region with a telephone numbering plan" })
  .openapi({ description: "ISO 3166 alpha-2 region used for phone numbers without a country code", example: "CA" });

/** Tenant defaults: the second layer of the System → Tenant → Event → Request cascade. */
export const TenantSettingsSchema = z
  .object({
    defaultRegion: RegionSchema.optional(),
  })
  .strict()
  .openapi("TenantSettings");

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export function isRegion(value: string): value is CountryCode {
  return COUNTRIES.has(value);
}
