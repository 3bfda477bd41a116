import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";

/** Paths whose bodies may carry base64 attachments or mail-merge rows. */
const SEND_PATH = /^\/(api\/v1\/notifysimple(\/email|\/sms)?|api\/v1\/notifyevent|(gcnotify\/)?v2\/notifications(\/[a-z]+)?|notifications\/(email|sms))\/?$/;

/** The local provider sinks receive what adapters send, e.g. SES raw MIME with base64 attachments. */
const DEV_SINK_PATH = /^\/dev\/sink\//;
const DEV_SINK_MAX = 40 * 1024 * 1024;

const DEFAULT_MAX = 1024 * 1024;
const DEFAULT_SEND_MAX = 15 * 1024 * 1024;

function limitFor(path: string, env: AppEnv["Bindings"]): number {
  if (DEV_SINK_PATH.test(path)) return DEV_SINK_MAX;
  const configured = SEND_PATH.test(path) ? env.MAX_SEND_BODY_BYTES : env.MAX_BODY_BYTES;
  const parsed = configured ? Number.parseInt(configured, 10) : Number.NaN;
  if (Number.isFinite(parsed) && parsed > 0) return parsed;
  return SEND_PATH.test(path) ? DEFAULT_SEND_MAX : DEFAULT_MAX;
}

/** The admin UI answers in HTML and sets its own limits (admin/body-limit.ts). */
const ADMIN_PATH = /^\/admin(\/|$)/;

/** Rejects oversized bodies with a 413 problem before anything parses them. */
export const requestBodyLimit = createMiddleware<AppEnv>((c, next) => {
  if (ADMIN_PATH.test(c.req.path)) return next();
  const maxSize = limitFor(c.req.path, c.env);
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("payload_too_large", { detail: `Request bodies on this route are limited to ${maxSize} bytes` });
    },
  })(c, next);
});
