import { z } from "@hono/zod-openapi";
import { EventEmailSchema, EventMsgAppSchema, EventSmsSchema } from "../../services/event-types/schema";

export const EventTypeSchema = z
  .object({
    id: z.uuid(),
    code: z.string().openapi({ example: "funding-approval" }),
    name: z.string(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    email: EventEmailSchema.optional(),
    sms: EventSmsSchema.optional(),
    msgApp: EventMsgAppSchema.optional(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("EventType");

export const EventTypeParamSchema = z.object({
  eventType: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "eventType", in: "path" }, description: "The event type's id or code", example: "funding-approval" }),
});
