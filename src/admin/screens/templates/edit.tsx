import type { Hono } from "hono";
import type { Channel } from "../../../db/schema";
import { audit } from "../../../services/admin-identity";
import { getTemplate, toTemplateView, updateTemplate } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import type { FormError } from "../../layout";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { checkForm, FORM_FIELDS, readForm, TemplateForm, type TemplateFormValues } from "./form";
import { formErrorsOf, TEMPLATE_ID } from "./shared";

/** GET/POST /admin/templates/{id}/edit: every save that changes something is a new version (manage only). */
export function registerTemplateEdit(admin: Hono<AdminEnv>): void {
  admin.get("/templates/:id/edit", requireAdmin("manage"), async (c) => {
    const id = c.req.param("id");
    if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
    const view = toTemplateView(await getTemplate(await tenantContextOf(c), id));
    const values: TemplateFormValues = {
      name: view.name,
      channel: view.channel,
      subject: view.subject ?? "",
      body: view.body ?? "",
      bodyType: view.bodyType ?? "text",
      renderer: view.renderer,
    };
    return page(c, `Edit ${view.name}`, <EditPage id={view.id} name={view.name} version={view.version} channel={view.channel} values={values} errors={[]} />);
  });

  admin.post("/templates/:id/edit", requireAdmin("manage"), async (c) => {
    const id = c.req.param("id");
    if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
    const ctx = await tenantContextOf(c);
    const current = toTemplateView(await getTemplate(ctx, id));
    const values = { ...readForm(await c.req.parseBody()), channel: current.channel };
    const checked = checkForm(values, current.channel);
    let errors = checked.errors;
    if (checked.content) {
      try {
        const { subject, bodyType, ...rest } = checked.content;
        const saved = await updateTemplate(ctx, current.id, { ...rest, ...(current.channel === "email" ? { subject, bodyType } : {}) });
        if (saved.version === current.version) return c.redirect(`/admin/templates/${current.id}?saved=unchanged`, 303);
        await audit(ctx, "template.update", `template:${current.id}`, { version: saved.version });
        return c.redirect(`/admin/templates/${current.id}?saved=updated`, 303);
      } catch (err) {
        errors = formErrorsOf(err, FORM_FIELDS, "body");
      }
    }
    return page(c, `Error: Edit ${current.name}`, <EditPage id={current.id} name={current.name} version={current.version} channel={current.channel} values={values} errors={errors} />, 422);
  });
}

function EditPage(props: { id: string; name: string; version: number; channel: Channel; values: TemplateFormValues; errors: FormError[] }) {
  return (
    <>
      <a href={`/admin/templates/${props.id}`} class="back-link">
        Back to {props.name}
      </a>
      <span class="caption">Version {props.version}; saving makes version {props.version + 1}</span>
      <h1 class="heading-l">Edit {props.name}</h1>
      <TemplateForm action={`/admin/templates/${props.id}/edit`} values={props.values} errors={props.errors} channel={props.channel} submit="Save new version" />
    </>
  );
}
