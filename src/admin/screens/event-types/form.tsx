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
import { describedBy, errorFor, ErrorSummary, type FormError, FormGroup, page, TextArea, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formString } from "../templates/shared";
import { apiFormErrors, EVENT_TYPES_PATH, loadEventType, resolvedRows, showValue, toFormErrors } from "./shared";

/** Bounds before the API schema's own: a line and the number of lines a list field takes. */
const MAX_LINE = 2000;
const MAX_LINES = 100;
const MAX_LIST = MAX_LINE * MAX_LINES;

/** The form's fields: each channel's template, recipients, sender, attachments and chat targets. */
const TEXT_FIELDS = {
  emailTemplate: 64,
  emailTo: MAX_LIST,
  emailCc: MAX_LIST,
  emailBcc: MAX_LIST,
  emailFrom: 400,
  emailReplyTo: MAX_LIST,
  emailAttachments: MAX_LIST,
  smsTemplate: 64,
  smsTo: MAX_LIST,
  smsSenderId: 64,
  msgAppTemplate: 64,
  msgAppTarget: MAX_LIST,
} as const;
type ChannelField = keyof typeof TEXT_FIELDS;

type Values = { code: string; name: string } & Record<ChannelField, string>;

function readValues(form: Record<string, unknown>): Values {
  const out = { code: formString(form, "code").trim().slice(0, 100), name: formString(form, "name").slice(0, 300) } as Values;
  for (const [field, max] of Object.entries(TEXT_FIELDS) as [ChannelField, number][]) out[field] = formString(form, field).slice(0, max);
  return out;
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, MAX_LINES + 1);

/** The form's one-a-line fields. */
const LIST_FIELDS = ["emailTo", "emailCc", "emailBcc", "emailReplyTo", "emailAttachments", "smsTo", "msgAppTarget"] as const satisfies readonly ChannelField[];

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => v !== null && typeof v === "object" && !Array.isArray(v);

/** Sets `key` to `value`, or removes it when the form left it empty. */
function put(target: Doc, key: string, value: unknown): void {
  if (value === undefined || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0)) delete target[key];
  else target[key] = value;
}

/**
 * A list field whose lines are names (a chat target, an attachment service) or, starting with
 * `{`, a JSON object as the API takes it; a line that is not JSON is an error at the field.
 */
function objectLines(text: string, field: ChannelField, named: (line: string) => unknown): { items: unknown[] } | { error: FormError } {
  const items: unknown[] = [];
  for (const [i, line] of lines(text).entries()) {
    if (!line.startsWith("{")) {
      items.push(named(line));
      continue;
    }
    try {
      items.push(JSON.parse(line));
    } catch {
      return { error: { field, message: `Line ${i + 1} starts with { but is not JSON: give a name, or a JSON object as the API takes it` } };
    }
  }
  return { items };
}

/** `approval-letter` or `approval-letter, letter.pdf`: an attachment service and the file's name. */
const serviceAttachment = (line: string) => {
  const [service, filename] = line.split(",", 2).map((s) => s.trim());
  return filename ? { service, filename } : { service };
};
const attachmentLine = (a: unknown) => {
  if (isObject(a) && typeof a.service === "string" && a.params === undefined && Object.keys(a).every((k) => k === "service" || k === "filename")) return a.filename ? `${a.service}, ${String(a.filename)}` : a.service;
  return JSON.stringify(a);
};
const isInline = (a: unknown) => isObject(a) && a.service === undefined;

/** The content object of a template choice, replacing the stored one (inline content is kept when none is chosen). */
function putTemplate(next: Doc, stored: Doc | undefined, templateId: string): void {
  const content = stored?.content as Doc | undefined;
  const storedIsTemplate = !!content && ("templateId" in content || "template" in content);
  if (templateId) next.content = { templateId };
  else if (storedIsTemplate || !content) delete next.content;
}

/**
 * The event type's channels from the form over what is stored: the form edits templates,
 * recipients, senders, attachment services and chat targets; every other field (subscription,
 * params, callbacks, a reply-to or sender by id, inline files…) is carried over. A channel left
 * empty is removed (null).
 */
