import type { Child } from "hono/jsx";
import { ApiError } from "../../../lib/errors/api-error";
import { AdminPageError } from "../../errors";
import { FieldError, type FormError } from "../../layout";

export const SETTINGS_PATH = "/admin/settings";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Looks a row up by a URL id within the session's tenant: anything but a UUID, and a service's
 * 404 (an unknown id or another tenant's), is the 404 page naming `what`.
 *
 * @example
 * ```ts
 * const row = await ownRow("reply-to address", c.req.param("id"), (id) => getReplyTo(ctx, id));
 * ```
 */
export async function ownRow<T>(what: string, id: string, read: (id: string) => Promise<T>): Promise<T> {
  const notFound = new AdminPageError(404, `There is no such ${what}.`);
  if (!UUID.test(id)) throw notFound;
  try {
    return await read(id.toLowerCase());
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw notFound;
    throw err;
  }
}

/**
 * A service's 4xx ApiError as form errors, each path mapped to a form field by `fieldOf`
 * (undefined: `fallback`); a 5xx or anything else is rethrown for the 500 page.
 */
export function serviceFormErrors(err: unknown, fieldOf: (path: string) => string | undefined, fallback: string, label: (path: string) => string = () => ""): FormError[] {
  if (!(err instanceof ApiError) || err.status >= 500) throw err;
  const errors: FormError[] = [];
  for (const e of err.errors ?? []) {
    const path = e.path ?? "";
    const field = fieldOf(path) ?? fallback;
    if (errors.some((x) => x.field === field)) continue;
    const prefix = label(path);
    errors.push({ field, message: prefix ? `${prefix}: ${e.message}` : e.message });
  }
  if (errors.length === 0) errors.push({ field: fallback, message: err.detail ?? "This could not be saved" });
  return errors;
}

/** A form value as a bounded string (files and repeated fields are not what these forms send). */
export function formText(form: Record<string, unknown>, name: string, max = 1000): string {
  const value = form[name];
  return typeof value === "string" ? value.slice(0, max) : "";
}

/** The green banner a page shows after a change it was redirected from. */
export function Notice({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div class="notification-banner notification-banner--success" role="status">
      <p class="body">{text}</p>
    </div>
  );
}

/** One row of a summary list. */
export function SummaryRow({ label, children }: { label: string; children?: Child }) {
  return (
    <div class="summary-list__row">
      <dt class="summary-list__key">{label}</dt>
      <dd class="summary-list__value">{children}</dd>
    </div>
  );
}

/** A labelled checkbox (GOV.UK's checkboxes, styled like the house radios). */
export function Checkbox(props: { id: string; name: string; value: string; label: string; checked: boolean; hint?: string }) {
  return (
    <div class="radios__item">
      <input class="radios__input" id={props.id} name={props.name} type="checkbox" value={props.value} checked={props.checked} aria-describedby={props.hint ? `${props.id}-hint` : undefined} />
      <label class="label radios__label" for={props.id}>
        {props.label}
        {props.hint && (
          <span id={`${props.id}-hint`} class="hint">
            {" "}
            — {props.hint}
          </span>
        )}
      </label>
    </div>
  );
}


/** An instant as people read it, in UTC. */
export function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * The top of a settings screen: the banner of the change it was redirected from, the way back to
 * settings, the tenant as caption and the screen's h1.
 *
 * @example
 * ```tsx
 * <SettingsHead tenantName={ctx.tenant.name} title="Chat targets" notice={notice} />
 * ```
 */
export function SettingsHead({ tenantName, title, notice }: { tenantName: string; title: string; notice?: string }) {
  return (
    <>
      <Notice text={notice} />
      <a class="back-link" href={SETTINGS_PATH}>
        Back to settings
      </a>
      <span class="caption">{tenantName} · Settings</span>
      <h1 class="heading-l">{title}</h1>
    </>
  );
}

/**
 * The header cell over a table's row links (Change, Remove…): named for screen readers only,
 * and absent when the role may not use them (`show` false), as the row cells are.
 *
 * @example
 * ```tsx
 * <ActionsHeader show={props.canManage} />
 * ```
 */
export function ActionsHeader({ show = true, label = "Actions" }: { show?: boolean; label?: string }) {
  if (!show) return null;
  return (
    <th scope="col">
      <span class="visually-hidden">{label}</span>
    </th>
  );
}

/**
 * A write-only secret input (a signing secret, an auth header value): never filled in, not
 * spell-checked, its hint and inline error tied to it. A page that keeps a stored secret when this
 * is left empty says so in `hint`.
 *
 * @example
 * ```tsx
 * <SecretField id="secret" label="Signing secret (optional)" hint="whsec_ followed by…" error={errorFor(errors, "secret")} />
 * ```
 */
export function SecretField({ id, label, hint, error }: { id: string; label: string; hint: Child; error?: string }) {
  return (
    <div class={error ? "form-group form-group--error" : "form-group"}>
      <label class="label" for={id}>
        {label}
      </label>
      <div id={`${id}-hint`} class="hint">
        {hint}
      </div>
      <FieldError id={id} message={error} />
      <input class={error ? "input input--error" : "input"} id={id} name={id} type="password" value="" autocomplete="off" spellcheck={false} aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} aria-invalid={error ? "true" : undefined} />
    </div>
  );
}
