import { z } from "@hono/zod-openapi";

/** What a receipt webhook answers the provider: any 2xx stops its retries; the counts help whoever debugs it. */
export const ReceiptsAnswerSchema = z
  .object({
    applied: z.number().int().openapi({ description: "Receipts that moved a message or added a suppression" }),
    ignored: z.number().int().openapi({ description: "Receipts that changed nothing: unknown message, repeat, out of order, interim status" }),
  })
  .openapi("ReceiptsAnswer");
