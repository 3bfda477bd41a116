import type { Context } from "hono";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { AdminEnv, AdminIdentity } from "./env";

/** Where nav links point; screens add their routes under these. */
const TENANT_NAV = [
  { href: "/admin/dashboard", label: "Dashboard" },
  { href: "/admin/templates", label: "Templates" },
  { href: "/admin/activity", label: "Activity" },
  { href: "/admin/recipients", label: "Recipients" },
  { href: "/admin/send", label: "Send" },
  { href: "/admin/settings", label: "Settings" },
];
const OPERATOR_NAV = [
  { href: "/admin/tenants", label: "Tenants" },
  { href: "/admin/providers", label: "Providers" },
  { href: "/admin/failures", label: "Failures" },
];

export interface LayoutProps {
  title: string;
  nonce: string;
  /** The page's style nonce, sent back by htmx so fragments' email previews keep it. */
  styleNonce?: string;
  admin: AdminIdentity | null;
  /** The request's path, to mark the current nav item. */
  path: string;
  children?: Child;
}

/** The shell of every admin page: skip link, header with sign-out, nav by who is signed in, main. */
export function Layout({ title, nonce, styleNonce, admin, path, children }: LayoutProps) {
  const nav = !admin ? [] : admin.kind === "operator" && !admin.viewing ? OPERATOR_NAV : TENANT_NAV;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {/* htmx must not add its own <style> (the CSP allows none inline). */}
          <meta name="htmx-config" content='{"includeIndicatorStyles":false}' />
          <title>{`${title} · Edge Notify admin`}</title>
          {/* No favicon request (a 404 on every page). */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/admin/admin.css" />
          <script src="/admin/vendor/htmx.min.js" nonce={nonce} defer></script>
        </head>
        <body hx-headers={styleNonce ? JSON.stringify({ "X-Style-Nonce": styleNonce }) : undefined}>
          <a class="skip-link" href="#main">
            Skip to main content
          </a>
          <header class="header">
            <div class="width-container header__inner">
              <a class="header__name" href="/admin">
                Edge Notify
              </a>
              {admin && (
                <form method="post" action="/admin/sign-out" class="header__sign-out">
                  <span class="header__who">{admin.viewing ? "Operator (read only)" : admin.kind === "operator" ? "Operator" : `Signed in (${admin.role})`}</span>
                  <button type="submit" class="button button--secondary button--small">
                    Sign out
                  </button>
                </form>
              )}
            </div>
            {nav.length > 0 && (
              <nav class="width-container nav" aria-label="Main">
                <ul>
                  {nav.map((item) => (
                    <li>
                      <a href={item.href} aria-current={path === item.href || path.startsWith(`${item.href}/`) ? "page" : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
          </header>
          {admin?.viewing && <ViewingBanner tenantName={admin.viewing.tenantName} />}
          <main id="main" class="width-container main" tabindex={-1}>
            {children}
          </main>
        </body>
      </html>
    </>
  );
}

/** On every page while an operator views a tenant (screens/operator/view-as.tsx): whose screens these are, and the way out. */
function ViewingBanner({ tenantName }: { tenantName: string }) {
  return (
    <div class="width-container">
      <div class="notification-banner" role="region" aria-label="Viewing as a tenant">
        <p class="body">
          <strong>Viewing {tenantName} as operator, read only.</strong> Nothing can be changed; every page you open is recorded in the tenant's audit log.
        </p>
        <form method="post" action="/admin/view-as/stop">
          <button type="submit" class="button button--secondary button--small">
            Stop viewing
          </button>
        </form>
      </div>
    </div>
  );
}

/**
 * Renders a page inside the Layout with the request's nonce, session and path (status 200
 * unless given). Every admin handler answers through this or `renderError`.
 *
 * @example
 * ```ts
 * return page(c, "Templates", <TemplatesList items={items} />);
 * ```
 */
export function page(c: Context<AdminEnv>, title: string, body: Child, status: 200 | 400 | 403 | 404 | 409 | 413 | 422 | 429 | 500 = 200): Response | Promise<Response> {
  return c.html(
    <Layout title={title} nonce={c.get("cspNonce") ?? ""} styleNonce={c.get("styleNonce")} admin={c.get("admin") ?? null} path={new URL(c.req.url).pathname}>
      {body}
    </Layout>,
    status,
  );
}

/** One field's error, for ErrorSummary and a field's inline message. */
export interface FormError {
  /** The id of the input at fault (the summary links to it). */
  field: string;
  message: string;
}

/**
 * GOV.UK's error summary: a titled box at the top listing each error as a link to its field.
 * Gets focus on load (autofocus: no script needed), so screen readers announce it.
 *
 * @example
 * ```tsx
 * {errors.length > 0 && <ErrorSummary errors={errors} />}
 * ```
 */
export function ErrorSummary({ errors }: { errors: FormError[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} autofocus>
      <h2 class="error-summary__title">There is a problem</h2>
      <ul class="error-summary__list">
        {errors.map((e) => (
          <li>
            <a href={`#${e.field}`}>{e.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A labelled text input with an optional hint and inline error (GOV.UK's text input pattern).
 *
 * @example
 * ```tsx
 * <TextField id="email" name="email" label="Email address" type="email" value={form.email} error={errorFor(errors, "email")} />
 * ```
 */
export function TextField(props: { id: string; name: string; label: string; hint?: string; error?: string; type?: string; value?: string; autocomplete?: string }) {
  return (
    <FormGroup id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <input
        class={props.error ? "input input--error" : "input"}
        id={props.id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        autocomplete={props.autocomplete}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        aria-invalid={props.error ? "true" : undefined}
      />
    </FormGroup>
  );
}

/**
 * A multi-line text field (GOV.UK's textarea pattern).
 *
 * @example
 * ```tsx
 * <TextArea id="body" name="body" label="Body" value={form.body} error={errorFor(errors, "body")} rows={12} />
 * ```
 */
export function TextArea(props: { id: string; name: string; label: string; hint?: string; error?: string; value?: string; rows?: number }) {
  return (
    <FormGroup id={props.id} label={props.label} hint={props.hint} error={props.error}>
      <textarea
        class={props.error ? "textarea input--error" : "textarea"}
        id={props.id}
        name={props.name}
        rows={props.rows ?? 10}
        aria-describedby={describedBy(props.id, props.hint, props.error)}
        aria-invalid={props.error ? "true" : undefined}
      >
        {props.value ?? ""}
      </textarea>
    </FormGroup>
  );
}

/**
 * One form field's frame (GOV.UK's form group): its label, hint and inline error above the
 * control it wraps, the error state on the group. The control points at the hint and error
 * with `aria-describedby={describedBy(id, hint, error)}`.
 *
 * @example
 * ```tsx
 * <FormGroup id="channel" label="Channel" error={error}>
 *   <select class="select" id="channel" name="channel" aria-describedby={describedBy("channel", undefined, error)}>…</select>
 * </FormGroup>
 * ```
 */
export function FormGroup(props: { id: string; label: string; hint?: Child; error?: string; children: Child }) {
  return (
    <div class={props.error ? "form-group form-group--error" : "form-group"}>
      <label class="label" for={props.id}>
        {props.label}
      </label>
      {props.hint && (
        <div id={`${props.id}-hint`} class="hint">
          {props.hint}
        </div>
      )}
      <FieldError id={props.id} message={props.error} />
      {props.children}
    </div>
  );
}

/** The ids of a field's hint and error, for its control's `aria-describedby` (undefined when neither is shown). */
export function describedBy(id: string, hint: unknown, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

/** A field's inline error message (the error summary links to the field's id). */
export function FieldError({ id, message }: { id: string; message?: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} class="error-message">
      <span class="visually-hidden">Error:</span> {message}
    </p>
  );
}

/** The message for `field` among `errors`, if any. */
export function errorFor(errors: FormError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

/** A status tag (GOV.UK's tag): `tone` picks the colour, the text always says the status. */
export function Tag({ tone = "grey", children }: { tone?: "grey" | "green" | "red" | "yellow" | "blue"; children?: Child }) {
  return <strong class={`tag tag--${tone}`}>{children}</strong>;
}
