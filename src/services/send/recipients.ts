import type { FieldError } from "../../lib/errors/api-error";
import type { CountryCode } from "libphonenumber-js/max";
import { renderTemplate } from "../render/engine";
import type { Renderer } from "../render/renderer";
import { validateEmailAddress } from "../recipients/email";
import { normalisePhoneNumber } from "../recipients/phone";
import type { RenderProblems } from "../content/render-errors";

export interface RecipientEntry {
  value: string;
  /** Where the value came from, for error paths: `email.recipients.to[1]`. */
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
): RecipientEntry[] {
  if (list === undefined) return [];
  const items = Array.isArray(list) ? list.map((v, i) => ({ raw: v, path: `${path}[${i}]` })) : [{ raw: list, path }];
  return items.flatMap(({ raw, path: at }) => {
    const rendered = problems.capture(at, () => renderTemplate(raw, params, { renderer, escape: "none" }), "");
    return rendered
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0)
      .map((value) => ({ value, path: at }));
  });
}

/** Valid, de-duplicated addresses (first occurrence wins); every invalid one is an error. */
export function validEmails(entries: RecipientEntry[], errors: FieldError[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const result = validateEmailAddress(entry.value);
    if (!result.ok) {
      errors.push({ path: entry.path, message: `${result.message}: ${entry.value}` });
      continue;
    }
    const key = result.address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(result.address);
    }
  }
  return out;
}

/** Phone numbers normalised to E.164 with the tenant's default region, de-duplicated. */
export function validPhones(entries: RecipientEntry[], region: CountryCode, errors: FieldError[]): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    const result = normalisePhoneNumber(entry.value, region);
    if (!result.ok) errors.push({ path: entry.path, message: `${result.message}: ${entry.value}` });
    else out.add(result.e164);
  }
  return [...out];
}
