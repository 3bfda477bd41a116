import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { dataRegion, regionBaseUrls } from "../../lib/regions";
import { problemResponses } from "../../lib/errors/problem";
import { RegionSchema } from "../tenants/schemas";

const RegionsSchema = z
  .object({
    current: RegionSchema.nullable().openapi({ description: "The region answering (DATA_REGION); null on a single-region deployment" }),
    regions: z.array(
      z.object({
        region: RegionSchema,
        baseUrl: z.url().openapi({ example: "https://eu.notify.example.gov" }),
      }),
    ),
  })
  .openapi("Regions");

// No credentials: a client that holds only a tenant id (or a key) must be able to find its home,
// and the list holds nothing but configuration that every 421 already names.
const route = createRoute({
  method: "get",
  path: "/api/v1/regions",
  tags: ["Meta"],
  summary: "Tenant regions and their base URLs",
  description:
    "Each region is its own deployment with its own storage; a tenant belongs to one region, fixed at creation, and only that region answers " +
    "for it (any other answers 421 naming the home region's base URL). Use the home region's base URL as a GOV.UK Notify client's base URL.",
  responses: {
    200: { description: "This region and every region's base URL", content: { "application/json": { schema: RegionsSchema } } },
    ...problemResponses(503),
  },
});

export function registerListRegions(app: App): void {
  app.openapi(route, (c) => c.json({ current: dataRegion(c.env), regions: regionBaseUrls(c.env) }, 200));
}
