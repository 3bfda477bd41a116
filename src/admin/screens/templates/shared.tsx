import type { Child } from "hono/jsx";
import type { Channel } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { describedBy, FieldError, type FormError, Tag } from "../../layout";

/** What people call each channel (the API's `msgApp` is chat: Slack, Teams, Google Chat…). */
export const CHANNEL_LABELS: Record<Channel, string> = { email: "Email", sms: "SMS", msgApp: "Chat" };

export function ChannelTag({ channel }: { channel: Channel }) {
  return <Tag tone={channel === "email" ? "blue" : channel === "sms" ? "green" : "yellow"}>{CHANNEL_LABELS[channel]}</Tag>;
}

/** UUIDs only: anything else cannot be a template, and is a 404 before any read. */
export const TEMPLATE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A form value as a string (files and repeated fields are not strings a template form sends). */
export function formString(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

export const RENDERER_LABELS = { mustache: "Mustache: {{name}}", gc: "GOV.UK Notify: ((name))" } as const;
export const BODY_TYPE_LABELS = { text: "Plain text", html: "HTML", markdown: "Markdown" } as const;

/**
 * An ApiError's field errors as form errors: each path's first segment names the form field
 * (`card.blocks[0]` → the body, which is what the form edits); anything else lands on `fallback`.
 * Errors that are not a 4xx ApiError are rethrown (they are the 500 page's business).
 */
export function formErrorsOf(err: unknown, fields: readonly string[], fallback: string): FormError[] {
  if (!(err instanceof ApiError) || err.status >= 500) throw err;
  const given = err.errors ?? [];
  const errors = given.map((e) => {
    const head = (e.path ?? "").split(/[.[]/)[0] ?? "";
    return { field: fields.includes(head) ? head : fallback, message: fieldLabel(head) ? `${fieldLabel(head)}: ${e.message}` : e.message };
  });
  if (errors.length === 0) errors.push({ field: fallback, message: err.detail ?? "The template could not be saved" });
  return errors;
}

function fieldLabel(path: string): string | undefined {
  return ({ name: "Name", subject: "Subject", body: "Body", card: "Card", bodyType: "Body type", renderer: "Placeholders" } as Record<string, string>)[path];
}

/**
 * Radio buttons in a fieldset (GOV.UK's radios): the first option's id is `id` itself, so an
 * error summary link to `#id` lands on the group.
 */
export function Radios(props: { id: string; name: string; legend: string; hint?: string; error?: string; options: { value: string; label: Child }[]; value?: string }) {
  return (
    <div class={props.error ? "form-group form-group--error" : "form-group"}>
      <fieldset class="fieldset" aria-describedby={describedBy(props.id, props.hint, props.error)}>
        <legend class="fieldset__legend">{props.legend}</legend>
        {props.hint && (
          <div id={`${props.id}-hint`} class="hint">
            {props.hint}
          </div>
        )}
        <FieldError id={props.id} message={props.error} />
        {props.options.map((o, i) => (
          <div class="radios__item">
            <input class="radios__input" id={i === 0 ? props.id : `${props.id}-${o.value}`} name={props.name} type="radio" value={o.value} checked={props.value === o.value} />
            <label class="label radios__label" for={i === 0 ? props.id : `${props.id}-${o.value}`}>
              {o.label}
            </label>
          </div>
        ))}
      </fieldset>
    </div>
  );
}

/** A success banner after a redirect (`?saved=1`). */
export function Banner({ children }: { children?: Child }) {
  return (
    <div class="notification-banner notification-banner--success" role="status">
      <p class="body">{children}</p>
    </div>
  );
}