function channelsOf(stored: EventDefinition, v: Values): { email: Doc | null; sms: Doc | null; msgApp: Doc | null } | { errors: FormError[] } {
  const errors: FormError[] = [];
  // `lines` keeps one line past the bound only so that a longer list is refused here, never cut short silently.
  for (const field of LIST_FIELDS) {
    if (lines(v[field]).length > MAX_LINES) errors.push({ field, message: `Give at most ${MAX_LINES} lines` });
  }
  if (errors.length > 0) return { errors };

  const storedEmail = stored.email as Doc | undefined;
  const email: Doc = { ...(storedEmail ?? {}) };
  putTemplate(email, storedEmail, v.emailTemplate);
  const emailRecipients: Doc = { ...((storedEmail?.recipients as Doc) ?? {}) };
  put(emailRecipients, "to", lines(v.emailTo));
  put(emailRecipients, "cc", lines(v.emailCc));
  put(emailRecipients, "bcc", lines(v.emailBcc));
  put(email, "recipients", emailRecipients);
  const emailSender: Doc = { ...((storedEmail?.sender as Doc) ?? {}) };
  put(emailSender, "from", v.emailFrom.trim() || undefined);
  put(emailSender, "replyTo", lines(v.emailReplyTo));
  put(email, "sender", emailSender);
  const attachments = objectLines(v.emailAttachments, "emailAttachments", serviceAttachment);
  if ("error" in attachments) errors.push(attachments.error);
  else put(email, "attachments", [...((storedEmail?.attachments as unknown[] | undefined) ?? []).filter(isInline), ...attachments.items]);

  const storedSms = stored.sms as Doc | undefined;
  const sms: Doc = { ...(storedSms ?? {}) };
  putTemplate(sms, storedSms, v.smsTemplate);
  const smsRecipients: Doc = { ...((storedSms?.recipients as Doc) ?? {}) };
  put(smsRecipients, "to", lines(v.smsTo));
  put(sms, "recipients", smsRecipients);
  const smsSender: Doc = { ...((storedSms?.sender as Doc) ?? {}) };
  put(smsSender, "senderId", v.smsSenderId.trim() || undefined);
  put(sms, "sender", smsSender);

  const storedChat = stored.msgApp as Doc | undefined;
  const msgApp: Doc = { ...(storedChat ?? {}) };
  putTemplate(msgApp, storedChat, v.msgAppTemplate);
  const targets = objectLines(v.msgAppTarget, "msgAppTarget", (name) => name);
  if ("error" in targets) errors.push(targets.error);
  else put(msgApp, "target", targets.items.length === 1 ? targets.items[0] : targets.items);

  if (errors.length > 0) return { errors };
  const orNull = (d: Doc) => (Object.keys(d).length > 0 ? d : null);
  return { email: orNull(email), sms: orNull(sms), msgApp: orNull(msgApp) };
}

function valuesOf(code: string, name: string, definition: EventDefinition): Values {
  const channel = (ch: "email" | "sms" | "msgApp") => (definition[ch] ?? {}) as Doc;
  const tpl = (ch: "email" | "sms" | "msgApp") => {
    const content = channel(ch).content as { templateId?: string; template?: { templateId: string } } | undefined;
    return content?.templateId ?? content?.template?.templateId ?? "";
  };
  const list = (v: unknown) => (v === undefined ? "" : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join("\n") : typeof v === "string" ? v : JSON.stringify(v));
  const email = channel("email");
  const recipients = (ch: "email" | "sms") => (channel(ch).recipients ?? {}) as Doc;
  const sender = (ch: "email" | "sms") => (channel(ch).sender ?? {}) as Doc;
  return {
    code,
    name,
    emailTemplate: tpl("email"),
    emailTo: list(recipients("email").to),
    emailCc: list(recipients("email").cc),
    emailBcc: list(recipients("email").bcc),
    emailFrom: (sender("email").from as string | undefined) ?? "",
    emailReplyTo: list(sender("email").replyTo),
    emailAttachments: ((email.attachments as unknown[] | undefined) ?? []).filter((a) => !isInline(a)).map(attachmentLine).join("\n"),
    smsTemplate: tpl("sms"),
    smsTo: list(recipients("sms").to),
    smsSenderId: (sender("sms").senderId as string | undefined) ?? "",
    msgAppTemplate: tpl("msgApp"),
    msgAppTarget: list(channel("msgApp").target),
  };
}

