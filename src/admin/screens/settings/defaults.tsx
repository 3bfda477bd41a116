import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import type { TenantSettings } from "../../../services/tenants/settings";
import { TenantSettingsSchema } from "../../../services/tenants/settings";
import { updateTenantDefaults } from "../../../services/tenants/tenants";
import { nullableKeys } from "../../../routes/tenants/schemas";
import { permits } from "../../../middleware/auth";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { errorFor, ErrorSummary, FieldError, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Checkbox, formText, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow } from "./shared";
import { sha256Hex } from "../../../lib/crypto/hash";

const DEFAULTS_PATH = `${SETTINGS_PATH}/defaults`;
const PatchSchema = nullableKeys(TenantSettingsSchema);

/** The common fields the form edits, as typed (strings, so a refused value is shown back as it was). */
interface DefaultsForm {
  defaultRegion: string;
  emailFrom: string;
  emailReplyTo: string;
  smsSenderId: string;
  duplicateWindowSeconds: string;
  unsubscribe: boolean;
  suppressComplaint: boolean;
  suppressBounce: boolean;
}

/** Where a settings path's error is shown: the form field that edits it. */
function fieldOf(path: string): string | undefined {
  if (path.startsWith("defaultRegion")) return "defaultRegion";
  if (path.startsWith("duplicateWindowSeconds")) return "duplicateWindowSeconds";
  if (path.startsWith("email.from")) return "emailFrom";
  if (path.startsWith("email.replyTo")) return "emailReplyTo";
  if (path.startsWith("email.unsubscribe")) return "unsubscribe";
  if (path.startsWith("sms.senderId")) return "smsSenderId";
  if (path.startsWith("suppressOn.bounce")) return "suppressBounce";
  if (path.startsWith("suppressOn")) return "suppressComplaint";
  return undefined;
}

const LABELS: Record<string, string> = {
  defaultRegion: "Default region",
  duplicateWindowSeconds: "Duplicate window",
  emailFrom: "Email from",
  emailReplyTo: "Email reply-to",
  unsubscribe: "One-click unsubscribe",
  smsSenderId: "SMS sender id",
  suppressComplaint: "Suppress on complaint",
  suppressBounce: "Suppress on bounce",
};

function formOf(settings: TenantSettings): DefaultsForm {
  return {
    defaultRegion: settings.defaultRegion ?? "",
    emailFrom: settings.email?.from ?? "",
    emailReplyTo: (settings.email?.replyTo ?? []).join("\n"),
    smsSenderId: settings.sms?.senderId ?? "",
    duplicateWindowSeconds: settings.duplicateWindowSeconds === undefined ? "" : String(settings.duplicateWindowSeconds),
    unsubscribe: settings.email?.unsubscribe?.enabled ?? false,
    suppressComplaint: settings.suppressOn?.complaint ?? true,
    suppressBounce: settings.suppressOn?.bounce ?? false,
  };
}

const STATE_HASH = /^[0-9a-f]{64}$/;

/** A digest of the values an edit form showed, sent back with it to tell whether they changed meanwhile. */
const stateHash = (shown: DefaultsForm) => sha256Hex(JSON.stringify(shown));

/**
 * The patch the form asks for. The service merges top-level keys only (`email`, `sms` are
 * replaced whole), so the fields the form does not show (providers, cc, templates…) are carried
 * over from the stored settings; an empty field clears its key back to the system default.
 */
function patchOf(settings: TenantSettings, form: DefaultsForm): Record<string, unknown> {
  const email: Record<string, unknown> = { ...settings.email };
  delete email.from;
  delete email.replyTo;
  delete email.unsubscribe;
  if (form.emailFrom.trim()) email.from = form.emailFrom.trim();
  const replyTo = form.emailReplyTo.split(/\r?\n/).map((v) => v.trim()).filter(Boolean);
  if (replyTo.length > 0) email.replyTo = replyTo;
  // Off is written only over an earlier on: unset already means off.
  if (form.unsubscribe || settings.email?.unsubscribe) email.unsubscribe = { enabled: form.unsubscribe };
  const sms: Record<string, unknown> = { ...settings.sms };
  delete sms.senderId;
  if (form.smsSenderId.trim()) sms.senderId = form.smsSenderId.trim();
  const window = form.duplicateWindowSeconds.trim();
  return {
    defaultRegion: form.defaultRegion.trim() || null,
    // Not a number stays a string: the schema refuses it at the field.
    duplicateWindowSeconds: window === "" ? null : /^-?\d{1,9}$/.test(window) ? Number(window) : window,
    email: Object.keys(email).length > 0 ? email : null,
    sms: Object.keys(sms).length > 0 ? sms : null,
    // Left unwritten while it is unset and the form shows the system's own choice.
    ...(settings.suppressOn || !form.suppressComplaint || form.suppressBounce ? { suppressOn: { complaint: form.suppressComplaint, bounce: form.suppressBounce } } : {}),
  };
}

