import type { Hono } from "hono";
import { zodIssuesToFieldErrors } from "../../../lib/errors/zod-issues";
import { toPageRequest } from "../../../lib/pagination";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import { createEventType, toEventTypeView, updateEventType } from "../../../services/event-types/event-types";
import { CreateEventTypeSchema, type EventDefinition, UpdateEventTypeSchema } from "../../../services/event-types/schema";
import { listTemplates, type TemplateView } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formString, TextArea } from "../templates/shared";
import { apiFormErrors, EVENT_TYPES_PATH, loadEventType, toFormErrors } from "./shared";

/** Bounds before the API schema's own: a recipient line and the number of lines the API takes. */
const MAX_LINE = 1000;
const MAX_LINES = 100;

interface Values {
  code: string;
  name: string;
  emailTemplate: string;
  emailTo: string;
  smsTemplate: string;
  smsTo: string;
}

function readValues(form: Record<string, unknown>): Values {
  return {
    code: formString(form, "code").trim().slice(0, 100),
    name: formString(form, "name").slice(0, 300),
    emailTemplate: formString(form, "emailTemplate").slice(0, 64),
    emailTo: formString(form, "emailTo").slice(0, MAX_LINE * MAX_LINES),
    smsTemplate: formString(form, "smsTemplate").slice(0, 64),
    smsTo: formString(form, "smsTo").slice(0, MAX_LINE * MAX_LINES),
  };
}

const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, MAX_LINES + 1);

/**
 * One channel from the form over what is stored: the form edits the template and `to`; every
 * other field (cc, sender, params…) is carried over. Nothing left → the channel is removed (null).
 */
function channelOf(stored: Record<string, unknown> | undefined, templateId: string, to: string): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(stored ?? {}) };
  const storedContent = stored?.content as Record<string, unknown> | undefined;
  const storedIsTemplate = !!storedContent && ("templateId" in storedContent || "template" in storedContent);
  if (templateId) next.content = { templateId };
  else if (storedIsTemplate || !storedContent) delete next.content;
  const recipients: Record<string, unknown> = { ...((stored?.recipients as Record<string, unknown>) ?? {}) };
  const list = lines(to);
  if (list.length > 0) recipients.to = list;
  else delete recipients.to;
  if (Object.keys(recipients).length > 0) next.recipients = recipients;
  else delete next.recipients;
  return Object.keys(next).length > 0 ? next : null;
}

function valuesOf(code: string, name: string, definition: EventDefinition): Values {
  const tpl = (ch: "email" | "sms") => {
    const content = definition[ch]?.content as { templateId?: string; template?: { templateId: string } } | undefined;
    return content?.templateId ?? content?.template?.templateId ?? "";
  };
  const to = (ch: "email" | "sms") => {
    const v = definition[ch]?.recipients?.to;
    return v === undefined ? "" : Array.isArray(v) ? v.join("\n") : v;
  };
  return { code, name, emailTemplate: tpl("email"), emailTo: to("email"), smsTemplate: tpl("sms"), smsTo: to("sms") };
}

async function templatesOf(ctx: ServiceContext) {
  const [email, sms] = await Promise.all((["email", "sms"] as const).map(async (channel) => (await listTemplates(ctx, toPageRequest({ limit: 100 }), { channel })).items));
  return { email: email!, sms: sms! };
}

