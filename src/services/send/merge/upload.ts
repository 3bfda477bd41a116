import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../lib/errors/api-error";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { assertSafeJsonText } from "../../../middleware/json-body-guard";
import { fromSimple, type SendRequest } from "../plan";
import { SimpleSendSchema } from "../request-schema";
import { MAX_CSV_BYTES, parseMergeCsv, readTextPart } from "./csv";
import type { MergeChannel } from "./merge-array";

/** The JSON part of an upload: bounded like a send body's JSON (the file is bounded on its own). */
const MAX_REQUEST_PART_BYTES = 1024 * 1024;

/**
 * `POST /api/v1/notifysimple` as `multipart/form-data`: the `/notifysimple` JSON in `request`, a
 * CSV in `file` that becomes that channel's `recipients.mergeArray`, and optionally `channel`.
 */
export const MergeUploadSchema = z
  .object({
    request: z.any().openapi({ type: "string", description: "The /notifysimple JSON body (as text or a part of type application/json), without recipients for the merged channel" }),
    file: z.any().openapi({ type: "string", format: "binary", description: "The merge as CSV (UTF-8): a header row (`to`, `email address` or `phone number`; `cc`, `bcc`; params), then one row per message" }),
    channel: z.enum(["email", "sms"]).optional().openapi({ description: "The channel the file is for; needed only when the request has both email and sms" }),
  })
  .openapi("MergeUpload");

export type MergeUploadInput = z.infer<typeof MergeUploadSchema>;

/** The channel the file is for: named by `channel`, else the one of email and sms the JSON has. */
function mergeChannel(body: Record<string, unknown>, named: MergeChannel | undefined): MergeChannel {
  const present = (["email", "sms"] as const).filter((name) => body[name] !== undefined && body[name] !== null);
  if (named) {
    if (!present.includes(named)) throw new ApiError("invalid_request", { detail: `The request has no ${named} channel for the file`, errors: [{ path: `request.${named}`, message: "Required: the channel the file is merged into" }] });
    return named;
  }
  if (present.length === 1) return present[0]!;
  const message = present.length === 0 ? "The request needs an email or sms channel for the file" : "The request has email and sms: say which one the file is for";
  throw new ApiError("invalid_request", { detail: message, errors: [{ path: "channel", message }] });
}

/**
 * Turns a multipart mail-merge upload into the same SendRequest as the JSON form: the file's rows
 * become the channel's `recipients.mergeArray`, so every rule of a merge applies unchanged; row
 * errors point at `file[row][column]`.
 *
 * @example
 * ```ts
 * const request = await fromMergeUpload({ request: '{"email":{"content":{…}}}', file: csvFile });
 * ```
 */
export async function fromMergeUpload(form: MergeUploadInput): Promise<SendRequest> {
  const json = await readTextPart(form.request, "request", MAX_REQUEST_PART_BYTES);
  const csv = await readTextPart(form.file, "file", MAX_CSV_BYTES);

  assertSafeJsonText(json, "request");
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new ApiError("invalid_json", { detail: "The request part is not valid JSON", errors: [{ path: "request", message: "Not valid JSON" }] });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError("invalid_request", { detail: "The request part must be a JSON object", errors: [{ path: "request", message: "Expected an object" }] });
  const record = body as Record<string, unknown>;
  const channel = mergeChannel(record, form.channel);
  const target = record[channel];
  if (typeof target !== "object" || target === null || Array.isArray(target)) throw new ApiError("invalid_request", { detail: `${channel} must be an object`, errors: [{ path: channel, message: "Expected an object" }] });
  const recipients = (target as Record<string, unknown>).recipients ?? {};
  if (typeof recipients !== "object" || recipients === null || Array.isArray(recipients)) throw new ApiError("invalid_request", { detail: `${channel}.recipients must be an object`, errors: [{ path: `${channel}.recipients`, message: "Expected an object" }] });
  if ((recipients as Record<string, unknown>).mergeArray !== undefined) {
    throw new ApiError("invalid_request", { detail: "Give the merge as the file or as mergeArray, not both", errors: [{ path: `${channel}.recipients.mergeArray`, message: "Not with a file" }] });
  }
  const rows = parseMergeCsv(csv, "file");
  const merged = { ...record, [channel]: { ...target, recipients: { ...recipients, mergeArray: rows } } };
  const parsed = SimpleSendSchema.safeParse(merged);
  if (!parsed.success) {
    // The file's own cells were checked when it was read; the rest is reported at the JSON's paths.
    const errors = zodIssuesToFieldErrors(parsed.error).map((e) => ({ ...e, path: e.path.replace(`${channel}.recipients.mergeArray`, "file") }));
    throw new ApiError("invalid_request", { detail: `${errors.length} field${errors.length === 1 ? "" : "s"} failed validation`, errors });
  }
  return fromSimple(parsed.data, { [channel]: "file" });
}
