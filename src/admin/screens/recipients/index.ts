import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerGroupDelete } from "./group-delete";
import { registerGroupForm } from "./group-form";
import { registerGroupList } from "./group-list";
import { registerGroupView } from "./group-view";
import { registerGuestList } from "./guest-list";
import { registerSuppressionAdd } from "./suppression-add";
import { registerSuppressionList } from "./suppression-list";
import { registerSuppressionRemove } from "./suppression-remove";

/** The Recipients screens (issue 13): groups and their members, suppressions with reasons, the guest list. */
export function registerRecipientScreens(admin: Hono<AdminEnv>): void {
  registerGroupList(admin);
  // Before /recipients/groups/:groupId, which would otherwise take "new".
  registerGroupForm(admin);
  registerGroupView(admin);
  registerGroupDelete(admin);
  registerSuppressionList(admin);
  registerSuppressionAdd(admin);
  registerSuppressionRemove(admin);
  registerGuestList(admin);
}
