import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { eventSendRequest } from "../../services/notify-event/notify-event";
import { NotifyEventSchema } from "../../services/notify-event/request-schema";
import { PreviewQuerySchema } from "../../services/send/request-schema";
import { serviceContext } from "../context";
import { previewOrSend } from "../send/respond";
import { sendResponses } from "../send/schemas";

/** The cascade's rules as the OpenAPI document states them (README: "Notification events and the cascade"). */
const DESCRIPTION = `Sends a notification event: the event type's channels, completed by the tenant defaults and the system configuration, with what the request changes. Each value comes from the most specific layer that gives it: System → Tenant → Event → Request.

| The request gives | Effect |
|---|---|
| nothing for a channel | the event type's channel as defined (over the tenant defaults) |
| \`params\` | over the tenant's and the event type's params, key by key; a channel's own params (\`overrides.<channel>.params\`, \`augments.<channel>.params\`) win over them |
| \`overrides.<channel>.<field>\` | replaces that field; objects merge key by key down to the leaves, a leaf or an array replaces the inherited one |
| \`overrides.<channel>: {}\` | that channel is not sent |
| \`overrides.<channel>.content.templateId\` (or \`content.template.templateId\`) | replaces the inherited content (inline subject/body dropped) |
| \`overrides.<channel>.content\` with inline subject/body/card | replaces an inherited template |
| \`overrides.<channel>.enabled: true\` | sends a channel the event type disables |
| \`augments.<channel>.recipients.to/cc/bcc\` (\`sender.replyTo\`, \`target\`, \`attachments\`) | appended to the inherited list; addresses deduplicated after normalisation |
| \`augments.<channel>.params\` | merged over every other params, key by key |
| an override or augment of a channel the event type disables, or an augment of a channel that is not sent | 422 naming the field |

An unknown (or another tenant's, or deleted) event type, a disabled one, or a channel left without recipients or content is a 422 naming the field and where it was expected (\`notificationEventType\`, \`eventType.<code>.email.recipients.to\`, …). With \`?preview=true\` answers what would be sent; \`&explain=true\` adds \`resolution\`: per channel, the layer each value came from (\`system\`, \`tenant\`, \`event\`, \`request\`, \`augment\`; a list built by several is \`event+augment\`). The notification records the event type's code and version.`;

const route = createRoute({
  method: "post",
  path: "/api/v1/notifyevent",
  tags: ["Send"],
  summary: "Send a notification event (event type + params, with overrides and augments)",
  description: DESCRIPTION,
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: {
    query: PreviewQuerySchema,
    body: { required: true, content: { "application/json": { schema: NotifyEventSchema } } },
  },
  responses: sendResponses,
});

export function registerNotifyEvent(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    return previewOrSend(c, ctx, await eventSendRequest(ctx, c.req.valid("json")), c.req.valid("query"), "notifyevent");
  });
}
