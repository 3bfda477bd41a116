import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerSendChoose } from "./choose";
import { registerSendCompose } from "./compose";
import { registerSendEvent } from "./event";
import { registerMergeCheck } from "./merge-check";
import { registerMergeProgress } from "./merge-progress";
import { registerMergeUpload } from "./merge-upload";

/** The Send screen (issue 13): choose a template, then one message (fill in, preview, send) or a mail merge from a CSV file; or an event type to its configured recipients (parameters, preview, send). */
export function registerSendScreens(admin: Hono<AdminEnv>): void {
  registerSendChoose(admin);
  registerSendEvent(admin);
  registerSendCompose(admin);
  registerMergeUpload(admin);
  registerMergeCheck(admin);
  registerMergeProgress(admin);
}
