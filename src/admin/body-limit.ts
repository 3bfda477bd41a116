import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AdminEnv } from "./env";
import { AdminPageError } from "./errors";

/** What a form post to the admin UI may weigh: forms are text fields, so 1 MiB is generous. */
export const ADMIN_FORM_MAX_BYTES = 1024 * 1024;

/**
 * Larger limits for the few admin paths that take a file, keyed by a pattern on the path below
 * `/admin`. A mail-merge CSV is bounded like the API's (12 MiB file, README "Mail merge"), plus
 * room for the multipart framing and the form's other fields.
 */
export const ADMIN_UPLOAD_LIMITS: ReadonlyArray<{ path: RegExp; maxBytes: number }> = [
  { path: /^\/admin\/send\/merge(\/[^/]+)?\/?$/, maxBytes: 12 * 1024 * 1024 + 64 * 1024 },
  // The mail-merge upload of the Send screen (screens/send/merge-upload.tsx): POST /admin/send/{templateId}/merge.
  { path: /^\/admin\/send\/[^/]+\/merge\/?$/, maxBytes: 12 * 1024 * 1024 + 64 * 1024 },
];

/**
 * The largest body a request to `path` may carry: an upload path's limit only for a signed-in
 * tenant user (the upload screens need the send role, which operators have only as a tenant's
 * user), the form limit for everyone else.
 */
export function adminBodyLimitFor(path: string, signedInUser = true): number {
  if (!signedInUser) return ADMIN_FORM_MAX_BYTES;
  return ADMIN_UPLOAD_LIMITS.find((entry) => entry.path.test(path))?.maxBytes ?? ADMIN_FORM_MAX_BYTES;
}

/**
 * Refuses an oversized admin body with the UI's own HTML page (413), before anything parses it.
 * Runs after the session is loaded (`loadAdmin`), which reads no body.
 * The JSON API's limit (middleware/body-limit.ts) leaves `/admin` to this one, so a person
 * uploading too large a file sees a page, not problem+json.
 */
export const adminBodyLimit = createMiddleware<AdminEnv>((c, next) => {
  const maxSize = adminBodyLimitFor(c.req.path, c.get("admin")?.kind === "user");
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AdminPageError(413, `The form or file sent is larger than ${Math.floor(maxSize / 1024 / 1024)} MB. Send a smaller one.`);
    },
  })(c, next);
});
