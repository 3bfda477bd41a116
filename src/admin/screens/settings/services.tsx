import type { Context, Hono } from "hono";
import type { ServiceKind } from "../../../db/schema/tenant-services";
import { ApiError } from "../../../lib/errors/api-error";
import { permits } from "../../../middleware/auth";
import { CreateSchemas, UpdateSchemas } from "../../../routes/services/schemas";
import { audit } from "../../../services/admin-identity";
import type { ServiceContext } from "../../../services/context";
import { KIND_SEGMENT, SERVICE_LIMITS, type SubscriptionResponseMapping } from "../../../services/tenant-services/config";
import type { RequestMapping } from "../../../services/tenant-services/mapping";
import { createService, deleteService, getService, listServices, type ServiceView, toServiceView, updateService } from "../../../services/tenant-services/tenant-services";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { describedBy, errorFor, ErrorSummary, type FormError, FormGroup, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ConfirmPage } from "../../confirm";
import { Checkbox, formText, Notice, ownRow, SecretField, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow, when } from "./shared";

const SERVICES_PATH = `${SETTINGS_PATH}/services`;
const KINDS: ServiceKind[] = ["subscription", "attachment"];
const TITLE: Record<ServiceKind, { one: string; many: string; hint: string }> = {
  subscription: { one: "subscription service", many: "Subscription services", hint: "Asked who should receive a notification when a send names it" },
  attachment: { one: "attachment service", many: "Attachment services", hint: "Asked for a document (a PDF letter, …) to attach to an email when it is delivered" },
};
const pathOf = (kind: ServiceKind) => `${SERVICES_PATH}/${KIND_SEGMENT[kind]}`;

/** The form as typed (strings, so a refused value is shown back); the auth header's value is never in it. */
interface ServiceForm {
  name: string;
  url: string;
  authHeaderName: string;
  removeAuthHeader: boolean;
  timeoutMs: string;
  requestMapping: string;
  responseEmailTo: string;
  responseEmailCc: string;
  responseEmailBcc: string;
  responseSms: string;
  filename: string;
}

const EMPTY: ServiceForm = { name: "", url: "", authHeaderName: "", removeAuthHeader: false, timeoutMs: "", requestMapping: "", responseEmailTo: "", responseEmailCc: "", responseEmailBcc: "", responseSms: "", filename: "" };

/** A stored request mapping as form lines: a list one name a line, an object `name = template` a line. */
function mappingLines(mapping: RequestMapping | null): string {
  if (!mapping) return "";
  return Array.isArray(mapping) ? mapping.join("\n") : Object.entries(mapping).map(([k, v]) => `${k} = ${v}`).join("\n");
}

/**
 * Form lines as a request mapping: bare names are a list; any `name = template` line makes an
 * object, where a bare name passes that param as is (`name = {{name}}`). Empty: none.
 */
