import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { createTemplate } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { channelOf, checkForm, FORM_FIELDS, readForm, TemplateForm, type TemplateFormValues } from "./form";
import { formErrorsOf } from "./shared";

const EMPTY: TemplateFormValues = { name: "", channel: "", subject: "", body: "", bodyType: "text", renderer: "mustache" };

/** GET/POST /admin/templates/new: a new template, version 1 (manage only). */
export function registerTemplateCreate(admin: Hono<AdminEnv>): void {
  admin.get("/templates/new", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Create a template", <CreatePage values={EMPTY} errors={[]} />);
  });

  admin.post("/templates/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const values = readForm(await c.req.parseBody());
    const channel = channelOf(values.channel);
    const checked = checkForm(values, channel);
    let errors = checked.errors;
    if (checked.content && channel) {
      try {
        const { subject, ...rest } = checked.content;
        const view = await createTemplate(ctx, { ...rest, channel, ...(subject !== null ? { subject } : {}) });
        await audit(ctx, "template.create", `template:${view.id}`, { version: view.version, channel });
        return c.redirect(`/admin/templates/${view.id}?saved=created`, 303);
      } catch (err) {
        errors = formErrorsOf(err, FORM_FIELDS, "body");
      }
    }
    return page(c, "Error: Create a template", <CreatePage values={values} errors={errors} />, 422);
  });
}

function CreatePage(props: { values: TemplateFormValues; errors: ReturnType<typeof checkForm>["errors"] }) {
  return (
    <>
      <a href="/admin/templates" class="back-link">
        Back to templates
      </a>
      <h1 class="heading-l">Create a template</h1>
      <TemplateForm action="/admin/templates/new" values={props.values} errors={props.errors} submit="Save template" />
    </>
  );
}