/** GET/POST /admin/event-types/new and /admin/event-types/{id}/edit (manage only). */
export function registerEventTypeForms(admin: Hono<AdminEnv>): void {
  admin.get("/event-types/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    return page(c, "Create an event type", <FormPage templates={await templatesOf(ctx)} values={valuesOf("", "", {})} errors={[]} />);
  });

  admin.post("/event-types/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const values = readValues(await c.req.parseBody());
    const email = channelOf(undefined, values.emailTemplate, values.emailTo);
    const sms = channelOf(undefined, values.smsTemplate, values.smsTo);
    const parsed = CreateEventTypeSchema.safeParse({ code: values.code, name: values.name, ...(email ? { email } : {}), ...(sms ? { sms } : {}) });
    let errors: FormError[];
    if (!parsed.success) errors = toFormErrors(zodIssuesToFieldErrors(parsed.error), "name");
    else {
      try {
        const view = await createEventType(ctx, parsed.data);
        await audit(ctx, "event_type.create", `event_type:${view.id}`, { code: view.code, version: view.version });
        return c.redirect(`${EVENT_TYPES_PATH}/${view.id}?saved=created`, 303);
      } catch (err) {
        errors = apiFormErrors(err, "name");
      }
    }
    return page(c, "Error: Create an event type", <FormPage templates={await templatesOf(ctx)} values={values} errors={errors} />, 422);
  });

  admin.get("/event-types/:id/edit", requireAdmin("manage"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    return page(c, `Edit ${view.name}`, <FormPage id={view.id} templates={await templatesOf(ctx)} values={valuesOf(view.code, view.name, view)} errors={[]} />);
  });

  admin.post("/event-types/:id/edit", requireAdmin("manage"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const current = toEventTypeView(loaded);
    const values = { ...readValues(await c.req.parseBody()), code: current.code };
    const email = channelOf(current.email as Record<string, unknown> | undefined, values.emailTemplate, values.emailTo);
    const sms = channelOf(current.sms as Record<string, unknown> | undefined, values.smsTemplate, values.smsTo);
    const parsed = UpdateEventTypeSchema.safeParse({ name: values.name, email, sms });
    let errors: FormError[];
    if (!parsed.success) errors = toFormErrors(zodIssuesToFieldErrors(parsed.error), "name");
    else {
      try {
        const saved = await updateEventType(ctx, current.id, parsed.data);
        if (saved.version === current.version) return c.redirect(`${EVENT_TYPES_PATH}/${current.id}?saved=unchanged`, 303);
        await audit(ctx, "event_type.update", `event_type:${current.id}`, { version: saved.version });
        return c.redirect(`${EVENT_TYPES_PATH}/${current.id}?saved=updated`, 303);
      } catch (err) {
        errors = apiFormErrors(err, "name");
      }
    }
    return page(c, `Error: Edit ${current.name}`, <FormPage id={current.id} templates={await templatesOf(ctx)} values={values} errors={errors} />, 422);
  });
}

function TemplateSelect(props: { id: string; label: string; items: TemplateView[]; value: string; error?: string }) {
  return (
    <div class={props.error ? "form-group form-group--error" : "form-group"}>
      <label class="label" for={props.id}>
        {props.label}
      </label>
      {props.error && (
        <p id={`${props.id}-error`} class="error-message">
          <span class="visually-hidden">Error:</span> {props.error}
        </p>
      )}
      <select class="select" id={props.id} name={props.id} aria-describedby={props.error ? `${props.id}-error` : undefined}>
        <option value="" selected={props.value === ""}>
          None (inherit)
        </option>
        {props.items.map((t) => (
          <option value={t.id} selected={props.value === t.id}>
            {t.name}
          </option>
        ))}
        {props.value && !props.items.some((t) => t.id === props.value) && (
          <option value={props.value} selected>
            {props.value}
          </option>
        )}
      </select>
    </div>
  );
}

function FormPage(props: { id?: string; templates: { email: TemplateView[]; sms: TemplateView[] }; values: Values; errors: FormError[] }) {
  const { values, errors } = props;
  const action = props.id ? `${EVENT_TYPES_PATH}/${props.id}/edit` : `${EVENT_TYPES_PATH}/new`;
  const recipientsHint = "One a line. Placeholders ({{emailaddress}}) and groups (group:name) are allowed, as in the API";
  return (
    <>
      <a href={props.id ? `${EVENT_TYPES_PATH}/${props.id}` : EVENT_TYPES_PATH} class="back-link">
        Back
      </a>
      <ErrorSummary errors={errors} />
      <h1 class="heading-l">{props.id ? `Edit ${values.name || values.code}` : "Create an event type"}</h1>
      <form method="post" action={action} novalidate>
        {props.id ? (
          <p class="body">
            Code <span class="code">{values.code}</span> (fixed)
          </p>
        ) : (
          <TextField id="code" name="code" label="Code" hint="What senders name in notificationEventType: lower-case letters, digits, '.', '_' and '-'" value={values.code} error={errorFor(errors, "code")} autocomplete="off" />
        )}
        <TextField id="name" name="name" label="Name" value={values.name} error={errorFor(errors, "name")} autocomplete="off" />
        <h2 class="heading-m">Email</h2>
        <TemplateSelect id="emailTemplate" label="Email template" items={props.templates.email} value={values.emailTemplate} error={errorFor(errors, "emailTemplate")} />
        <TextArea id="emailTo" name="emailTo" label="Email recipients" hint={recipientsHint} value={values.emailTo} error={errorFor(errors, "emailTo")} rows={4} />
        <h2 class="heading-m">SMS</h2>
        <TemplateSelect id="smsTemplate" label="SMS template" items={props.templates.sms} value={values.smsTemplate} error={errorFor(errors, "smsTemplate")} />
        <TextArea id="smsTo" name="smsTo" label="SMS recipients" hint="One a line. Placeholders ({{phone}}) and groups (group:name) are allowed" value={values.smsTo} error={errorFor(errors, "smsTo")} rows={4} />
        <button type="submit" class="button">
          Save event type
        </button>
      </form>
    </>
  );
}
