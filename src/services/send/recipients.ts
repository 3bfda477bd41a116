import type { FieldError } from "../../lib/errors/api-error";
import type { CountryCode } from "libphonenumber-js/max";
import { renderTemplate } from "../render/engine";
import type { Renderer } from "../render/renderer";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import type { RenderProblems } from "../content/render-errors";
import { GROUP_FROM_PARAMETER, type GroupExpander, groupReference, splitGroupReferences } from "../groups/expand";

export interface RecipientEntry {
  value: string;
  /** Where the value came from, for error paths: `email.recipients.to[1]` (a group's members keep the `group:` entry's path). */
  path: string;
  /** Set when the entry cannot be a recipient for a reason other than its syntax (an unknown group); reported at `path`. */
  problem?: string;
}

/** One value of a recipient field before rendering, with the path it was written at. */
export interface RecipientSource {
  value: string;
  path: string;
}

/**
 * Renders a recipient field (each value may use `{{params}}`) and splits comma-separated values,
 * keeping the path of the value each address came from.
 */
export function renderRecipientList(
  list: string | string[] | undefined,
  path: string,
  params: Record<string, unknown>,
  renderer: Renderer,
  problems: RenderProblems,
  expandGroup?: GroupExpander,
): RecipientEntry[] {
  if (list === undefined) return [];
  const items = Array.isArray(list) ? list.map((v, i) => ({ value: v, path: `${path}[${i}]` })) : [{ value: list, path }];
  return renderRecipientEntries(items, params, renderer, problems, expandGroup);
}

/**
 * The same for a list whose values may come from several layers of the cascade (an event
 * type's cc plus a request's augment), each blamed at its own path.
 *
 * @example
 * ```ts
 * renderRecipientEntries([{ value: "{{emailaddress}}", path: "eventType.x.email.recipients.to[0]" }], { emailaddress: "a@b.c" }, "mustache", problems)
 * // [{ value: "a@b.c", path: "eventType.x.email.recipients.to[0]" }]
 * ```
 */
export function renderRecipientEntries(
  items: RecipientSource[],
  params: Record<string, unknown>,
  renderer: Renderer,
  problems: RenderProblems,
  expandGroup?: GroupExpander,
): RecipientEntry[] {
  return items.flatMap(({ value: raw, path: at }) => {
    // Recipient groups (groups/expand.ts): a literal `group:<name>` becomes the group's members, each
    // blamed at the `group:` entry's path; without `expandGroup` (replyTo) a reference is refused.
    const { groups, rest } = splitGroupReferences(raw);
    const members: RecipientEntry[] = groups.flatMap((name) =>
      expandGroup ? expandGroup(name, at) : [{ value: `group:${name}`, path: at, problem: "Group references are not accepted in this field" }],
    );
    const rendered = groups.length > 0 && rest.trim() === "" ? "" : problems.capture(at, () => renderTemplate(rest, params, { renderer, escape: "none" }), "");
    const values = rendered
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0)
      // A reference produced by a placeholder is never expanded: params may carry end users' data.
      .map((value): RecipientEntry => (groupReference(value) !== null ? { value, path: at, problem: GROUP_FROM_PARAMETER } : { value, path: at }));
    return [...members, ...values];
  });
}

/** A valid recipient, normalised, with the request path it came from (for guest-list refusals). */
export interface ValidRecipient {
  address: string;
  path: string;
}

/**
 * Valid, de-duplicated addresses with the path each came from (first occurrence wins); every
 * invalid one is an error.
 *
 * @example
 * ```ts
 * validEmailRecipients([{ value: "Ann@Example.com", path: "email.recipients.to[0]" }], errors)
 * // [{ address: "Ann@example.com", path: "email.recipients.to[0]" }]
 * ```
 */
export function validEmailRecipients(entries: RecipientEntry[], errors: FieldError[]): ValidRecipient[] {
  const out: ValidRecipient[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.problem) {
      errors.push({ path: entry.path, message: entry.problem });
      continue;
    }
    const result = validateEmailAddress(entry.value);
    if (!result.ok) {
      errors.push({ path: entry.path, message: `${result.message}: ${entry.value}` });
      continue;
    }
    const key = result.address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ address: result.address, path: entry.path });
    }
  }
  return out;
}

/** Valid, de-duplicated addresses (first occurrence wins); every invalid one is an error. */
export function validEmails(entries: RecipientEntry[], errors: FieldError[]): string[] {
  return validEmailRecipients(entries, errors).map((r) => r.address);
}

/** Phone numbers normalised to E.164 with the tenant's default region, de-duplicated, with their paths. */
export function validPhoneRecipients(entries: RecipientEntry[], region: CountryCode, errors: FieldError[]): ValidRecipient[] {
  const out = new Map<string, ValidRecipient>();
  for (const entry of entries) {
    if (entry.problem) {
      errors.push({ path: entry.path, message: entry.problem });
      continue;
    }
    const result = normalisePhoneNumber(entry.value, region);
    if (!result.ok) errors.push({ path: entry.path, message: `${result.message}: ${entry.value}` });
    else if (!out.has(result.e164)) out.set(result.e164, { address: result.e164, path: entry.path });
  }
  return [...out.values()];
}

/** Phone numbers normalised to E.164 with the tenant's default region, de-duplicated. */
export function validPhones(entries: RecipientEntry[], region: CountryCode, errors: FieldError[]): string[] {
  return validPhoneRecipients(entries, region, errors).map((r) => r.address);
}