/**
 * `GET /admin/settings/defaults` (read): the tenant defaults as a summary list. `GET …/edit` and
 * `POST …` (manage): the common fields, checked by the API's own schema and then by
 * `updateTenantDefaults` (providers, addresses), each refusal shown at its field.
 */
export function registerDefaultsScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/defaults", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const canEdit = permits({ permissions: ctx.principal.permissions }, "manage");
    return page(c, "Tenant defaults", <DefaultsView tenantName={ctx.tenant.name} form={formOf(ctx.settings)} settings={ctx.settings} canEdit={canEdit} notice={c.req.query("saved") === "1" ? "Defaults saved" : undefined} />);
  });

  admin.get("/settings/defaults/edit", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const shown = formOf(ctx.settings);
    return page(c, "Change tenant defaults", <DefaultsEdit form={shown} errors={[]} shown={await stateHash(shown)} />);
  });

  admin.post("/settings/defaults", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const body = await c.req.parseBody();
    const form: DefaultsForm = {
      defaultRegion: formText(body, "defaultRegion", 10),
      emailFrom: formText(body, "emailFrom", 400),
      emailReplyTo: formText(body, "emailReplyTo", 4000),
      smsSenderId: formText(body, "smsSenderId", 40),
      duplicateWindowSeconds: formText(body, "duplicateWindowSeconds", 20),
      unsubscribe: formText(body, "unsubscribe") === "on",
      suppressComplaint: formText(body, "suppressComplaint") === "on",
      suppressBounce: formText(body, "suppressBounce") === "on",
    };
    const current = await stateHash(formOf(ctx.settings));
    // The form sends every field: saved over a change someone made since it was opened, it would undo it.
    if (STATE_HASH.test(formText(body, "shown", 64)) && formText(body, "shown", 64) !== current) {
      const stale = [{ field: "emailFrom", message: "Someone else changed these defaults after you opened this form. Check the values (they are yours) against the current defaults, then save again to keep yours" }];
      return page(c, "Change tenant defaults", <DefaultsEdit form={form} errors={stale} shown={current} />, 409);
    }
    const parsed = PatchSchema.safeParse(patchOf(ctx.settings, form));
    let errors: FormError[];
    if (parsed.success) {
      try {
        await updateTenantDefaults(ctx, parsed.data);
        const changed = Object.keys(LABELS).filter((k) => String(form[k as keyof DefaultsForm]) !== String(formOf(ctx.settings)[k as keyof DefaultsForm]));
        await audit(ctx, "tenant.defaults.updated", `tenant:${ctx.tenant.id}`, { fields: changed });
        return c.redirect(`${DEFAULTS_PATH}?saved=1`, 303);
      } catch (err) {
        errors = serviceFormErrors(err, fieldOf, "emailFrom", (p) => (fieldOf(p) ? LABELS[fieldOf(p)!]! : p));
      }
    } else {
      errors = [];
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join(".");
        const field = fieldOf(path) ?? "emailFrom";
        if (!errors.some((e) => e.field === field)) errors.push({ field, message: `${fieldOf(path) ? LABELS[field] : path}: ${field === "duplicateWindowSeconds" ? "Enter a whole number of seconds from 0 to 86400" : issue.message}` });
      }
    }
    return page(c, "Change tenant defaults", <DefaultsEdit form={form} errors={errors} shown={current} />, 422);
  });
}

