import { env } from "cloudflare:workers";
import { createApp, type App } from "../lib/router";
import { errorHandler } from "../middleware/error-handler";
import { requestContext } from "../middleware/request-context";
import { registerDevRoutes } from "./index";
import type { CapturedMessage } from "./store";

// Shared by the dev tests: the app as app.ts mounts it, and the environment npm start gives it.

/** The Worker's test bindings (real local R2) with the dev sink switched on. */
export const devEnv = { ...env, DEV_SINK: "true" };

/** A fresh app with the dev routes behind the same middleware and error path as the real one. */
export function devApp(): App {
  const app = createApp();
  app.use("*", requestContext);
  app.onError(errorHandler);
  registerDevRoutes(app);
  return app;
}

/** What /dev/inbox.json lists, newest first. */
export async function inboxItems(app: App): Promise<CapturedMessage[]> {
  const res = await app.request("/dev/inbox.json", {}, devEnv);
  return ((await res.json()) as { items: CapturedMessage[] }).items;
}
