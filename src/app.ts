import { type App, createApp } from "./lib/router";
import { registerSecuritySchemes } from "./lib/security";
import { errorHandler } from "./middleware/error-handler";
import { notFoundHandler } from "./middleware/not-found";
import { requestBodyLimit } from "./middleware/body-limit";
import { requestContext } from "./middleware/request-context";
import { registerCreateApiKey } from "./routes/api-keys/post";
import { registerListApiKeys } from "./routes/api-keys/list";
import { registerRevokeApiKey } from "./routes/api-keys/delete";
import { registerDocs } from "./routes/meta/docs";
import { registerHealth } from "./routes/meta/health";
import { registerOpenApiDocument } from "./routes/meta/openapi";
import { registerProblemTypes } from "./routes/meta/problems";
import { registerWhoAmI } from "./routes/tenant/get";
import { registerCreateTenant } from "./routes/tenants/post";
import { registerGetTenant } from "./routes/tenants/get";
import { registerListTenants } from "./routes/tenants/list";
import { registerUpdateTenant } from "./routes/tenants/patch";

/** Builds the HTTP application: middleware, every route, the error path and the docs. */
export function buildApp(): App {
  const app = createApp();
  app.use("*", requestContext);
  app.use("*", requestBodyLimit);
  app.onError(errorHandler);
  app.notFound(notFoundHandler(app));
  registerSecuritySchemes(app);

  // Meta
  registerHealth(app);
  registerOpenApiDocument(app);
  registerDocs(app);
  registerProblemTypes(app);

  // Operator
  registerCreateTenant(app);
  registerListTenants(app);
  registerGetTenant(app);
  registerUpdateTenant(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);

  // Tenant
  registerWhoAmI(app);

  return app;
}
