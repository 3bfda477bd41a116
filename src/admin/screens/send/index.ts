import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerSendChoose } from "./choose";
import { registerSendCompose } from "./compose";

/** The one-off Send screen (issue 13): choose a template, fill it in, preview, send. */
export function registerSendScreens(admin: Hono<AdminEnv>): void {
  registerSendChoose(admin);
  registerSendCompose(admin);
}
