import type { App } from "./router";

/** OpenAPI security requirement objects, referenced by createRoute's `security`. */
export const operatorSecurity: Array<Record<string, string[]>> = [{ operatorToken: [] }];
export const tenantSecurity: Array<Record<string, string[]>> = [{ tenantJwt: [] }, { tenantApiKey: [] }];

/** A tenant route needing a key permission: OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs. */
export function tenantSecurityFor(permission: string): Array<Record<string, string[]>> {
  return [{ tenantJwt: [permission] }, { tenantApiKey: [permission] }];
}

export function registerSecuritySchemes(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
    type: "http",
    scheme: "bearer",
    description: "Platform operator token (the ADMIN_TOKEN Worker secret).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "tenantJwt", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "HS256 JWT with `iss` = tenant id and `iat` = now (±30 s), signed with the last 36 characters of an API key " +
      '(the way GOV.UK Notify clients do). Optional `req` ("METHOD /path") and `pay` (SHA-256 of the body, hex) are verified when present.',
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "tenantApiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description:
      "The combined API key `{name}-{tenantId}-{secret}` as issued. Each tenant route needs one key permission " +
      "(`send`, `read` or `manage`): it is listed in the route's security requirement and as `x-permission`. " +
      "A key (or a JWT whose `iss`) names a tenant homed in another region is answered 421 `/problems/misdirected` naming that region's base URL (`GET /api/v1/regions`).",
  });
}
