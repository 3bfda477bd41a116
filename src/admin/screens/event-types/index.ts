import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerEventTypeForms } from "./form";
import { registerEventTypeViews } from "./list";
import { registerEventTypePreview } from "./preview";
import { registerEventTypeTestSend } from "./test-send";

/** The Event types screens (issue 13): list, view with inherited values, create, edit, preview with provenance, send me a test. */
export function registerEventTypeScreens(admin: Hono<AdminEnv>): void {
  // Forms first: /event-types/new must not be read as an id.
  registerEventTypeForms(admin);
  registerEventTypeViews(admin);
  registerEventTypePreview(admin);
  registerEventTypeTestSend(admin);
}
