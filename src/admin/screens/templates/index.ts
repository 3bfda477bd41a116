import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerTemplateCreate } from "./create";
import { registerTemplateEdit } from "./edit";
import { registerTemplateList } from "./list";
import { registerTemplatePreview } from "./preview";
import { registerTemplateView } from "./view";

/** The Templates screens (issue 13): list, view with versions and diff, create, edit, preview. */
export function registerTemplateScreens(admin: Hono<AdminEnv>): void {
  registerTemplateList(admin);
  // Before /templates/:id, which would otherwise take "new".
  registerTemplateCreate(admin);
  registerTemplateView(admin);
  registerTemplateEdit(admin);
  registerTemplatePreview(admin);
}
