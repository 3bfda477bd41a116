import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerActivityCancel } from "./cancel";
import { registerActivityDetail } from "./detail";
import { registerActivityList } from "./list";
import { registerActivityReplay } from "./replay";

/** The Activity screens (issue 13): the notification list, a notification's page, cancel and replay. */
export function registerActivity(admin: Hono<AdminEnv>): void {
  registerActivityList(admin);
  // Before the detail route: `/activity/:notifyId` must not swallow the longer paths' GETs.
  registerActivityCancel(admin);
  registerActivityReplay(admin);
  registerActivityDetail(admin);
}