function parseMapping(text: string): { mapping?: RequestMapping; error?: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return {};
  const pairs = lines.map((line) => {
    const at = line.indexOf("=");
    return at < 0 ? { key: line, value: undefined } : { key: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
  });
  const empty = pairs.findIndex((p) => !p.key);
  if (empty >= 0) return { error: `Line ${empty + 1}: give the param's name before the =` };
  const repeated = pairs.findIndex((p, i) => pairs.findIndex((o) => o.key === p.key) !== i);
  if (repeated >= 0) return { error: `Line ${repeated + 1}: ${pairs[repeated]!.key} is listed twice` };
  if (pairs.every((p) => p.value === undefined)) return { mapping: pairs.map((p) => p.key) };
  return { mapping: Object.fromEntries(pairs.map((p) => [p.key, p.value ?? `{{${p.key}}}`])) };
}

function formOf(view: ServiceView): ServiceForm {
  const rm = "responseMapping" in view ? view.responseMapping : null;
  const email = rm?.email;
  return {
    name: view.name,
    url: view.url,
    authHeaderName: view.authHeader?.name ?? "",
    removeAuthHeader: false,
    timeoutMs: String(view.timeoutMs),
    requestMapping: mappingLines(view.requestMapping),
    responseEmailTo: typeof email === "string" ? email : (email?.to ?? ""),
    responseEmailCc: typeof email === "object" ? (email.cc ?? "") : "",
    responseEmailBcc: typeof email === "object" ? (email.bcc ?? "") : "",
    responseSms: rm?.sms ?? "",
    filename: "filename" in view ? (view.filename ?? "") : "",
  };
}

async function readForm(c: Context<AdminEnv>): Promise<{ form: ServiceForm; authValue: string }> {
  const body = await c.req.parseBody();
  return {
    form: {
      name: formText(body, "name", 100).trim(),
      url: formText(body, "url", 2100).trim(),
      authHeaderName: formText(body, "authHeaderName", 100).trim(),
      removeAuthHeader: formText(body, "removeAuthHeader") === "on",
      timeoutMs: formText(body, "timeoutMs", 20).trim(),
      requestMapping: formText(body, "requestMapping", 40_000),
      responseEmailTo: formText(body, "responseEmailTo", 600).trim(),
      responseEmailCc: formText(body, "responseEmailCc", 600).trim(),
      responseEmailBcc: formText(body, "responseEmailBcc", 600).trim(),
      responseSms: formText(body, "responseSms", 600).trim(),
      filename: formText(body, "filename", 300).trim(),
    },
    authValue: formText(body, "authHeaderValue", 4200),
  };
}

/** Where each schema or service path's error shows. */
function fieldOf(path: string): string | undefined {
  if (path.startsWith("authHeader.value")) return "authHeaderValue";
  if (path.startsWith("authHeader")) return "authHeaderName";
  if (path.startsWith("requestMapping")) return "requestMapping";
  if (path.startsWith("responseMapping.email.cc")) return "responseEmailCc";
  if (path.startsWith("responseMapping.email.bcc")) return "responseEmailBcc";
  if (path.startsWith("responseMapping.sms")) return "responseSms";
  if (path.startsWith("responseMapping")) return "responseEmailTo";
  for (const f of ["name", "url", "timeoutMs", "filename"]) if (path.startsWith(f)) return f;
  return undefined;
}

const TIMEOUT_MESSAGE = `Enter a whole number of milliseconds from ${SERVICE_LIMITS.minTimeoutMs} to ${SERVICE_LIMITS.maxTimeoutMs}`;

/**
 * The API body the form asks for (create, or the patch of `current`), or the form's own errors.
 * Every field the form shows is sent, so an edit replaces them all; the auth header is sent only
 * when a value is typed (replace) or removal is asked for, so the sealed one is otherwise kept.
 */
function bodyOf(kind: ServiceKind, form: ServiceForm, authValue: string, current: ServiceView | null): { body: Record<string, unknown>; errors: FormError[] } {
  const errors: FormError[] = [];
  const body: Record<string, unknown> = { name: form.name, url: form.url };
  const clear = current ? null : undefined;
  if (form.removeAuthHeader && current) {
    if (authValue) errors.push({ field: "authHeaderValue", message: "Either type a new value or remove the header, not both" });
    body.authHeader = null;
  } else if (authValue) {
    body.authHeader = { name: form.authHeaderName, value: authValue };
    if (!form.authHeaderName) errors.push({ field: "authHeaderName", message: "Enter the header's name, for example Authorization" });
  } else if (form.authHeaderName && form.authHeaderName !== (current?.authHeader?.name ?? "")) {
    errors.push({ field: "authHeaderValue", message: current?.authHeader ? "Type the value again to change the header's name: the header is replaced whole" : "Enter the header's value" });
  }
  body.timeoutMs = form.timeoutMs === "" ? clear : /^\d{1,9}$/.test(form.timeoutMs) ? Number(form.timeoutMs) : form.timeoutMs;
  const mapping = parseMapping(form.requestMapping);
  if (mapping.error) errors.push({ field: "requestMapping", message: mapping.error });
  body.requestMapping = mapping.mapping ?? clear;
  if (kind === "subscription") {
    const roles = { to: form.responseEmailTo, cc: form.responseEmailCc, bcc: form.responseEmailBcc };
    const email = roles.cc || roles.bcc ? Object.fromEntries(Object.entries(roles).filter(([, v]) => v)) : roles.to || undefined;
    const rm: SubscriptionResponseMapping = { ...(email ? { email } : {}), ...(form.responseSms ? { sms: form.responseSms } : {}) };
    if (!email && !form.responseSms) errors.push({ field: "responseEmailTo", message: "Give where the answer lists email addresses, phone numbers or both" });
    body.responseMapping = rm;
  } else {
    body.filename = form.filename || clear;
  }
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return { body, errors };
}

/** The form's errors, then the API schema's, then the service's (URL policy, paths, a taken name). */
async function save(ctx: ServiceContext, kind: ServiceKind, form: ServiceForm, authValue: string, current: ServiceView | null): Promise<{ view?: ServiceView; errors: FormError[]; status: 409 | 422 }> {
  const { body, errors } = bodyOf(kind, form, authValue, current);
  if (!form.name) errors.unshift({ field: "name", message: "Enter a name" });
  if (!form.url) errors.push({ field: "url", message: "Enter the service's URL" });
  const parsed = (current ? UpdateSchemas[kind] : CreateSchemas[kind]).safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path.map(String).join(".")) ?? "name";
      if (!errors.some((e) => e.field === field)) errors.push({ field, message: field === "timeoutMs" ? TIMEOUT_MESSAGE : issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { errors, status: 422 };
  try {
    const input = parsed.data as Parameters<typeof updateService>[3] & Parameters<typeof createService>[2];
    const view = current ? await updateService(ctx, kind, current.id, input) : await createService(ctx, kind, input);
    return { view, errors: [], status: 422 };
  } catch (err) {
    // A taken name is the service's 409; every other refusal a 422.
    return { errors: serviceFormErrors(err, fieldOf, "name"), status: err instanceof ApiError && err.status === 409 ? 409 : 422 };
  }
}

const ownService = (ctx: ServiceContext, kind: ServiceKind, id: string) => ownRow(TITLE[kind].one, id, (own) => getService(ctx, kind, own)).then(toServiceView);

/**
 * Settings → subscription and attachment services (services/tenant-services). `GET
 * /admin/settings/services` and a service's page (read); create, edit and delete after a
 * confirmation page (manage), as the API's routes, checked by the API's own schemas and then the
 * service (outbound-URL policy, mappings, a taken name), each refusal at its field. The auth
 * header's value is typed, sealed and never shown again; an edit keeps it unless a new value is
 * typed or its removal asked for. Audited `service.created` / `updated` / `deleted`.
 */
export function registerServiceScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/services", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const [subscriptions, attachments] = await Promise.all(KINDS.map((kind) => listServices(ctx, kind, { limit: SERVICE_LIMITS.maxPerKind })));
    const notice = { deleted: "Service deleted" }[c.req.query("done") ?? ""];
    return page(
      c,
      "Subscription and attachment services",
      <ListPage tenantName={ctx.tenant.name} lists={{ subscription: subscriptions!.items, attachment: attachments!.items }} canManage={permits({ permissions: ctx.principal.permissions }, "manage")} notice={notice} />,
    );
  });

  for (const kind of KINDS) {
    const base = `/settings/services/${KIND_SEGMENT[kind]}`;
    admin.get(`${base}/new`, requireAdmin("manage"), async (c) => {
      await tenantContextOf(c);
      return page(c, `Add a ${TITLE[kind].one}`, <FormPage kind={kind} form={EMPTY} errors={[]} />);
    });

    admin.post(base, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const { form, authValue } = await readForm(c);
      const { view, errors, status } = await save(ctx, kind, form, authValue, null);
      if (view) {
        await audit(ctx, "service.created", `tenant_service:${view.id}`, { kind, name: view.name, authHeader: !!view.authHeader });
        return c.redirect(`${pathOf(kind)}/${view.id}?done=added`, 303);
      }
      return page(c, `Add a ${TITLE[kind].one}`, <FormPage kind={kind} form={form} errors={errors} />, status);
    });

    admin.get(`${base}/:id`, requireAdmin("read"), async (c) => {
      const ctx = await tenantContextOf(c);
      const view = await ownService(ctx, kind, c.req.param("id"));
      const notice = { added: "Service added", saved: "Service saved" }[c.req.query("done") ?? ""];
      return page(c, `${TITLE[kind].one} ${view.name}`, <ViewPage view={view} canManage={permits({ permissions: ctx.principal.permissions }, "manage")} notice={notice} />);
    });

    admin.get(`${base}/:id/edit`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const view = await ownService(ctx, kind, c.req.param("id"));
      return page(c, `Change ${TITLE[kind].one}`, <FormPage kind={kind} current={view} form={formOf(view)} errors={[]} />);
    });

    admin.post(`${base}/:id`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const current = await ownService(ctx, kind, c.req.param("id"));
      const { form, authValue } = await readForm(c);
      const { view, errors, status } = await save(ctx, kind, form, authValue, current);
      if (view) {
        const authHeader = authValue ? "replaced" : form.removeAuthHeader ? "removed" : "kept";
        await audit(ctx, "service.updated", `tenant_service:${view.id}`, { kind, name: view.name, authHeader });
        return c.redirect(`${pathOf(kind)}/${view.id}?done=saved`, 303);
      }
      return page(c, `Change ${TITLE[kind].one}`, <FormPage kind={kind} current={current} form={form} errors={errors} />, status);
    });

    admin.get(`${base}/:id/delete`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      return page(c, `Delete ${TITLE[kind].one}`, <ConfirmDelete view={await ownService(ctx, kind, c.req.param("id"))} />);
    });

    admin.post(`${base}/:id/delete`, requireAdmin("manage"), async (c) => {
      const ctx = await tenantContextOf(c);
      const view = await ownService(ctx, kind, c.req.param("id"));
      await ownRow(TITLE[kind].one, view.id, (id) => deleteService(ctx, kind, id));
      await audit(ctx, "service.deleted", `tenant_service:${view.id}`, { kind, name: view.name });
      return c.redirect(`${SERVICES_PATH}?done=deleted`, 303);
    });
  }
}

