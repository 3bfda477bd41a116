import type { Hono } from "hono";
import { hasUnsafeText } from "../../../lib/display-name";
import { audit } from "../../../services/admin-identity";
import { createGroup, getGroup, GROUP_NAME_PATTERN, GROUP_NAME_RULE, MAX_GROUP_MEMBERS, toGroupView, updateGroup } from "../../../services/groups/groups";
import type { GroupMember } from "../../../db/schema";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { errorFor, ErrorSummary, type FormError, page, TextArea, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { apiFormErrors, formatMembers, formString, idParam, MAX_LINE_CHARS, memberLineOf, parseMembers } from "./shared";

interface GroupFormValues {
  name: string;
  description: string;
  members: string;
  /** The group's updatedAt (ms) when the edit form was opened, so a save over someone else's is refused. */
  version?: string;
}

interface CheckedGroup {
  input: { name: string; description: string | null; members: GroupMember[] } | null;
  lines: number[];
  errors: FormError[];
}

/** The textarea's bound: every member line at its longest, plus line breaks. */
const MAX_MEMBERS_TEXT = MAX_GROUP_MEMBERS * (MAX_LINE_CHARS + 2);

function readForm(form: Record<string, unknown>): GroupFormValues {
  const version = formString(form, "version", 20);
  return {
    name: formString(form, "name", 200).trim(),
    description: formString(form, "description", 2000).trim(),
    members: formString(form, "members", MAX_MEMBERS_TEXT + 1),
    ...(/^\d{1,15}$/.test(version) ? { version } : {}),
  };
}

/** The form's own checks (the API schema's rules); addresses and numbers are the service's. */
function checkForm(values: GroupFormValues): CheckedGroup {
  const errors: FormError[] = [];
  if (!values.name) errors.push({ field: "name", message: "Enter a name for the group" });
  else if (!GROUP_NAME_PATTERN.test(values.name)) errors.push({ field: "name", message: `Name: ${GROUP_NAME_RULE}` });
  if (values.description.length > 1000) errors.push({ field: "description", message: "Description must be 1000 characters or fewer" });
  else if (hasUnsafeText(values.description.replace(/\r?\n/g, " "))) errors.push({ field: "description", message: "Description must not contain control characters" });
  if (values.members.length > MAX_MEMBERS_TEXT) {
    errors.push({ field: "members", message: `Members: at most ${MAX_GROUP_MEMBERS} lines` });
    return { input: null, lines: [], errors };
  }
  const parsed = parseMembers(values.members, "members");
  errors.push(...parsed.errors.slice(0, 20));
  if (parsed.members.length > MAX_GROUP_MEMBERS) errors.push({ field: "members", message: `Members: at most ${MAX_GROUP_MEMBERS}, not ${parsed.members.length}` });
  if (errors.length > 0) return { input: null, lines: parsed.lines, errors };
  return { input: { name: values.name, description: values.description || null, members: parsed.members }, lines: parsed.lines, errors };
}

/** The group service's field errors, each member's named by its line (`members[3]` → its line). */
function serviceErrors(err: unknown, lines: number[]): FormError[] {
  return apiFormErrors(err, "members", (path, message) => {
    if (path === "name") return { field: "name", message: `Name: ${message}` };
    const line = memberLineOf(path, lines);
    const worded = message.replace(/members\[(\d+)\]/g, (_, i: string) => `line ${lines[Number(i)] ?? "?"}`);
    return { field: "members", message: line !== null ? `Line ${line}: ${worded}` : worded };
  });
}

/** GET/POST /admin/recipients/groups/new and …/:groupId/edit (manage): name, description and members. */
export function registerGroupForm(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/groups/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Create a group", <GroupPage heading="Create a group" action="/admin/recipients/groups/new" back="/admin/recipients/groups" values={{ name: "", description: "", members: "" }} errors={[]} />);
  });

  admin.post("/recipients/groups/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const values = readForm(await c.req.parseBody());
    const checked = checkForm(values);
    let errors = checked.errors;
    if (checked.input) {
      try {
        const group = await createGroup(ctx, checked.input);
        await audit(ctx, "group.create", `group:${group.id}`, { name: group.name, members: group.counts.members });
        return c.redirect(`/admin/recipients/groups/${group.id}?saved=created`, 303);
      } catch (err) {
        errors = serviceErrors(err, checked.lines);
      }
    }
    return page(c, "Error: Create a group", <GroupPage heading="Create a group" action="/admin/recipients/groups/new" back="/admin/recipients/groups" values={values} errors={errors} />, 422);
  });

  admin.get("/recipients/groups/:groupId/edit", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const group = toGroupView(await getGroup(ctx, idParam(c.req.param("groupId"))));
    const values = { name: group.name, description: group.description ?? "", members: formatMembers(group.members), version: String(Date.parse(group.updatedAt)) };
    return page(c, `Edit group ${group.name}`, <GroupPage heading={`Edit group ${group.name}`} action={`/admin/recipients/groups/${group.id}/edit`} back={`/admin/recipients/groups/${group.id}`} values={values} errors={[]} />);
  });

  admin.post("/recipients/groups/:groupId/edit", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const id = idParam(c.req.param("groupId"));
    const values = readForm(await c.req.parseBody());
    const checked = checkForm(values);
    let errors = checked.errors;
    if (checked.input) {
      try {
        const group = await updateGroup(ctx, id, checked.input, values.version ? { unchangedSince: new Date(Number(values.version)) } : {});
        await audit(ctx, "group.update", `group:${group.id}`, { name: group.name, members: group.counts.members });
        return c.redirect(`/admin/recipients/groups/${group.id}?saved=updated`, 303);
      } catch (err) {
        errors = serviceErrors(err, checked.lines);
      }
    } else {
      // Another tenant's id is a 404 page even when the form is wrong.
      await getGroup(ctx, id);
    }
    return page(c, "Error: Edit group", <GroupPage heading="Edit group" action={`/admin/recipients/groups/${id}/edit`} back={`/admin/recipients/groups/${id}`} values={values} errors={errors} />, 422);
  });
}

function GroupPage(props: { heading: string; action: string; back: string; values: GroupFormValues; errors: FormError[] }) {
  const { values, errors } = props;
  const membersErrors = errors.filter((e) => e.field === "members").map((e) => e.message);
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={props.back}>
        Back
      </a>
      <h1 class="heading-l">{props.heading}</h1>
      <form method="post" action={props.action} novalidate>
        {values.version && <input type="hidden" name="version" value={values.version} />}
        <TextField id="name" name="name" label="Name" hint={`Recipient lists name it as group:<name>. ${GROUP_NAME_RULE}.`} value={values.name} error={errorFor(errors, "name")} autocomplete="off" />
        <TextField id="description" name="description" label="Description (optional)" value={values.description} error={errorFor(errors, "description")} autocomplete="off" />
        <TextArea
          id="members"
          name="members"
          label="Members"
          hint={`One member a line: a name, an email address and a phone number, separated by commas, any of them optional but one address or number; add "opted out" to keep a member who is skipped. Put a name in double quotes when it holds a comma or could be read as an address, a number or "opted out". At most ${MAX_GROUP_MEMBERS}.`}
          value={values.members}
          error={membersErrors.length > 0 ? membersErrors.join(". ") : undefined}
          rows={12}
        />
        <button type="submit" class="button">
          Save group
        </button>
      </form>
    </>
  );
}
