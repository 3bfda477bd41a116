import { buildApp } from "./app";
import type { Env } from "./env";

export { TenantGate } from "./durable-objects/tenant-gate";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
