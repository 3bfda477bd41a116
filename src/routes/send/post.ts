import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors/api-error";
import { zodIssuesToFieldErrors } from "../../lib/errors/zod-issues";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { fromSimple } from "../../services/send/plan";
import { PreviewQuerySchema, type SimpleSendInput, SimpleSendSchema } from "../../services/send/request-schema";
import { fromMergeUpload, type MergeUploadInput, MergeUploadSchema } from "../../services/send/merge/upload";
import { sendContext } from "./context";
import { previewOrSend } from "./respond";
import { SEND_DESCRIPTION, sendResponses } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifysimple",
  tags: ["Send"],
  summary: "Send on any of email, SMS and chat in one request",
  description: `${SEND_DESCRIPTION} A mail merge may be uploaded as CSV: multipart/form-data with the JSON in \`request\` and the file in \`file\` (see MergeUpload).`,
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: {
    query: PreviewQuerySchema,
    // Not `required`: each media type's validator then runs only for its own Content-Type (others are a 415).
    body: {
      required: false,
      content: {
        "application/json": { schema: SimpleSendSchema },
        "multipart/form-data": { schema: MergeUploadSchema },
      },
    },
  },
  responses: sendResponses,
});

/**
 * The JSON body. With two media types the body is optional to the validators, which then pass a
 * request without one as `{}` unchecked; it is checked here so it stays the 400 it always was.
 */
function jsonBody(contentType: string | undefined, validated: SimpleSendInput): SimpleSendInput {
  if (contentType && /json/i.test(contentType)) return validated;
  const result = SimpleSendSchema.safeParse({});
  if (result.success) return result.data;
  const errors = zodIssuesToFieldErrors(result.error, "json");
  throw new ApiError("invalid_request", { detail: `${errors.length} field${errors.length === 1 ? "" : "s"} failed validation`, errors });
}

export function registerSendSimple(app: App): void {
  app.openapi(route, async (c) => {
    // A mail merge uploaded as CSV (merge/upload.ts) becomes the same request as a JSON mergeArray.
    const multipart = /^multipart\/form-data/i.test(c.req.header("content-type") ?? "");
    const request = multipart ? await fromMergeUpload(c.req.valid("form") as MergeUploadInput) : fromSimple(jsonBody(c.req.header("content-type"), c.req.valid("json") as SimpleSendInput));
    return previewOrSend(c, sendContext(c), request, c.req.valid("query"));
  });
}
