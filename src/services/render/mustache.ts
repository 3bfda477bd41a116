import Mustache from "mustache";
import { MissingParamsError, TemplateSyntaxError } from "./errors";
import { type EscapeMode, escapeFor } from "./escape";

/**
 * A writer of our own rather than the shared default, so nothing here changes global mustache
 * state. Its template cache is emptied after every call: templates are tenant-controlled, and the
 * cache keeps every template ever parsed for the life of the isolate. Parsing is cheap.
 */
const writer = new Mustache.Writer();

/** [type, value, start, end, children?, sectionEnd?] as mustache's parser emits them. */
type Token = [string, string, number, number, Token[]?, number?];

/** Never consulted (parse refuses partials); passed so mustache never looks one up on its own. */
const NO_PARTIALS = (): undefined => undefined;

/** The first partial tag anywhere in the token tree, sections included. */
function findPartial(tokens: Token[]): Token | undefined {
  for (const token of tokens) {
    if (token[0] === ">") return token;
    const inner = token[4] ? findPartial(token[4]) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Parses a template, refusing partials: there is nowhere to define one, and a `{{> footer}}` that
 * silently renders nothing would send a message with a hole in it.
 */
function parse(template: string): Token[] {
  let tokens: Token[];
  try {
    tokens = writer.parse(template) as Token[];
  } catch (err) {
    throw new TemplateSyntaxError(err instanceof Error ? err.message : String(err));
  } finally {
    writer.clearCache();
  }
  const partial = findPartial(tokens);
  if (partial) throw new TemplateSyntaxError(`Partials are not supported: "{{> ${partial[1]}}}" at ${partial[2]}`);
  return tokens;
}

/**
 * Names a mustache template needs: variables outside sections. A section's own name is optional
 * (absent means falsy) and what is inside a section resolves against the section's context, so
 * neither is required.
 *
 * @example
 * ```ts
 * requiredMustacheParams("Dear {{first}} {{#vip}}{{title}}{{/vip}}") // ["first"]
 * ```
 */
export function requiredMustacheParams(template: string): string[] {
  const names: string[] = [];
  for (const [type, name] of parse(template)) {
    if ((type === "name" || type === "&") && name !== ".") names.push(name);
  }
  return [...new Set(names)];
}

/**
 * Copies params into objects without a prototype. Mustache looks names up with `in` and calls
 * functions it finds, so `{{constructor}}` would otherwise reach Object.prototype: it would count
 * as given and render "[object Object]". A prototype-less object cannot be turned into a string,
 * so each gets a symbol-keyed (hence unreachable by name) conversion to JSON, as the gc renderer
 * prints an object given where text is expected.
 */
function toView(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toView);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const view = Object.assign(Object.create(null), Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toView(v)])));
    Object.defineProperty(view, Symbol.toPrimitive, { value: () => JSON.stringify(value), enumerable: false });
    return view;
  }
  return value;
}

/** Mustache's own dotted lookup, restricted to own properties. */
function lookup(view: unknown, path: string): unknown {
  let value = view;
  for (const part of path.split(".")) {
    if (value == null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * @example
 * ```ts
 * renderMustache("Hi {{name}}", { name: "<Ann>" }, "html") // "Hi &lt;Ann&gt;"
 * ```
 */
export function renderMustache(template: string, params: Record<string, unknown>, escape: EscapeMode): string {
  const view = toView(params);
  const missing = requiredMustacheParams(template).filter((name) => lookup(view, name) == null);
  if (missing.length > 0) throw new MissingParamsError(missing);
  const esc = escapeFor(escape);
  try {
    return writer.render(template, view, NO_PARTIALS, { escape: (value: unknown) => esc(String(value)) });
  } finally {
    writer.clearCache();
  }
}
