import { z } from "@hono/zod-openapi";

export const AssignInboundNumberSchema = z
  .object({
    number: z.string().min(1).max(32).openapi({ description: "A phone number of the deployment's SMS provider account (E.164, or national in the tenant's `defaultRegion`)", example: "+447700900123" }),
    isDefault: z.boolean().optional().openapi({ description: "Make it the tenant's default SMS sender, clearing the previous default in the same write" }),
  })
  .strict()
  .openapi("AssignInboundNumber");

export const InboundNumberParamsSchema = z.object({
  tenantId: z.uuid().openapi({ param: { name: "tenantId", in: "path" } }),
  senderId: z.uuid().openapi({ param: { name: "senderId", in: "path" } }),
});