function ListPage(props: { tenantName: string; lists: Record<ServiceKind, ServiceView[]>; canManage: boolean; notice?: string }) {
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Subscription and attachment services" notice={props.notice} />
      <p class="body">Your own systems that the service calls while a notification is processed. Auth header values are stored encrypted and never shown.</p>
      {KINDS.map((kind) => (
        <>
          <h2 class="heading-m">{TITLE[kind].many}</h2>
          <p class="hint">{TITLE[kind].hint}</p>
          {props.lists[kind].length === 0 ? (
            <p class="body">None yet.</p>
          ) : (
            <table class="table">
              <caption class="table__caption table__caption--s">Your {TITLE[kind].many.toLowerCase()}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">URL</th>
                  <th scope="col">Auth header</th>
                  <th scope="col">Added</th>
                </tr>
              </thead>
              <tbody>
                {props.lists[kind].map((s) => (
                  <tr>
                    <td>
                      <a href={`${pathOf(kind)}/${s.id}`}>{s.name}</a>
                    </td>
                    <td class="code">{s.url}</td>
                    <td>{s.authHeader ? s.authHeader.name : "None"}</td>
                    <td>
                      <time datetime={s.createdAt}>{when(s.createdAt)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {props.canManage && (
            <p class="body">
              <a href={`${pathOf(kind)}/new`}>Add a {TITLE[kind].one}</a>
            </p>
          )}
        </>
      ))}
    </>
  );
}

function Details({ view }: { view: ServiceView }) {
  const none = <span class="hint">None</span>;
  const rm = "responseMapping" in view ? view.responseMapping : undefined;
  const email = rm?.email;
  return (
    <dl class="summary-list">
      <SummaryRow label="Name">{view.name}</SummaryRow>
      <SummaryRow label="URL">
        <span class="code">{view.url}</span>
      </SummaryRow>
      <SummaryRow label="Auth header">{view.authHeader ? `${view.authHeader.name} (value set, never shown)` : none}</SummaryRow>
      <SummaryRow label="Timeout">{`${view.timeoutMs} ms`}</SummaryRow>
      <SummaryRow label="Request mapping">{view.requestMapping ? mappingLines(view.requestMapping).split("\n").map((l) => <div class="code">{l}</div>) : <span class="hint">Every param</span>}</SummaryRow>
      {view.kind === "subscription" && (
        <>
          <SummaryRow label="Email addresses at">{typeof email === "string" ? <span class="code">{email}</span> : email ? (["to", "cc", "bcc"] as const).filter((r) => email[r]).map((r) => <div class="code">{`${r}: ${email[r]}`}</div>) : none}</SummaryRow>
          <SummaryRow label="Phone numbers at">{rm?.sms ? <span class="code">{rm.sms}</span> : none}</SummaryRow>
        </>
      )}
      {"filename" in view && <SummaryRow label="Default file name">{view.filename ?? none}</SummaryRow>}
      <SummaryRow label="Added">{when(view.createdAt)}</SummaryRow>
      <SummaryRow label="Changed">{when(view.updatedAt)}</SummaryRow>
    </dl>
  );
}

function ViewPage({ view, canManage, notice }: { view: ServiceView; canManage: boolean; notice?: string }) {
  return (
    <>
      <Notice text={notice} />
      <a class="back-link" href={SERVICES_PATH}>
        Back to services
      </a>
      <span class="caption">{TITLE[view.kind].many}</span>
      <h1 class="heading-l">{view.name}</h1>
      <Details view={view} />
      {canManage && (
        <p class="body">
          <a class="button" href={`${pathOf(view.kind)}/${view.id}/edit`} role="button" draggable="false">
            Change
          </a>{" "}
          <a href={`${pathOf(view.kind)}/${view.id}/delete`}>
            Delete<span class="visually-hidden"> {view.name}</span>
          </a>
        </p>
      )}
    </>
  );
}

function TextArea(props: { id: string; label: string; hint: string; value: string; error?: string; rows?: number }) {
  return (
    <FormGroup id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <textarea class="textarea" id={props.id} name={props.id} rows={props.rows ?? 4} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? "true" : undefined}>
        {props.value}
      </textarea>
    </FormGroup>
  );
}

function FormPage({ kind, current, form, errors }: { kind: ServiceKind; current?: ServiceView; form: ServiceForm; errors: FormError[] }) {
  const valueError = errorFor(errors, "authHeaderValue");
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={current ? `${pathOf(kind)}/${current.id}` : SERVICES_PATH}>
        Back
      </a>
      <h1 class="heading-l">{current ? `Change ${TITLE[kind].one} ‘${current.name}’` : `Add a ${TITLE[kind].one}`}</h1>
      <p class="body">{TITLE[kind].hint}.</p>
      <form method="post" action={current ? `${pathOf(kind)}/${current.id}` : pathOf(kind)} novalidate>
        <TextField id="name" name="name" label="Name" hint="How sends name it: 1 to 64 letters, digits, _, - or ., starting with a letter or digit" value={form.name} error={errorFor(errors, "name")} autocomplete="off" />
        <TextField id="url" name="url" type="url" label="URL" hint="The https address the service calls; addresses on private networks are refused" value={form.url} error={errorFor(errors, "url")} autocomplete="off" />
        <TextField id="authHeaderName" name="authHeaderName" label="Auth header name (optional)" hint="Sent with every call, for example Authorization" value={form.authHeaderName} error={errorFor(errors, "authHeaderName")} autocomplete="off" />
        <SecretField
          id="authHeaderValue"
          label={current?.authHeader ? "New auth header value (optional)" : "Auth header value"}
          hint={current?.authHeader ? "A value is set. Leave this empty to keep it; it is stored encrypted and never shown." : "Stored encrypted and never shown, for example Bearer followed by your token."}
          error={valueError}
        />
        {current?.authHeader && (
          <div class="form-group">
            <Checkbox id="removeAuthHeader" name="removeAuthHeader" value="on" label="Remove the auth header" hint="calls are then sent without it" checked={form.removeAuthHeader} />
          </div>
        )}
        <TextField id="timeoutMs" name="timeoutMs" label="Timeout in milliseconds (optional)" hint={`The whole call, answer included: ${SERVICE_LIMITS.minTimeoutMs} to ${SERVICE_LIMITS.maxTimeoutMs}; empty for ${SERVICE_LIMITS.defaultTimeoutMs}`} value={form.timeoutMs} error={errorFor(errors, "timeoutMs")} autocomplete="off" />
        <TextArea
          id="requestMapping"
          label="Request mapping (optional)"
          hint="Which params the service is sent, one a line: a param's name to pass it as is, or name = template to compute it, for example applicantId = {{applicationId}}. Empty: every param."
          value={form.requestMapping}
          error={errorFor(errors, "requestMapping")}
        />
        {kind === "subscription" ? (
          <fieldset class="fieldset">
            <legend class="fieldset__legend">Where the answer lists recipients</legend>
            <p class="hint">Paths of names separated by dots, [] after a name for each element of an array, for example recipients[].email. Give email, phone numbers or both.</p>
            <TextField id="responseEmailTo" name="responseEmailTo" label="Email addresses (to)" value={form.responseEmailTo} error={errorFor(errors, "responseEmailTo")} autocomplete="off" />
            <TextField id="responseEmailCc" name="responseEmailCc" label="Email addresses (cc, optional)" value={form.responseEmailCc} error={errorFor(errors, "responseEmailCc")} autocomplete="off" />
            <TextField id="responseEmailBcc" name="responseEmailBcc" label="Email addresses (bcc, optional)" value={form.responseEmailBcc} error={errorFor(errors, "responseEmailBcc")} autocomplete="off" />
            <TextField id="responseSms" name="responseSms" label="Phone numbers" value={form.responseSms} error={errorFor(errors, "responseSms")} autocomplete="off" />
          </fieldset>
        ) : (
          <TextField id="filename" name="filename" label="Default file name (optional)" hint="Used when neither the send nor the answer names the file, for example letter.pdf" value={form.filename} error={errorFor(errors, "filename")} autocomplete="off" />
        )}
        <button type="submit" class="button">
          {current ? "Save service" : `Add ${TITLE[kind].one}`}
        </button>
      </form>
    </>
  );
}

function ConfirmDelete({ view }: { view: ServiceView }) {
  return (
    <ConfirmPage
      back={`${pathOf(view.kind)}/${view.id}`}
      backText="Back"
      heading={
        <>
          Are you sure you want to delete the {TITLE[view.kind].one} ‘{view.name}’?
        </>
      }
      action={`${pathOf(view.kind)}/${view.id}/delete`}
      button={`Delete ${TITLE[view.kind].one}`}
    >
      <Details view={view} />
      <p class="body">
        Sends, event types and tenant defaults that name it can no longer use it{view.kind === "attachment" ? ", and emails still waiting for its document fail" : ""}. This cannot be undone.
      </p>
    </ConfirmPage>
  );
}