function DefaultsView(props: { tenantName: string; form: DefaultsForm; settings: TenantSettings; canEdit: boolean; notice?: string }) {
  const f = props.form;
  const unset = <span class="hint">Not set (system default)</span>;
  const yesNo = (v: boolean) => (v ? "On" : "Off");
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Tenant defaults" notice={props.notice} />
      <p class="body">Sends use these unless the event type or the request says otherwise.</p>
      <dl class="summary-list">
        <SummaryRow label="Email from">{f.emailFrom || unset}</SummaryRow>
        <SummaryRow label="Email reply-to">{f.emailReplyTo ? f.emailReplyTo.split("\n").map((v) => <div>{v}</div>) : unset}</SummaryRow>
        <SummaryRow label="SMS sender id">{f.smsSenderId || unset}</SummaryRow>
        <SummaryRow label="Default region">{f.defaultRegion || unset}</SummaryRow>
        <SummaryRow label="Duplicate window">{f.duplicateWindowSeconds ? `${f.duplicateWindowSeconds} seconds` : <span class="hint">Not set (300 seconds)</span>}</SummaryRow>
        <SummaryRow label="One-click unsubscribe">{yesNo(f.unsubscribe)}</SummaryRow>
        <SummaryRow label="Suppress on complaint">{yesNo(f.suppressComplaint)}</SummaryRow>
        <SummaryRow label="Suppress on bounce">{yesNo(f.suppressBounce)}</SummaryRow>
        <SummaryRow label="Email provider">{[props.settings.email?.provider ?? []].flat().join(", ") || unset}</SummaryRow>
        <SummaryRow label="SMS provider">{[props.settings.sms?.provider ?? []].flat().join(", ") || unset}</SummaryRow>
        <SummaryRow label="Chat targets">{Object.keys(props.settings.msgApp?.targets ?? {}).join(", ") || unset}</SummaryRow>
      </dl>
      {props.canEdit && (
        <a class="button" href={`${DEFAULTS_PATH}/edit`} role="button" draggable="false">
          Change defaults
        </a>
      )}
    </>
  );
}

function DefaultsEdit({ form, errors, shown }: { form: DefaultsForm; errors: FormError[]; shown: string }) {
  const replyToError = errorFor(errors, "emailReplyTo");
  const suppressError = errorFor(errors, "suppressComplaint") ?? errorFor(errors, "suppressBounce") ?? errorFor(errors, "unsubscribe");
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={DEFAULTS_PATH}>
        Back to tenant defaults
      </a>
      <h1 class="heading-l">Change tenant defaults</h1>
      <p class="body">Leave a field empty to use the system default.</p>
      <form method="post" action={DEFAULTS_PATH} novalidate>
        <input type="hidden" name="shown" value={shown} />
        <TextField id="emailFrom" name="emailFrom" label="Email from" hint="For example: Funding Programs <funding@example.gov>" value={form.emailFrom} error={errorFor(errors, "emailFrom")} autocomplete="off" />
        <div class={replyToError ? "form-group form-group--error" : "form-group"}>
          <label class="label" for="emailReplyTo">
            Email reply-to
          </label>
          <div id="emailReplyTo-hint" class="hint">
            One address a line, up to 10
          </div>
          <FieldError id="emailReplyTo" message={replyToError} />
          <textarea class="textarea" id="emailReplyTo" name="emailReplyTo" rows={3} aria-describedby={replyToError ? "emailReplyTo-hint emailReplyTo-error" : "emailReplyTo-hint"}>
            {form.emailReplyTo}
          </textarea>
        </div>
        <TextField id="smsSenderId" name="smsSenderId" label="SMS sender id" hint="A phone number in international format, a short code, or up to 11 letters and digits" value={form.smsSenderId} error={errorFor(errors, "smsSenderId")} autocomplete="off" />
        <TextField id="defaultRegion" name="defaultRegion" label="Default region" hint="Two letters, for phone numbers written without a country code, for example CA" value={form.defaultRegion} error={errorFor(errors, "defaultRegion")} autocomplete="off" />
        <TextField id="duplicateWindowSeconds" name="duplicateWindowSeconds" label="Duplicate window in seconds" hint="How long the same notification sent again is answered with the first instead of sent twice (0 to 86400; 0 turns it off; default 300)" value={form.duplicateWindowSeconds} error={errorFor(errors, "duplicateWindowSeconds")} autocomplete="off" />
        <div class={suppressError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset">
            <legend class="fieldset__legend">Email and suppression</legend>
            <FieldError id="suppress" message={suppressError} />
            <Checkbox id="unsubscribe" name="unsubscribe" value="on" label="One-click unsubscribe" hint="every email carries List-Unsubscribe headers" checked={form.unsubscribe} />
            <Checkbox id="suppressComplaint" name="suppressComplaint" value="on" label="Suppress on complaint" hint="a spam complaint adds the recipient to the suppression list" checked={form.suppressComplaint} />
            <Checkbox id="suppressBounce" name="suppressBounce" value="on" label="Suppress on bounce" hint="a permanent failure adds the recipient to the suppression list" checked={form.suppressBounce} />
          </fieldset>
        </div>
        <button type="submit" class="button">
          Save defaults
        </button>
      </form>
    </>
  );
}
