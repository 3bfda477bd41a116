import { buildApp } from "./app";
import { runScheduled } from "./cron/scheduled";
import type { Env } from "./env";
import { consumeQueue } from "./queue/consumer";

export { TenantGate } from "./durable-objects/tenant-gate";
export { ProviderCircuits } from "./durable-objects/provider-circuits";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, _ctx) => consumeQueue(batch, env),
  scheduled: (controller, env, _ctx) => runScheduled(controller, env),
} satisfies ExportedHandler<Env>;
