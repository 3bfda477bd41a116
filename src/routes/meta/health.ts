import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { App } from "../../lib/router";
import { log } from "../../lib/log";

const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: z.enum(["ok", "failing"]) }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Meta"],
  summary: "Liveness and database reachability",
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "A dependency is failing", content: { "application/json": { schema: HealthSchema } } },
  },
});

export function registerHealth(app: App): void {
  app.openapi(route, async (c) => {
    try {
      await c.get("db").run(sql`select 1`);
      return c.json({ status: "ok" as const, checks: { database: "ok" as const } }, 200);
    } catch (err) {
      log("error", "health check: database failing", { requestId: c.get("requestId"), error: String(err) });
      return c.json({ status: "degraded" as const, checks: { database: "failing" as const } }, 503);
    }
  });
}