type Templates = Record<"email" | "sms" | "msgApp", TemplateView[]>;

async function templatesOf(ctx: ServiceContext): Promise<Templates> {
  const [email, sms, msgApp] = await Promise.all((["email", "sms", "msgApp"] as const).map(async (channel) => (await listTemplates(ctx, toPageRequest({ limit: 100 }), { channel })).items));
  return { email: email!, sms: sms!, msgApp: msgApp! };
}

/** What each field falls back to when the event type leaves it empty: the tenant's or the system's value and its layer. */
type Inherited = Partial<Record<ChannelField, string>>;

function inheritedOf(ctx: ServiceContext, templates: Templates): Inherited {
  const names = new Map(Object.values(templates).flatMap((list) => list.map((t) => [t.id, t.name] as const)));
  const from = (channel: "email" | "sms" | "msgApp", leaf: string): string => {
    const row = resolvedRows(ctx, "new", {}, channel).find((r) => r.field === leaf);
    if (!row?.source || row.value === undefined) return "nothing";
    const value = leaf === "content.templateId" && typeof row.value === "string" ? (names.get(row.value) ?? row.value) : showValue(row.value);
    return `${value} (${row.source})`;
  };
  return {
    emailTemplate: from("email", "content.templateId"),
    emailCc: from("email", "recipients.cc"),
    emailBcc: from("email", "recipients.bcc"),
    emailFrom: from("email", "sender.from"),
    emailReplyTo: from("email", "sender.replyTo"),
    smsTemplate: from("sms", "content.templateId"),
    smsSenderId: from("sms", "sender.senderId"),
    msgAppTemplate: from("msgApp", "content.templateId"),
  };
}

/** GET/POST /admin/event-types/new and /admin/event-types/{id}/edit (manage only). */
export function registerEventTypeForms(admin: Hono<AdminEnv>): void {
  admin.get("/event-types/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const templates = await templatesOf(ctx);
    return page(c, "Create an event type", <FormPage templates={templates} inherited={inheritedOf(ctx, templates)} values={valuesOf("", "", {})} errors={[]} />);
  });

  admin.post("/event-types/new", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const values = readValues(await c.req.parseBody());
    const channels = channelsOf({}, values);
    let errors: FormError[];
    if ("errors" in channels) errors = channels.errors;
    else {
      const defined = Object.fromEntries(Object.entries(channels).filter(([, d]) => d !== null));
      const parsed = CreateEventTypeSchema.safeParse({ code: values.code, name: values.name, ...defined });
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
    }
    const templates = await templatesOf(ctx);
    return page(c, "Error: Create an event type", <FormPage templates={templates} inherited={inheritedOf(ctx, templates)} values={values} errors={errors} />, 422);
  });

  admin.get("/event-types/:id/edit", requireAdmin("manage"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const templates = await templatesOf(ctx);
    return page(c, `Edit ${view.name}`, <FormPage id={view.id} templates={templates} inherited={inheritedOf(ctx, templates)} values={valuesOf(view.code, view.name, view)} inlineFiles={inlineFiles(view)} errors={[]} />);
  });

  admin.post("/event-types/:id/edit", requireAdmin("manage"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const current = toEventTypeView(loaded);
    const values = { ...readValues(await c.req.parseBody()), code: current.code };
    const channels = channelsOf(current, values);
    let errors: FormError[];
    if ("errors" in channels) errors = channels.errors;
    else {
      const parsed = UpdateEventTypeSchema.safeParse({ name: values.name, ...channels });
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
    }
    const templates = await templatesOf(ctx);
    return page(
      c,
      `Error: Edit ${current.name}`,
      <FormPage id={current.id} templates={templates} inherited={inheritedOf(ctx, templates)} values={values} inlineFiles={inlineFiles(current)} errors={errors} />,
      422,
    );
  });
}

