import { z } from "@hono/zod-openapi";
import { boundedJson, JSON_VALUE_LIMITS, jsonValueProblem } from "../../lib/json-bounds";
import { EMAIL_FILE_LIMITS, isFileParam } from "../email-files/validate";

/** Template parameters, bounded wherever they are accepted (requests, tenant defaults). */
export const ParamsSchema = boundedJson(z.record(z.string().max(256), z.unknown()), JSON_VALUE_LIMITS.params).openapi({
  description: `Template parameters; a channel's own params override the top-level ones. At most ${JSON_VALUE_LIMITS.params.maxDepth} levels deep, ${JSON_VALUE_LIMITS.params.maxKeys} keys and elements, ${JSON_VALUE_LIMITS.params.maxBytes / 1024} KB as JSON.`,
  example: { firstname: "Lucky" },
});

/**
 * A send request's template parameters: as ParamsSchema, except that a file sent by email (a
 * value with a `file` key, GOV.UK Notify's "send a file by email") is not held to the bound on
 * bytes by its base64 content: that is bounded by the file rules (email-files/validate.ts, 2 MB a
 * file, EMAIL_FILE_LIMITS.maxFiles files) and the request body limit. Everything else of the
 * params, file objects' other keys included, is bounded as ParamsSchema bounds it.
 */
export const SendParamsSchema = z
  .record(z.string().max(256), z.unknown())
  .superRefine((params, ctx) => {
    const measured: Record<string, unknown> = {};
    let files = 0;
    for (const [name, value] of Object.entries(params)) {
      if (isFileParam(value)) {
        files++;
        measured[name] = { ...value, file: typeof value.file === "string" ? "" : value.file };
      } else measured[name] = value;
    }
    // Far past the bound, refused here so no send reads more (the send path names each file's faults).
    if (files > EMAIL_FILE_LIMITS.maxFiles * 10) ctx.addIssue({ code: "custom", message: `${files} files; an email may carry at most ${EMAIL_FILE_LIMITS.maxFiles}` });
    const problem = jsonValueProblem(measured, JSON_VALUE_LIMITS.params);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: `Template parameters; a channel's own params override the top-level ones. At most ${JSON_VALUE_LIMITS.params.maxDepth} levels deep, ${JSON_VALUE_LIMITS.params.maxKeys} keys and elements, ${JSON_VALUE_LIMITS.params.maxBytes / 1024} KB as JSON, not counting files. A value \`{file, filename?, confirm_email_before_download?, retention_period?}\` (GOV.UK Notify's "send a file by email") is a file sent by email: its base64 \`file\` (at most ${EMAIL_FILE_LIMITS.maxFileBytes} bytes decoded) is stored and the parameter renders as its download link; email only, at most ${EMAIL_FILE_LIMITS.maxFiles} a send.`,
    example: { firstname: "Lucky" },
  });

/** A chat card, bounded wherever it is accepted (requests, templates). */
export const CardSchema = boundedJson(z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]), JSON_VALUE_LIMITS.card).openapi({
  description: `A native card (Slack blocks array, Adaptive Card object, Rocket.Chat attachments). At most ${JSON_VALUE_LIMITS.card.maxDepth} levels deep, ${JSON_VALUE_LIMITS.card.maxKeys} keys and elements, ${JSON_VALUE_LIMITS.card.maxBytes / 1024} KB as JSON.`,
});
