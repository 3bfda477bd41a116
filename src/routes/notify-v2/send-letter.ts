import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { NotifyV2Error } from "../../services/notify-v2/errors";
import { notifyErrorResponses, registerV2 } from "./framework";
import { V2LetterRequestSchema } from "./schemas";

/** Notify's letters are not offered; a client calling sendLetter gets a reason, not a 404. */
export const LETTERS_NOT_SUPPORTED = "Letters are not supported by this service: send an email or a text message instead";

const route = createRoute({
  method: "post",
  path: "/v2/notifications/letter",
  summary: "Letters (not supported)",
  description: `Always 400 BadRequestError "${LETTERS_NOT_SUPPORTED}".`,
  ...tenantAccess("send"),
  request: { body: { required: false, content: { "application/json": { schema: V2LetterRequestSchema } } } },
  responses: { ...notifyErrorResponses(400, 401, 403) },
});

export function registerV2SendLetter(app: App): void {
  registerV2(app, route, () => {
    throw NotifyV2Error.badRequest(LETTERS_NOT_SUPPORTED);
  });
}
