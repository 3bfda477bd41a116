import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { MissingParamsError, renderTemplate, TemplateSyntaxError } from "../render/engine";

/**
 * How a notification's params become a service's `params`:
 * - absent: every param, as given;
 * - a list of names: those params only, each as given (a listed param that is missing is an error);
 * - an object: each key's value is a mustache string rendered with the params; a value that is
 *   exactly one placeholder (`"{{applicationId}}"`) passes the param's value unchanged (a number
 *   stays a number, an object an object).
 */
export type RequestMapping = Record<string, string> | string[];

/** Bounds of a stored request mapping (also enforced by the route schema). */
export const REQUEST_MAPPING_LIMITS = { maxEntries: 100, maxKeyChars: 256, maxValueChars: 1000 } as const;

/** Longest rendered value of one mapping entry. */
const MAX_MAPPED_OUTPUT = 10_000;

const SINGLE_PLACEHOLDER = /^\{\{\s*([^{}#^/!>&=\s][^{}\s]*)\s*\}\}$/;

/** A param by dotted name over own data only (no prototype), like the template renderer. */
function lookup(params: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(params, name)) return params[name];
  let value: unknown = params;
  for (const key of name.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Whether a stored mapping value is a template that parses (checked when a service is saved). */
export function mappingValueProblem(value: string): string | null {
  if (SINGLE_PLACEHOLDER.test(value)) return null;
  try {
    renderTemplate(value, {}, { renderer: "mustache", escape: "none", maxOutput: MAX_MAPPED_OUTPUT });
    return null;
  } catch (err) {
    if (err instanceof MissingParamsError) return null;
    if (err instanceof TemplateSyntaxError) return err.message;
    throw err;
  }
}

/**
 * The service's `params` for a notification's params. Every missing param is one 422 naming
 * `{paramsPath}.{name}` and the service, so a send never calls a service with holes in its request.
 *
 * @example
 * ```ts
 * mapParams({ applicantId: "{{applicationId}}", note: "for {{name}}" }, { applicationId: 7, name: "Ada" }, { paramsPath: "email.params", service: 'subscription service "applicants"' })
 * // { applicantId: 7, note: "for Ada" }
 * ```
 */
export function mapParams(
  mapping: RequestMapping | null | undefined,
  params: Record<string, unknown>,
  where: { paramsPath: string; service: string },
): Record<string, unknown> {
  if (!mapping) return { ...params };
  const missing = new Set<string>();
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  const given = (v: unknown) => v !== undefined && v !== null;
  if (Array.isArray(mapping)) {
    for (const name of mapping) {
      const value = lookup(params, name);
      if (given(value)) out[name] = value;
      else missing.add(name);
    }
  } else {
    for (const [key, template] of Object.entries(mapping)) {
      const single = SINGLE_PLACEHOLDER.exec(template);
      if (single) {
        const value = lookup(params, single[1]!);
        if (given(value)) out[key] = value;
        else missing.add(single[1]!);
        continue;
      }
      try {
        out[key] = renderTemplate(template, params, { renderer: "mustache", escape: "none", maxOutput: MAX_MAPPED_OUTPUT });
      } catch (err) {
        if (err instanceof MissingParamsError) for (const name of err.missing) missing.add(name);
        else if (err instanceof TemplateSyntaxError) errors.push({ path: where.paramsPath, message: `The ${where.service}'s requestMapping.${key} cannot be rendered: ${err.message}` });
        else throw err;
      }
    }
  }
  for (const name of missing) errors.push({ path: `${where.paramsPath}.${name}`, message: `Required by the ${where.service} but not supplied` });
  if (errors.length > 0) {
    throw new ApiError("unprocessable", { detail: `The ${where.service} needs parameters the request does not supply`, errors });
  }
  return out;
}
