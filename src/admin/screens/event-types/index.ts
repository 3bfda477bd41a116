import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerEventTypeForms } from "./form";
import { registerEventTypeViews } from "./list";
import { registerEventTypePreview } from "./preview";

/** The Event types screens (issue 13): list, view with inherited values, create, edit, preview with provenance. */
export function registerEventTypeScreens(admin: Hono<AdminEnv>): void {
  // Forms first: /event-types/new must not be read as an id.
  registerEventTypeForms(admin);
  registerEventTypeViews(admin);
  registerEventTypePreview(admin);
}