const inlineFiles = (definition: EventDefinition) => ((definition.email?.attachments as unknown[] | undefined) ?? []).filter(isInline).length;

function TemplateSelect(props: { id: string; label: string; items: TemplateView[]; value: string; inherits?: string; error?: string }) {
  return (
    <FormGroup id={props.id} label={props.label} hint={props.inherits && <>None inherits {props.inherits}</>} error={props.error}>
      <select class="select" id={props.id} name={props.id} aria-describedby={describedBy(props.id, props.inherits, props.error)}>
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
    </FormGroup>
  );
}

function FormPage(props: { id?: string; templates: Templates; inherited: Inherited; values: Values; errors: FormError[]; inlineFiles?: number }) {
  const { values, errors, inherited } = props;
  const action = props.id ? `${EVENT_TYPES_PATH}/${props.id}/edit` : `${EVENT_TYPES_PATH}/new`;
  const empty = (field: ChannelField) => (inherited[field] ? ` Empty inherits ${inherited[field]}.` : "");
  const list = (field: ChannelField, label: string, hint: string) => <TextArea id={field} name={field} label={label} hint={hint + empty(field)} value={values[field]} error={errorFor(errors, field)} rows={3} />;
  const text = (field: ChannelField, label: string, hint: string) => <TextField id={field} name={field} label={label} hint={hint + empty(field)} value={values[field]} error={errorFor(errors, field)} autocomplete="off" />;
  const recipients = "One a line. Placeholders ({{emailaddress}}) and groups (group:FundingApprovers) are allowed, as in the API.";
  return (
    <>
      <a href={props.id ? `${EVENT_TYPES_PATH}/${props.id}` : EVENT_TYPES_PATH} class="back-link">
        Back
      </a>
      <ErrorSummary errors={errors} />
      <h1 class="heading-l">{props.id ? `Edit ${values.name || values.code}` : "Create an event type"}</h1>
      <p class="body">Each channel's defaults. A field left empty inherits the tenant's value, else the system's; the hint under each field says what that is now.</p>
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
        <TemplateSelect id="emailTemplate" label="Email template" items={props.templates.email} value={values.emailTemplate} inherits={inherited.emailTemplate} error={errorFor(errors, "emailTemplate")} />
        {list("emailTo", "Email recipients (to)", recipients)}
        {list("emailCc", "Email cc", recipients)}
        {list("emailBcc", "Email bcc", recipients)}
        {text("emailFrom", "Email from", "An address, with a name if you like: Funding Programs <funding@example.gov>.")}
        {list("emailReplyTo", "Email reply-to", "One address a line.")}
        {list("emailAttachments", "Email attachments", "One attachment service a line, with the file's name after a comma if you like: approval-letter, letter.pdf. Or a JSON object as the API takes it.")}
        {(props.inlineFiles ?? 0) > 0 && <p class="body">And {props.inlineFiles} file(s) attached through the API, kept as they are.</p>}
        <h2 class="heading-m">SMS</h2>
        <TemplateSelect id="smsTemplate" label="SMS template" items={props.templates.sms} value={values.smsTemplate} inherits={inherited.smsTemplate} error={errorFor(errors, "smsTemplate")} />
        {list("smsTo", "SMS recipients", "One a line. Placeholders ({{phonenumber}}) and groups (group:name) are allowed.")}
        {text("smsSenderId", "SMS sender", "A phone number or an alphanumeric sender id.")}
        <h2 class="heading-m">Chat</h2>
        <TemplateSelect id="msgAppTemplate" label="Chat template" items={props.templates.msgApp} value={values.msgAppTemplate} inherits={inherited.msgAppTemplate} error={errorFor(errors, "msgAppTemplate")} />
        {list("msgAppTarget", "Chat targets", "One a line: the name of a target in your tenant defaults.")}
        <button type="submit" class="button">
          Save event type
        </button>
      </form>
    </>
  );
}
