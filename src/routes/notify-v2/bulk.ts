import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { REPLAYED_HEADER } from "../../middleware/idempotency-key";
import { sendBulk } from "../../services/notify-v2/bulk";
import { MAX_CSV_BYTES } from "../../services/send/merge/csv";
import { MAX_MERGE_CELL_CHARS, MAX_MERGE_COLUMNS, MAX_MERGE_ROWS } from "../../services/send/merge/merge-array";
import { serviceContext } from "../context";
import { notifyErrorResponses, registerV2 } from "./framework";

const uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "is not a valid UUID");

const BulkRequestSchema = z
  .object({
    name: z.string().min(1).max(255).openapi({ description: "The job's name (GC Notify's file name)", example: "March reminders" }),
    template_id: uuid,
    rows: z
      .array(z.array(z.string().max(MAX_MERGE_CELL_CHARS)).max(MAX_MERGE_COLUMNS))
      .min(2)
      .max(MAX_MERGE_ROWS + 1)
      .optional()
      .openapi({ description: "A header row (`email address` or `phone number`, then placeholders), then one row per recipient", example: [["phone number", "name"], ["+16135550123", "Ann"]] }),
    csv: z.string().max(MAX_CSV_BYTES).optional().openapi({ description: "The same as CSV text, instead of rows" }),
    scheduled_for: z.string().max(64).nullable().optional().openapi({ description: "ISO 8601; the merge waits until then (up to 30 days ahead)" }),
    reply_to_id: uuid.nullable().optional().openapi({ description: "A reply-to address (email) or SMS sender (sms) id" }),
  })
  .strict()
  .openapi("GcNotifyBulkRequest");

const JobSchema = z
  .object({
    id: z.uuid(),
    original_file_name: z.string(),
    service: z.uuid(),
    template: z.uuid(),
    template_version: z.number().int(),
    template_type: z.enum(["email", "sms"]),
    notification_count: z.number().int(),
    job_status: z.enum(["scheduled", "in progress"]),
    scheduled_for: z.string().nullable(),
    created_at: z.string(),
    sender_id: z.string().nullable(),
  })
  .openapi("GcNotifyJob");

const route = createRoute({
  method: "post",
  path: "/gcnotify/v2/notifications/bulk",
  summary: "Send in bulk (GC Notify)",
  description:
    "GC Notify's bulk send on this service's mail merge: `rows` or `csv` (not both), every row checked before anything is sent. The job's `id` is the notification id (`GET /api/v1/notify/{id}` shows each row's message).",
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: { body: { required: true, content: { "application/json": { schema: BulkRequestSchema } } } },
  responses: {
    201: { description: "The job", content: { "application/json": { schema: z.object({ data: JobSchema }) } } },
    200: { description: "A duplicate within the window: the first job (`Idempotent-Replayed: true`)", content: { "application/json": { schema: z.object({ data: JobSchema }) } } },
    ...notifyErrorResponses(400, 401, 403, 413, 429),
  },
});

export function registerGcNotifyBulk(app: App): void {
  registerV2(app, route, async (c) => {
    const { job, headers, duplicate } = await sendBulk(serviceContext(c), c.req.valid("json"));
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (duplicate) {
      c.header(REPLAYED_HEADER, "true");
      return c.json({ data: job }, 200);
    }
    return c.json({ data: job }, 201);
  });
}
